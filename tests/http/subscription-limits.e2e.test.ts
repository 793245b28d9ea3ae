import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import WebSocket from 'ws';
import type { ServerConfig } from '../../src/http/server';
import { ArticleWatcher } from '../../src/live/article-watcher';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildArticle, buildFeed } from '../helpers/builders';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';
import { onCleanup } from '../helpers/temp';

const LIVE = 'subscription { articleAdded { title } }';

/** The real watcher, telling how many subscriptions it serves now (what these tests wait on). */
class ObservedWatcher extends ArticleWatcher {
  get listening(): number {
    return this['listeners'].size;
  }
}

let store: SqliteStore;
let feed: number;

beforeAll(async () => {
  store = await referenceStore();
  store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
  feed = buildFeed(store, { foundation: 'cncf' });
});

/** A server with these caps (the rest at their defaults) and its own watcher. */
async function start(caps: Partial<ServerConfig>): Promise<{ api: TestServer; watcher: ObservedWatcher; url: string }> {
  const watcher = new ObservedWatcher(store, pino({ level: 'silent' }), 50);
  onCleanup(() => watcher.stop());
  const api = await startTestServer(store, { live: watcher, ...caps });
  return { api, watcher, url: `${api.server.url.replace('http', 'ws')}/graphql` };
}

/** Resolves once the condition holds (checked every 5 ms), for state that has no event of its own. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A client speaking graphql-transport-ws by hand, so that each message sent is exactly the one meant. */
class Peer {
  readonly messages: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message, received already or from now on, that matches; fails if the socket closes first. */
  receive(match: (message: any) => boolean, what = 'a message'): Promise<any> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onMessage = () => {
        const message = this.messages.find(match);
        if (!message) return;
        this.ws.off('message', onMessage).off('close', onClose);
        resolve(message);
      };
      const onClose = (code: number, reason: Buffer) => reject(new Error(`closed (${code} ${reason}) before ${what}`));
      this.ws.on('message', onMessage).once('close', onClose);
    });
  }

  async init(): Promise<void> {
    this.send({ type: 'connection_init' });
    await this.receive((m) => m.type === 'connection_ack', 'connection_ack');
  }

  subscribe(id: string, query = LIVE): void {
    this.send({ id, type: 'subscribe', payload: { query } });
  }

  async close(): Promise<void> {
    this.ws.close(1000);
    await this.closed;
  }
}

/** Client sockets not closed yet, dropped after the file; closed ones are let go (the heap test counts on it). */
const sockets = new Set<WebSocket>();
onCleanup(() => {
  for (const ws of sockets) ws.terminate();
});

type Attempt = { peer: Peer; refused?: undefined } | { peer?: undefined; refused: { status: number; body: string } };

/** Opens a WebSocket, from another loopback address if asked; says how the server answered. */
function attempt(url: string, localAddress?: string): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { localAddress });
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
    ws.once('open', () => resolve({ peer: new Peer(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.on('error', () => {}); // terminating a socket that never opened reports it as an error
        ws.terminate();
        resolve({ refused: { status: res.statusCode ?? 0, body } });
      });
    });
    ws.once('error', reject);
  });
}

async function connect(url: string, localAddress?: string): Promise<Peer> {
  const result = await attempt(url, localAddress);
  if (!result.peer) throw new Error(`connection refused: ${result.refused.status} ${result.refused.body}`);
  await result.peer.init();
  return result.peer;
}

describe('WebSocket connection caps', () => {
  it('refuses the connection over WS_MAX_CONNECTIONS with 503 before the upgrade, and opens one again after a close', async () => {
    const { api, url } = await start({ wsMaxConnections: 3 });
    const peers = [await connect(url), await connect(url), await connect(url, '127.0.0.2')];
    for (const from of [undefined, '127.0.0.4']) {
      const over = await attempt(url, from);
      expect(over.refused).toEqual({
        status: 503,
        body: 'too many WebSocket connections on this server (the limit is 3, WS_MAX_CONNECTIONS)\n',
      });
    }
    expect(api.server.subscriptionStats()).toEqual({ connections: 3, counted: 3, clients: 2, subscriptions: 0 });
    await peers[0].close();
    await until(() => api.server.subscriptionStats().counted === 2, 'the slot to be released');
    const again = await connect(url);
    expect(again.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses the connection over WS_MAX_CONNECTIONS_PER_CLIENT with 429, counting each address on its own', async () => {
    const { api, url } = await start({ wsMaxConnections: 100, wsMaxConnectionsPerClient: 3 });
    const mine = [await connect(url), await connect(url), await connect(url)];
    const over = await attempt(url);
    expect(over.refused).toEqual({
      status: 429,
      body: 'too many connections from your address (the limit is 3, WS_MAX_CONNECTIONS_PER_CLIENT)\n',
    });
    // Another client is not held back by this one.
    await connect(url, '127.0.0.3');
    expect(api.server.subscriptionStats()).toMatchObject({ connections: 4, counted: 4, clients: 2 });
    // A connection dropped without a closing handshake releases its slot too.
    mine[1].ws.terminate();
    await until(() => api.server.subscriptionStats().counted === 3, 'the slot to be released');
    await connect(url);
  });

  it('answers an upgrade on any other path with 404', async () => {
    const { api } = await start({});
    const other = await attempt(`${api.server.url.replace('http', 'ws')}/elsewhere`);
    expect(other.refused).toEqual({ status: 404, body: 'no WebSocket endpoint here (subscriptions are at /graphql)\n' });
  });
});

describe('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', () => {
  it('refuses the subscription over the cap with an error, keeps the connection and the others, and takes one again after a complete', async () => {
    const { api, watcher, url } = await start({ wsMaxSubscriptionsPerConnection: 3 });
    const peer = await connect(url);
    for (const id of ['1', '2', '3']) peer.subscribe(id);
    await until(() => watcher.listening === 3, 'three subscriptions');

    peer.subscribe('4');
    const refused = await peer.receive((m) => m.id === '4', 'the answer to subscription 4');
    expect(refused).toEqual({
      id: '4',
      type: 'error',
      payload: [
        {
          message: 'too many subscriptions on this connection (the limit is 3, WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'subscriptions', maximum: 3 },
        },
      ],
    });
    expect(api.server.subscriptionStats()).toMatchObject({ connections: 1, subscriptions: 3 });

    // The three go on.
    buildArticle(store, feed, { title: 'After the refusal' });
    for (const id of ['1', '2', '3']) {
      const next = await peer.receive((m) => m.id === id && m.type === 'next', `an article on ${id}`);
      expect(next.payload).toEqual({ data: { articleAdded: { title: 'After the refusal' } } });
    }

    // The cap is per connection: another one has its own.
    const other = await connect(url);
    other.subscribe('a', '{ __typename }');
    expect(await other.receive((m) => m.id === 'a')).toEqual({ id: 'a', type: 'next', payload: { data: { __typename: 'Query' } } });

    // Completing one frees its place.
    peer.send({ id: '1', type: 'complete' });
    await until(() => watcher.listening === 2, 'subscription 1 to end');
    peer.subscribe('5');
    await until(() => watcher.listening === 3, 'subscription 5');
    buildArticle(store, feed, { title: 'In the freed place' });
    const next = await peer.receive((m) => m.id === '5' && m.type === 'next', 'an article on 5');
    expect(next.payload).toEqual({ data: { articleAdded: { title: 'In the freed place' } } });
    expect(api.server.subscriptionStats()).toMatchObject({ subscriptions: 3 });
    expect(peer.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('WS_MAX_MESSAGES_PER_SECOND', () => {
  it('lets a burst of twice the rate through and closes the connection (1008) on a flood, releasing what it held', async () => {
    const { api, watcher, url } = await start({ wsMaxMessagesPerSecond: 5 });
    const steady = (await attempt(url)).peer!;
    for (let i = 0; i < 10; i++) steady.send({ type: 'ping' });
    await until(() => steady.messages.length === 10, 'ten pongs');
    expect(steady.messages.every((m) => m.type === 'pong')).toBe(true);
    expect(steady.ws.readyState).toBe(WebSocket.OPEN);

    // A flood of subscriptions after the init: the first ones start, then the connection is closed
    // and everything it started ends.
    const flood = await connect(url);
    for (let i = 0; i < 50; i++) flood.subscribe(String(i));
    expect(await flood.closed).toEqual({
      code: 1008,
      reason: 'too many messages (the limit is 5 a second, bursts of 10, WS_MAX_MESSAGES_PER_SECOND)',
    });
    await until(() => api.server.subscriptionStats().counted === 1 && watcher.listening === 0, 'the flood to be released');
    expect(api.server.subscriptionStats()).toEqual({ connections: 1, counted: 1, clients: 1, subscriptions: 0 });
    await connect(url);
  });
});

describe('no memory kept after a flood', () => {
  /** The garbage collector, which jest does not expose: V8 hands it out once the flag is set. */
  function collector(): () => void {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  }

  it('returns every counter to zero and the heap to its level, over five floods of 30 connections with 20 subscriptions each', async () => {
    const { api, watcher, url } = await start({
      wsMaxConnections: 100,
      wsMaxConnectionsPerClient: 100,
      wsMaxSubscriptionsPerConnection: 20,
      wsMaxMessagesPerSecond: 1000,
    });
    const gc = collector();
    const heap = () => {
      gc();
      return v8.getHeapStatistics().used_heap_size;
    };
    const after: number[] = [];
    for (let round = 0; round < 5; round++) {
      const peers = await Promise.all(Array.from({ length: 30 }, () => connect(url)));
      for (const peer of peers) for (let id = 0; id < 21; id++) peer.subscribe(String(id));
      // The 21st on each connection is refused; the other 20 run.
      await Promise.all(peers.map((peer) => peer.receive((m) => m.id === '20' && m.type === 'error', 'the refusal')));
      await until(() => watcher.listening === 600, '600 subscriptions');
      expect(api.server.subscriptionStats()).toEqual({ connections: 30, counted: 30, clients: 1, subscriptions: 600 });
      // Every way a connection ends: a closing handshake, a dropped socket, a rate-limit close.
      await Promise.all(
        peers.map(async (peer, i) => {
          if (i % 3 === 0) await peer.close();
          else if (i % 3 === 1) peer.ws.terminate();
          else for (let n = 0; n < 2500; n++) peer.send({ type: 'ping' });
          await peer.closed;
        }),
      );
      await until(() => {
        const stats = api.server.subscriptionStats();
        return stats.connections + stats.counted + stats.clients + stats.subscriptions + watcher.listening === 0;
      }, 'every counter to return to zero');
      after.push(heap());
    }
    // The first round warms up (code, caches). An open flood holds about 10 MB (both ends live in
    // this process), so keeping what it held would add some 40 MB over the next four rounds; after a
    // full collection the heap moves by well under 1 MB from round to round.
    expect(after[4] - after[0]).toBeLessThan(10 * 1024 * 1024);
  });
});
