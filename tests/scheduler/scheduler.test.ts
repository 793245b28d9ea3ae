import type { Scheduler } from '../../src/scheduler/scheduler';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildFeed } from '../helpers/builders';
import { fixture, startFeedServer, type FeedServer } from '../helpers/feed-server';
import { freshStore, referenceStore } from '../helpers/fresh-db';
import { testScheduler } from '../helpers/scheduler';

let server: FeedServer;
const inFlight = new Map<string, number>();
const peakByHost = new Map<string, number>();

beforeAll(async () => {
  server = await startFeedServer();
  // Every /feed-N.xml answers after 30 ms, counting requests in flight per Host header.
  for (let i = 0; i < 12; i++) {
    server.route(`/feed-${i}.xml`, async (req, res) => {
      const host = String(req.headers.host).split(':')[0];
      inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
      peakByHost.set(host, Math.max(peakByHost.get(host) ?? 0, inFlight.get(host)!));
      await new Promise((r) => setTimeout(r, 30));
      inFlight.set(host, inFlight.get(host)! - 1);
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('cncf-news.xml').toString().replace(/cncf-2026-/g, `f${i}-`));
    });
  }
});

function scheduler(store: SqliteStore, now?: () => number): Scheduler {
  return testScheduler(store, { now, random: () => 0.5 });
}

/** Twelve feeds on two host names of the same server: 127.0.0.1 and localhost. */
function addFeeds(store: SqliteStore): string[] {
  return Array.from({ length: 12 }, (_, i) => {
    const url = server.url(`/feed-${i}.xml`).replace(i % 2 ? '127.0.0.1' : '\u0000', 'localhost');
    buildFeed(store, { url, foundation: 'cncf' });
    return url;
  });
}

describe('the scheduler', () => {
  it('fetches every due feed once, at most one request at a time per host', async () => {
    const store = await referenceStore();
    store.db.prepare('UPDATE feeds SET disabled_at = 1').run(); // the reference feeds are on the internet
    const urls = addFeeds(store);
    inFlight.clear();
    peakByHost.clear();
    const reports = await scheduler(store).runOnce({ due: true });
    expect(reports.map((r) => r.url).sort()).toEqual([...urls].sort());
    expect(reports.every((r) => r.result === 'new' && r.newCount === 3)).toBe(true);
    expect([...peakByHost.keys()].sort()).toEqual(['127.0.0.1', 'localhost']);
    expect(Math.max(...peakByHost.values())).toBe(1);
  });

  it('resumes from the schedule stored in the database: nothing is due right after a round', async () => {
    const store = await referenceStore();
    store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
    addFeeds(store);
    await scheduler(store).runOnce({ due: true });
    // A new scheduler (a restart) on the same database.
    const requestsBefore = server.requests.length;
    expect(await scheduler(store).runOnce({ due: true })).toEqual([]);
    expect(server.requests.length).toBe(requestsBefore);
    // --all ignores the schedule; --feed fetches one.
    expect(await scheduler(store).runOnce({ all: true })).toHaveLength(12);
    const one = await scheduler(store).runOnce({ url: server.url('/feed-0.xml') });
    expect(one.map((r) => r.result)).toEqual(['unchanged']);
  });

  it('skips disabled feeds, and runs in the background until stopped', async () => {
    const store = freshStore();
    const url = server.url('/feed-3.xml');
    buildFeed(store, { url });
    buildFeed(store, { url: server.url('/feed-4.xml') });
    await store.setFeedDisabled(server.url('/feed-4.xml'), true);
    const background = scheduler(store);
    background.start();
    for (let i = 0; i < 100 && (await store.getFeedByUrl(url))!.status === 'NEW'; i++) await new Promise((r) => setTimeout(r, 20));
    await background.stop();
    expect((await store.getFeedByUrl(url))!.status).toBe('OK');
    expect((await store.getFeedByUrl(server.url('/feed-4.xml')))!.status).toBe('DISABLED');
    expect(store.db.prepare('SELECT COUNT(*) FROM articles').pluck().get()).toBe(3);
  });
});
