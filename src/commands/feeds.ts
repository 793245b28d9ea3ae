import { parseArgs } from 'node:util';
import type { Config } from '../config';
import type { Logger } from '../log';
import { openReadyStore } from '../main';
import { FeedUrlError, normalizeFeedUrl } from '../store/feed-url';
import type { Store } from '../store/store';
import { formatTime, table } from './table';
import { UsageError } from './usage';

class FeedsUsageError extends UsageError {
  constructor(message: string) {
    super('feeds', message);
  }
}

/** `foundation-wire feeds ...`: the operator's view of the feeds. */
export async function feedsCommand(args: string[], config: Config, log: Logger): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { foundation: { type: 'string' }, title: { type: 'string' } },
  });
  if (!action || !['list', 'add', 'remove', 'disable', 'enable'].includes(action)) throw new FeedsUsageError(action ? `unknown action "${action}"` : 'an action is needed');
  if (action !== 'list' && positionals.length !== 1) throw new FeedsUsageError(`${action} needs one feed URL`);
  if (action === 'add' && !values.foundation) throw new FeedsUsageError('add needs --foundation SLUG');
  // Feeds are known by their normalised URL: any spelling of it (2130706433 for 127.0.0.1, HTTP://,
  // an explicit :80) names the same feed here as in `fetch --feed`.
  const url = action === 'list' ? '' : feedUrl(positionals[0]);
  const store = await openReadyStore(config, log);
  try {
    switch (action) {
      case 'list':
        return await list(store);
      case 'add':
        return await add(store, url, values.foundation!, values.title);
      case 'remove': {
        const outcome = await store.removeFeed(url);
        const message = {
          deleted: `Removed ${url} and its articles.\n`,
          disabled: `${url} comes from the reference data: disabled instead of removed (it would come back at the next start).\n`,
          not_found: `${url} is not a feed.\n`,
        }[outcome];
        (outcome === 'not_found' ? process.stderr : process.stdout).write(message);
        return outcome === 'not_found' ? 1 : 0;
      }
      default: {
        const feed = await store.setFeedDisabled(url, action === 'disable');
        if (!feed) {
          process.stderr.write(`${url} is not a feed.\n`);
          return 1;
        }
        process.stdout.write(`${feed.url} is ${feed.status === 'DISABLED' ? 'disabled' : 'enabled'}.\n`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}

async function list(store: Store): Promise<number> {
  const feeds = await store.listFeeds({}, { orderBy: 'URL', direction: 'ASC', limit: 100_000, backward: false });
  const foundations = await store.getFoundations([...new Set(feeds.edges.map((e) => e.node.foundationId).filter((id): id is number => id !== null))]);
  const slugById = new Map(foundations.filter((f) => f !== null).map((f) => [f!.id, f!.slug]));
  const counts = await store.countArticlesOfFeeds(feeds.edges.map((e) => e.node.id));
  process.stdout.write(
    table(
      ['status', 'foundation', 'articles', 'last fetched (UTC)', 'next fetch (UTC)', 'errors', 'url'],
      feeds.edges.map(({ node }, i) => [
        node.status,
        node.foundationId === null ? '-' : (slugById.get(node.foundationId) ?? '-'),
        counts[i],
        formatTime(node.lastFetchedAt),
        formatTime(node.disabledAt === null ? node.nextFetchAt : null),
        node.errorCount > 0 ? `${node.errorCount}: ${node.lastError ?? ''}` : '0',
        node.url,
      ]),
    ),
  );
  return 0;
}

/** The feed URL as typed, normalised as the store keys feeds; a usage error when it cannot be a feed. */
function feedUrl(text: string): string {
  try {
    return normalizeFeedUrl(text);
  } catch (err) {
    if (err instanceof FeedUrlError) throw new FeedsUsageError(err.reason);
    throw err;
  }
}

async function add(store: Store, url: string, foundationSlug: string, title: string | undefined): Promise<number> {
  const [foundation] = await store.getFoundationsBySlug([foundationSlug]);
  if (!foundation) throw new FeedsUsageError(`unknown foundation "${foundationSlug}"`);
  const feed = await store.addFeed({ url, foundationId: foundation.id, title: title ?? null });
  process.stdout.write(`Added ${feed.url} (${foundation.slug}); it will be fetched by the next \`fetch\` or by the service's scheduler.\n`);
  return 0;
}
