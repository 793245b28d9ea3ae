import { spawn } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { ArticleWatcher } from '../../src/live/article-watcher';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildArticle, buildFeed } from '../helpers/builders';
import { serve, startFeedServer } from '../helpers/feed-server';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';
import { onCleanup } from '../helpers/temp';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
let store: SqliteStore;
let api: TestServer;
let client: Client;
let cncfFeed: number;

beforeAll(async () => {
  store = await referenceStore();
  store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
  cncfFeed = buildFeed(store, { foundation: 'cncf' });
  const live = new ArticleWatcher(store, pino({ level: 'silent' }));
  onCleanup(() => live.stop());
  api = await startTestServer(store, { live });
  client = createClient({ url: `${api.server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  onCleanup(() => client.dispose());
});

/** Subscribes and collects what arrives; `until` resolves once `n` results came. */
function subscribe(query: string) {
  const received: any[] = [];
  const errors: unknown[] = [];
  let notify: (() => void) | null = null;
  const done = new Promise<void>((resolve) => {
    const unsubscribe = client.subscribe(
      { query },
      {
        next: (result) => {
          received.push(result);
          notify?.();
        },
        error: (err) => {
          errors.push(err);
          notify?.();
          resolve();
        },
        complete: () => resolve(),
      },
    );
    onCleanup(unsubscribe);
  });
  const until = async (n: number, timeoutMs = 5000) => {
    const started = Date.now();
    while (received.length < n && errors.length === 0 && Date.now() - started < timeoutMs) {
      await new Promise<void>((resolve) => {
        notify = resolve;
        setTimeout(resolve, 50);
      });
    }
    return received;
  };
  return { received, errors, done, until };
}

/** Gives the server time to register a subscription before articles are written. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('articleAdded over graphql-ws', () => {
  it('delivers each new article matching the filter, search included, and nothing else', async () => {
    const sub = subscribe('subscription { articleAdded(filter: { foundations: ["cncf"], search: "security" }) { title foundations { slug } } }');
    await settle();
    const otherFeed = buildFeed(store, { foundation: 'openssf' });
    buildArticle(store, cncfFeed, { title: 'Release notes', text: 'Nothing about it here.' });
    buildArticle(store, otherFeed, { title: 'OpenSSF security report', text: 'security everywhere' });
    buildArticle(store, cncfFeed, { title: 'Kubernetes security audit', text: 'The audit found two issues.' });
    buildArticle(store, cncfFeed, { title: 'Weekly notes', text: 'Some security work was done.' });
    const received = await sub.until(2);
    expect(sub.errors).toEqual([]);
    expect(received.map((r) => r.data.articleAdded.title).sort()).toEqual(['Kubernetes security audit', 'Weekly notes']);
    expect(received[0].data.articleAdded.foundations).toEqual([{ slug: 'cncf' }]);
    // Give a wrongly matching article the time to arrive, then check none did.
    await settle();
    expect(received).toHaveLength(2);
  });

  it('delivers articles stored by another process: the fetch command run beside the service', async () => {
    const feeds = await startFeedServer({
      '/news.xml': serve(`<rss version="2.0"><channel><title>N</title><link>https://n.example/</link>
        <item><title>Live from another process</title><link>https://n.example/1</link><guid>live-1</guid></item></channel></rss>`),
    });
    const url = feeds.url('/news.xml');
    buildFeed(store, { url, foundation: 'cncf' });
    const sub = subscribe('subscription { articleAdded(filter: { feeds: [] , foundations: ["cncf"] }) { title } }');
    const sub2 = subscribe('subscription { articleAdded(filter: { foundations: ["cncf"] }) { title feed { url } } }');
    await settle();
    const child = spawn(process.execPath, [CLI, 'fetch', '--feed', url], {
      env: { ...process.env, DATABASE_PATH: store.db.name, FETCH_ALLOW_PRIVATE_HOSTS: 'true', LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const received = await sub2.until(1);
    expect(await exited).toBe(0);
    expect(received.map((r) => r.data.articleAdded)).toEqual([{ title: 'Live from another process', feed: { url } }]);
    // An empty list of feeds matches nothing.
    expect(sub.received).toEqual([]);
  });

  it('refuses subscriptions over the limits or with unknown slugs, with the same errors as queries', async () => {
    const deep = subscribe(
      'subscription { articleAdded { feed { foundation { parent { children { parent { children { parent { children { parent { children { slug } } } } } } } } } } } }',
    );
    await deep.done;
    expect(JSON.stringify(deep.errors)).toContain('QUERY_TOO_DEEP');
    const unknown = subscribe('subscription { articleAdded(filter: { foundations: ["nope"] }) { title } }');
    await unknown.done;
    expect(JSON.stringify([...unknown.errors, ...unknown.received])).toContain('unknown foundation slug');
  });
});
