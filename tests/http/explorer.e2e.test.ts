import http from 'node:http';
import zlib from 'node:zlib';
import { EXAMPLE_OPERATIONS } from '../../src/graphql/examples';
import { referenceStore } from '../helpers/fresh-db';
import { startTestServer, type TestServer } from '../helpers/server';

/** A raw GET (no automatic decompression, unlike fetch): status, headers and the bytes as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

let api: TestServer;
let plain: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
let html: string;
beforeAll(async () => {
  api = await startTestServer(await referenceStore());
  plain = await rawGet(`${api.server.url}/explorer`, { 'accept-encoding': 'identity' });
  html = plain.body.toString('utf8');
});

describe('the explorer page (/explorer)', () => {
  it('is served as HTML, uncompressed to a client that does not accept gzip', () => {
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/html\b/);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    expect(html).toMatch(/^\s*<!doctype html>/i);
    expect(html).toContain('<title>Foundation Wire explorer</title>');
  });

  it('presets the endpoint /graphql and opens every example operation as a tab', () => {
    expect(html).toContain('"endpoint":"/graphql"');
    expect(EXAMPLE_OPERATIONS.length).toBeGreaterThan(0);
    for (const example of EXAMPLE_OPERATIONS) {
      const operationName = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(example.query)?.[1];
      expect(operationName).toBeDefined();
      expect(html).toContain(operationName!);
      // The whole query, as the JSON string GraphiQL is given for the tab.
      expect(html).toContain(JSON.stringify(example.query));
      if (example.variables) expect(html).toContain(JSON.stringify(example.variables));
    }
  });

  it('is served gzipped to a client that accepts gzip, and decompresses to the same page', async () => {
    const zipped = await rawGet(`${api.server.url}/explorer`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-type']).toMatch(/^text\/html\b/);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(zlib.gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it('loads no script, style or other resource from another host', () => {
    // Tags whose src/href points to an absolute or protocol-relative URL (data: URLs, such as the icon, are fine).
    const external = html.match(/<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?(?:[a-z][a-z0-9+.-]*:)?\/\/[^\s"'>]*/gi);
    expect(external).toBeNull();
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    // Known CDNs, anywhere in the page (a dynamic import or fetch of one would bypass the tag check).
    expect(html).not.toMatch(/\b(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com|apollographql\.com)\b/i);
    expect(html).not.toMatch(/\bimport\s*\(?\s*["'`]https?:/i);
  });
});
