import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, serve, startFeedServer, type FeedServer } from '../helpers/feed-server';
import { freePort, onCleanup, tempDir } from '../helpers/temp';

/**
 * The ingestion issue's "done when", as an operator would do it: the compiled CLI adds feeds served
 * on 127.0.0.1, fetches them, lists them, and the service's API shows the articles and the errors.
 */
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const dir = tempDir();
const env = {
  ...process.env,
  DATABASE_PATH: path.join(dir, 'fw.db'),
  FETCH_ALLOW_PRIVATE_HOSTS: 'true',
  FETCH_ENABLED: 'false',
  LOG_LEVEL: 'warn',
  // Three foundations and no feeds of their own: the real reference feeds are on the internet.
  REFERENCE_DATA_PATH: path.join(__dirname, '..', 'fixtures', 'reference', 'minimal.yaml'),
};
let server: FeedServer;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
  server = await startFeedServer({
    '/cncf.xml': serve(fixture('cncf-news.xml')),
    '/pytorch.atom': serve(fixture('pytorch-news.atom'), { 'content-type': 'application/atom+xml' }),
    '/gone.xml': serve('gone', { 'content-type': 'text/plain' }, 410),
  });
});

/** Runs the CLI without blocking this process (the feed server lives here). */
/** The compiled CLI with the test's environment; a variable given as undefined is unset. */
function cli(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const merged: Record<string, string | undefined> = { ...env, ...extraEnv };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    const child = spawn(process.execPath, [CLI, ...args], { env: merged as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('feeds and fetch from the command line', () => {
  it('adds feeds, fetches them all, lists them, and the API shows articles and errors', async () => {
    expect((await cli(['feeds', 'add', server.url('/cncf.xml'), '--foundation', 'cncf', '--title', 'CNCF test feed'])).code).toBe(0);
    expect((await cli(['feeds', 'add', server.url('/pytorch.atom'), '--foundation', 'pytorch-foundation'])).code).toBe(0);
    expect((await cli(['feeds', 'add', server.url('/gone.xml'), '--foundation', 'openssf'])).code).toBe(0);
    const duplicate = await cli(['feeds', 'add', server.url('/gone.xml'), '--foundation', 'openssf']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('is already a feed');
    const badFoundation = await cli(['feeds', 'add', server.url('/x.xml'), '--foundation', 'nope']);
    expect(badFoundation.stderr).toContain('unknown foundation "nope"');

    const fetched = await cli(['fetch', '--feed', server.url('/cncf.xml')]);
    expect(fetched.code).toBe(0);
    const all = await cli(['fetch', '--all']);
    // A failing feed is reported, not fatal.
    expect(all.code).toBe(0);
    const summary = all.stdout.split('\n')[2].trim().split(/\s+/).map(Number);
    // feeds, ok, not modified, failed, articles new, articles updated: the CNCF feed was fetched just
    // before, so it is unchanged; the PyTorch feed is new.
    expect(summary).toEqual([3, 2, 0, 1, 2, 0]);
    expect(all.stdout).toMatch(new RegExp(`${server.url('/gone.xml')}\\s+fetch: HTTP 410 Gone`));

    const list = await cli(['feeds', 'list']);
    expect(list.stdout).toMatch(new RegExp(`OK\\s+cncf\\s+3 .*${server.url('/cncf.xml')}`));
    expect(list.stdout).toMatch(new RegExp(`FAILING\\s+openssf\\s+0 .*1: fetch: HTTP 410 Gone\\s+${server.url('/gone.xml')}`));
    expect(list.stdout).toMatch(new RegExp(`OK\\s+pytorch-foundation\\s+2 .*${server.url('/pytorch.atom')}`));

    const port = await freePort();
    const service = spawn(process.execPath, [CLI, 'serve'], { env: { ...env, PORT: String(port), LOG_LEVEL: 'info' } });
    onCleanup(() => service.kill('SIGTERM'));
    let out = '';
    service.stdout.on('data', (c) => (out += c));
    for (let i = 0; i < 200 && !out.includes('serve: listening'); i++) await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{
          articles(first: 10) { totalCount nodes { title publishedAt feed { title } foundations { slug } companies { slug } } }
          feeds(filter: { statuses: [FAILING] }) { nodes { url status errorCount lastError recentFetches(first: 1) { result httpStatus errorClass } } }
        }`,
      }),
    });
    const { data, errors } = (await res.json()) as any;
    expect(errors).toBeUndefined();
    expect(data.articles.totalCount).toBe(5);
    const dates = data.articles.nodes.map((a: any) => a.publishedAt);
    expect(dates).toEqual([...dates].sort().reverse());
    const renewals = data.articles.nodes.find((a: any) => a.title === 'Apple and Google renew their Platinum membership');
    expect(renewals).toMatchObject({ feed: { title: 'CNCF test feed' }, foundations: [{ slug: 'cncf' }], companies: expect.arrayContaining([{ slug: 'apple' }, { slug: 'google' }]) });
    const conference = data.articles.nodes.find((a: any) => a.title === 'Meta & NVIDIA at PyTorch Conference');
    expect(conference.foundations).toEqual([{ slug: 'pytorch-foundation' }]);
    expect(conference.companies.map((c: any) => c.slug).sort()).toEqual(['meta', 'nvidia']);
    expect(data.feeds.nodes).toEqual([
      {
        url: server.url('/gone.xml'),
        status: 'FAILING',
        errorCount: 1,
        lastError: 'fetch: HTTP 410 Gone',
        recentFetches: [{ result: 'ERROR', httpStatus: 410, errorClass: 'http' }],
      },
    ]);
  });

  it('removes an operator\'s feed with its articles, and disables a reference feed instead', async () => {
    const removed = await cli(['feeds', 'remove', server.url('/pytorch.atom')]);
    expect(removed.stdout).toContain('Removed');
    // The real reference data declares feeds: removing one of those disables it.
    // The real reference data (the default file).
    const real = { REFERENCE_DATA_PATH: undefined };
    const reference = await cli(['feeds', 'remove', 'https://www.cncf.io/feed/'], real);
    expect(reference.stdout).toContain('disabled instead of removed');
    const list = await cli(['feeds', 'list']);
    expect(list.stdout).not.toContain(server.url('/pytorch.atom'));
    expect(list.stdout).toMatch(/DISABLED\s+cncf .*https:\/\/www\.cncf\.io\/feed\//);
  });

  it('relinks every article after the reference data changed', async () => {
    const result = await cli(['relink']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Relinked 3 articles in \d+\.\d s\.\n$/);
  });
});

describe('a feed is found by any spelling of its URL', () => {
  // Its own database, so the articles fetched here do not change the counts above.
  const own = { DATABASE_PATH: path.join(dir, 'spellings.db') };
  const run = (args: string[]) => cli(args, own);
  let port: string;

  beforeAll(async () => {
    const spelled = await startFeedServer({ '/spelled.xml': serve(fixture('cncf-news.xml')) });
    port = new URL(spelled.url('/')).port;
    const added = await run(['feeds', 'add', `http://2130706433:${port}/spelled.xml`, '--foundation', 'cncf']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added http://127.0.0.1:${port}/spelled.xml (cncf)`);
  });

  it.each([
    ['as it was typed when added', () => `http://2130706433:${port}/spelled.xml`],
    ['as stored', () => `http://127.0.0.1:${port}/spelled.xml`],
    ['with an uppercase scheme and a hex host', () => `HTTP://0x7f.1:${port}/spelled.xml`],
    ['with an octal host and a dot segment', () => `http://0177.0.0.1:${port}/./spelled.xml`],
    ['with a short host', () => `http://127.1:${port}/spelled.xml`],
  ])('fetch --feed takes the URL %s', async (_label, url) => {
    const fetched = await run(['fetch', '--feed', url()]);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    // feeds, ok, not modified, failed: the one feed, fetched.
    expect(fetched.stdout.split('\n')[2].trim().split(/\s+/).map(Number).slice(0, 4)).toEqual([1, 1, 0, 0]);
  });

  it.each([
    ['an explicit default port and uppercase host', 'http://feeds.example.org:80/news.xml', 'HTTP://FEEDS.EXAMPLE.ORG/news.xml', 'http://FEEDS.example.org:80/./news.xml', 'http://feeds.example.org/a/../news.xml', 'http://feeds.example.org/news.xml'],
    ['https, :443 and a mixed-case host', 'https://Feeds.Example.org/n.xml', 'https://feeds.example.org:443/n.xml', 'HTTPS://FEEDS.EXAMPLE.ORG/n.xml', 'https://feeds.example.org/n.xml', 'https://feeds.example.org/n.xml'],
    ['a decimal IPv4 host', 'http://3232235777:8100/x.xml', 'http://192.168.1.1:8100/x.xml', 'http://0xc0.0xa8.1.1:8100/x.xml', 'http://192.168.257:8100/x.xml', 'http://192.168.1.1:8100/x.xml'],
  ])('feeds disable, enable and remove find a feed added with %s', async (_label, addAs, disableAs, enableAs, removeAs, stored) => {
    expect((await run(['feeds', 'add', addAs, '--foundation', 'openssf'])).stdout).toContain(`Added ${stored} (openssf)`);
    const disabled = await run(['feeds', 'disable', disableAs]);
    expect(disabled).toMatchObject({ code: 0, stdout: `${stored} is disabled.\n` });
    expect((await run(['feeds', 'list'])).stdout).toMatch(new RegExp(`DISABLED\\s+openssf .*${stored.replace(/[.?]/g, '\\$&')}`));
    const enabled = await run(['feeds', 'enable', enableAs]);
    expect(enabled).toMatchObject({ code: 0, stdout: `${stored} is enabled.\n` });
    const removed = await run(['feeds', 'remove', removeAs]);
    expect(removed).toMatchObject({ code: 0, stdout: `Removed ${stored} and its articles.\n` });
    expect((await run(['feeds', 'list'])).stdout).not.toContain(stored);
  });

  it('refuses a second add of the same feed spelled differently', async () => {
    const again = await run(['feeds', 'add', `HTTP://127.1:${port}/spelled.xml`, '--foundation', 'cncf']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`"http://127.0.0.1:${port}/spelled.xml" is already a feed`);
  });

  it.each([
    [['fetch', '--feed', 'ftp://feeds.example.org/x.xml'], 2, 'fetch: "ftp://feeds.example.org/x.xml" is not http or https: only those are fetched'],
    [['fetch', '--feed', 'feeds.example.org/x.xml'], 2, 'fetch: "feeds.example.org/x.xml" is not an absolute URL'],
    [['feeds', 'remove', 'not a url'], 2, 'feeds: "not a url" is not an absolute URL'],
    [['feeds', 'disable', 'http://feeds.example.org:80/never-added.xml'], 1, 'http://feeds.example.org/never-added.xml is not a feed.'],
  ])('%j exits %i: %s', async (args, code, message) => {
    const result = await run(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });
});
