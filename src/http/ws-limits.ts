import { GraphQLError } from 'graphql';

/** The caps on WebSocket clients (config: WS_MAX_*). */
export interface WebSocketLimits {
  /** Connections open at once, from all clients together. */
  maxConnections: number;
  /** Connections open at once from one client address. */
  maxConnectionsPerClient: number;
  /** Subscriptions (operations) running at once on one connection. */
  maxSubscriptionsPerConnection: number;
  /** Messages a client may send on one connection per second; bursts of twice as many pass. */
  maxMessagesPerSecond: number;
}

/** RFC 6455 section 7.4.1: the close code for a peer that broke the endpoint's policy. */
export const CLOSE_POLICY_VIOLATION = 1008;

/**
 * What a client is told when it goes over a cap. Each message names the limit and the setting that
 * changes it; the rate one is a WebSocket close reason, which RFC 6455 caps at 123 bytes, so all are
 * short ASCII (a test checks them at the largest values the config accepts).
 */
export const limitMessages = {
  connections: (max: number) => `too many WebSocket connections on this server (the limit is ${max}, WS_MAX_CONNECTIONS)`,
  connectionsPerClient: (max: number) => `too many connections from your address (the limit is ${max}, WS_MAX_CONNECTIONS_PER_CLIENT)`,
  subscriptions: (max: number) =>
    `too many subscriptions on this connection (the limit is ${max}, WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first`,
  unread: (bytes: number) => `you are not reading your messages (over ${Math.round(bytes / 1048576)} MiB unread)`,
  messages: (perSecond: number) => `too many messages (the limit is ${perSecond} a second, bursts of ${2 * perSecond}, WS_MAX_MESSAGES_PER_SECOND)`,
};

/** The graphql-ws `error` for a subscription over the per-connection cap; the connection stays open. */
export function tooManySubscriptions(max: number): GraphQLError {
  return new GraphQLError(limitMessages.subscriptions(max), {
    extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'subscriptions', maximum: max },
  });
}

/**
 * The address a connection is counted under: the peer's IP, with IPv4-mapped IPv6 (`::ffff:1.2.3.4`,
 * what a dual-stack listener reports for IPv4 peers) written as plain IPv4, so one client is one key
 * whichever way the server listens.
 */
export function clientAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress);
  return mapped ? mapped[1] : remoteAddress;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`, full at the start. Each
 * call takes one token and says whether there was one.
 */
export function tokenBucket(ratePerSecond: number, burst: number, now: () => number = () => performance.now()): () => boolean {
  let tokens = burst;
  let last = now();
  return () => {
    const time = now();
    tokens = Math.min(burst, tokens + ((time - last) * ratePerSecond) / 1000);
    last = time;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Why a connection is refused, as the HTTP answer to its upgrade request. */
export interface UpgradeRefusal {
  status: 429 | 503;
  message: string;
}

/**
 * Open connections, in all and per client address. A connection is counted from `add` until the
 * release it returns is called; the per-address entry goes when its count reaches zero, so the table
 * only ever holds the addresses connected now.
 */
export class ConnectionCounter {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(private readonly limits: Pick<WebSocketLimits, 'maxConnections' | 'maxConnectionsPerClient'>) {}

  /** Why one more connection from this address is refused, or null when it may open. */
  refusal(address: string): UpgradeRefusal | null {
    // The client's own cap first: when both are reached, "slow down" is the answer it can act on.
    if ((this.perClient.get(address) ?? 0) >= this.limits.maxConnectionsPerClient) {
      return { status: 429, message: limitMessages.connectionsPerClient(this.limits.maxConnectionsPerClient) };
    }
    if (this.total >= this.limits.maxConnections) return { status: 503, message: limitMessages.connections(this.limits.maxConnections) };
    return null;
  }

  /** Counts a connection that opened; the returned release may be called more than once. */
  add(address: string): () => void {
    this.total += 1;
    this.perClient.set(address, (this.perClient.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perClient.get(address) ?? 1) - 1;
      if (left > 0) this.perClient.set(address, left);
      else this.perClient.delete(address);
    };
  }

  /** Connections counted now, and the addresses they come from. */
  get counts(): { connections: number; clients: number } {
    return { connections: this.total, clients: this.perClient.size };
  }
}
