import net from 'node:net';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

let api: TestServer;
beforeAll(async () => {
  api = await startTestServer(await referenceStore(), { maxRequestBodyBytes: 4096 });
});

describe('the HTTP server', () => {
  it('answers a request target URL cannot read with 400, and goes on serving', async () => {
    for (const target of ['//[', 'http://[']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(api.server.port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let text = '';
        socket.on('data', (c) => (text += c));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"BAD_REQUEST"');
    }
    expect((await fetch(`${api.server.url}/healthz`)).status).toBe(200);
  });

  it('answers the health check', async () => {
    const res = await fetch(`${api.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves Apollo Sandbox to a browser GET of /graphql', async () => {
    const res = await fetch(`${api.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('embeddable-sandbox.cdn.apollographql.com');
  });

  it('answers a GraphQL GET query (with the CSRF-prevention header) and CORS preflights', async () => {
    const url = `${api.server.url}/graphql?query=${encodeURIComponent('{ foundation(slug: "osi") { name } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await res.json()).toMatchObject({ data: { foundation: { name: expect.stringContaining('Open Source Initiative') } } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${api.server.url}/graphql`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('refuses bodies over the size limit with 413, and malformed JSON with 400', async () => {
    const big = await fetch(`${api.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ foundations { totalCount } } # ${'x'.repeat(5000)}` }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].message).toBe('request body exceeds the limit of 4096 bytes');
    const malformed = await fetch(`${api.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(malformed.status).toBe(400);
  });

  it('refuses batched requests', async () => {
    const res = await fetch(`${api.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ foundations { totalCount } }' }, { query: '{ companies { totalCount } }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('answers 404 with a hint on unknown paths', async () => {
    const res = await fetch(`${api.server.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).errors[0].message).toContain('GraphQL is at /graphql');
  });
});
