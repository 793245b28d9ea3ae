import { loadConfig } from '../../src/config';
import { ConnectionCounter, clientAddress, limitMessages, tokenBucket } from '../../src/http/ws-limits';

describe('tokenBucket', () => {
  it('lets a burst through, then one message per 1/rate of a second, never saving more than the burst', () => {
    let now = 0;
    const take = tokenBucket(5, 10, () => now);
    expect(Array.from({ length: 11 }, () => take())).toEqual([...Array(10).fill(true), false]);
    now += 199;
    expect(take()).toBe(false);
    now += 1;
    expect(take()).toBe(true);
    expect(take()).toBe(false);
    // A long quiet spell refills to the burst and no further.
    now += 60_000;
    expect(Array.from({ length: 11 }, () => take())).toEqual([...Array(10).fill(true), false]);
  });
});

describe('clientAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['203.0.113.9', '203.0.113.9'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:7f00:1', '::ffff:7f00:1'],
    [undefined, 'unknown'],
  ])('counts %s as %s', (remote, expected) => {
    expect(clientAddress(remote)).toBe(expected);
  });
});

describe('ConnectionCounter', () => {
  it('refuses over each cap and forgets an address when its last connection goes', () => {
    const counter = new ConnectionCounter({ maxConnections: 3, maxConnectionsPerClient: 2 });
    const a1 = counter.add('a');
    counter.add('a');
    expect(counter.refusal('a')).toEqual({ status: 429, message: limitMessages.connectionsPerClient(2) });
    expect(counter.refusal('b')).toBeNull();
    const b1 = counter.add('b');
    expect(counter.refusal('c')).toEqual({ status: 503, message: limitMessages.connections(3) });
    a1();
    a1(); // released once however often it is called
    expect(counter.counts).toEqual({ connections: 2, clients: 2 });
    b1();
    expect(counter.counts).toEqual({ connections: 1, clients: 1 });
  });
});

describe('limit messages', () => {
  it('name the setting and fit a WebSocket close reason (123 bytes) at the largest accepted values', () => {
    const defaults = loadConfig({});
    const largest = loadConfig({
      WS_MAX_CONNECTIONS: '1000000',
      WS_MAX_CONNECTIONS_PER_CLIENT: '100000',
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '10000',
      WS_MAX_MESSAGES_PER_SECOND: '100000',
    });
    for (const config of [defaults, largest]) {
      const messages = [
        limitMessages.connections(config.wsMaxConnections),
        limitMessages.connectionsPerClient(config.wsMaxConnectionsPerClient),
        limitMessages.subscriptions(config.wsMaxSubscriptionsPerConnection),
        limitMessages.messages(config.wsMaxMessagesPerSecond),
      ];
      for (const message of messages) expect(Buffer.byteLength(message)).toBeLessThan(123);
    }
    expect(limitMessages.connectionsPerClient(10)).toBe('too many connections from your address (the limit is 10, WS_MAX_CONNECTIONS_PER_CLIENT)');
  });
});
