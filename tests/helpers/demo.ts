import fs from 'node:fs';
import path from 'node:path';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { buildFeed } from './builders';
import { serve, startFeedServer } from './feed-server';
import { referenceStore } from './fresh-db';
import { testScheduler } from './scheduler';

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');

/** The demo feeds (fictional foundation news of 2026) and the foundation each belongs to. */
export const DEMO_FEEDS: Record<string, string> = {
  'cncf.xml': 'cncf',
  'openssf.xml': 'openssf',
  'pytorch.atom': 'pytorch-foundation',
  'linux-foundation.xml': 'linux-foundation',
  'apache.xml': 'apache',
  'rust-foundation.atom': 'rust-foundation',
};

/**
 * A database filled by the real ingestion pipeline: the reference data, and the demo feeds served
 * on 127.0.0.1 and fetched once (the reference feeds, on the internet, are disabled).
 */
export async function demoStore(options: Parameters<typeof referenceStore>[0] = {}): Promise<{ store: SqliteStore; feedUrls: Record<string, string> }> {
  const store = await referenceStore(options);
  store.db.prepare('UPDATE feeds SET disabled_at = 1').run();
  const server = await startFeedServer();
  const feedUrls: Record<string, string> = {};
  for (const [file, foundation] of Object.entries(DEMO_FEEDS)) {
    server.route(`/${file}`, serve(fs.readFileSync(path.join(DEMO, file)), { 'content-type': 'application/xml' }));
    feedUrls[file] = server.url(`/${file}`);
    buildFeed(store, { url: feedUrls[file], foundation, title: `Demo: ${foundation}` });
  }
  const scheduler = testScheduler(store);
  const reports = await scheduler.runOnce({ all: true });
  const failed = reports.filter((r) => r.result === 'error');
  if (failed.length > 0) throw new Error(`demo feeds failed: ${failed.map((r) => `${r.url}: ${r.error}`).join('; ')}`);
  return { store, feedUrls };
}
