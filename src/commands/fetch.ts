import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { createFetcher } from '../ingest/fetch';
import { loadLinker } from '../ingest/link';
import type { RefreshReport } from '../ingest/refresh-feed';
import type { Logger } from '../log';
import { openReadyStore } from '../main';
import { FeedUrlError, normalizeFeedUrl } from '../store/feed-url';
import { Scheduler, type FetchSelection } from '../scheduler/scheduler';
import { table } from './table';

/**
 * `foundation-wire fetch [--all | --feed URL]`: fetches the due feeds (or all, or one) once and
 * prints a summary. Failing feeds are reported, not fatal: the exit code is non-zero only when the
 * command itself cannot run.
 */
export async function fetchCommand(args: string[], config: Config, log: Logger): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean' }, feed: { type: 'string' } } });
  // Normalised as `feeds add` stored it, so the URL can be given as it was typed there.
  let feedUrl: string | undefined;
  try {
    feedUrl = values.feed === undefined ? undefined : normalizeFeedUrl(values.feed);
  } catch (err) {
    if (!(err instanceof FeedUrlError)) throw err;
    process.stderr.write(`fetch: ${err.reason}\n`);
    return 2;
  }
  const selection: FetchSelection = feedUrl ? { url: feedUrl } : values.all ? { all: true } : { due: true };
  const store = await openReadyStore(config, log);
  const progress = process.stderr.isTTY;
  let done = 0;
  // In this process: nothing else runs here for it to stall.
  const fetcher = createFetcher(config);
  const scheduler = new Scheduler({
    store,
    fetcher,
    loadLinker: () => loadLinker(store),
    config,
    log,
    onReport: (report) => {
      done++;
      if (progress) process.stderr.write(`[${done}] ${describe(report)}\n`);
    },
  });
  try {
    if (feedUrl && !(await store.getFeedByUrl(feedUrl))) {
      process.stderr.write(`fetch: ${feedUrl} is not a feed; add it with \`foundation-wire feeds add ${feedUrl} --foundation SLUG\`\n`);
      return 1;
    }
    const reports = await scheduler.runOnce(selection);
    process.stdout.write(summary(reports));
    const failed = reports.filter((r) => r.result === 'error');
    if (failed.length > 0) {
      process.stdout.write(`\nFailed feeds:\n${table(['feed', 'error'], failed.map((r) => [r.url, r.error ?? '']))}`);
    }
    return 0;
  } finally {
    await scheduler.stop();
    await fetcher.close();
    await store.close();
  }
}

function describe(report: RefreshReport): string {
  const what =
    report.result === 'error' ? `failed: ${report.error}` : report.result === 'not_modified' ? 'not modified' : `${report.newCount} new, ${report.updatedCount} updated`;
  return `${report.url}: ${what}`;
}

export function summary(reports: RefreshReport[]): string {
  const count = (f: (r: RefreshReport) => boolean) => reports.filter(f).length;
  const sum = (f: (r: RefreshReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return table(
    ['feeds', 'ok', 'not modified', 'failed', 'articles new', 'articles updated'],
    [
      [
        reports.length,
        count((r) => r.result === 'new' || r.result === 'updated' || r.result === 'unchanged'),
        count((r) => r.result === 'not_modified'),
        count((r) => r.result === 'error'),
        sum((r) => r.newCount),
        sum((r) => r.updatedCount),
      ],
    ],
  );
}
