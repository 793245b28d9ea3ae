import fs from 'node:fs';
import client from 'prom-client';
import type { RequestOutcome } from '../graphql/executor';
import type { Logger } from '../log';
import type { FetchSummary } from '../scheduler/scheduler-thread';
import type { Store } from '../store/store';
import type { FeedStatus } from '../store/types';


/** Operation names kept as label values; later new names count as `(other)`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Error codes kept as outcome labels: the API's own and Apollo's; anything else is `other_error`. */
const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TIMEOUT',
  'QUERY_TOO_LONG',
  'QUERY_TOO_MANY_TOKENS',
  'QUERY_TOO_MANY_ALIASES',
  'QUERY_TOO_MANY_DIRECTIVES',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'QUERY_REFUSED',
  'INTERNAL_SERVER_ERROR',
  'SERVER_BUSY',
]);
const FEED_STATUSES: FeedStatus[] = ['NEW', 'OK', 'FAILING', 'DISABLED'];
/** The routes requests are timed by (any other path is `other`). */
export const ROUTES = new Set(['/graphql', '/explorer', '/healthz', '/readyz', '/metrics']);

/**
 * The service's Prometheus metrics (prom-client), served at /metrics. Label values are bounded: the
 * route from a fixed list, GraphQL operation names only while fewer than MAX_OPERATION_NAMES have
 * been seen (never the query text), outcomes from a fixed list of codes. Counts that live in the
 * database (articles, feeds by status, how late the most overdue feed is, the file's size) are read
 * when Prometheus scrapes; a read that fails leaves its gauge out of that scrape and is logged.
 */
export class ServiceMetrics {
  readonly registry = new client.Registry();
  private readonly requestSeconds: client.Histogram<'route'>;
  private readonly graphqlRequests: client.Counter<'operation' | 'outcome'>;
  private readonly cacheLookups: client.Counter<'result'>;
  private readonly operations = new Set<string>();
  private readonly fetches: client.Counter<'result'>;
  private readonly fetchSeconds: client.Histogram;
  private readonly articlesStored: client.Counter;

  constructor(options: { store: Store; databasePath: string; log: Logger; now?: () => number }) {
    const { store, databasePath, log } = options;
    const now = options.now ?? Date.now;
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    this.requestSeconds = new client.Histogram({
      name: 'foundation_wire_http_request_duration_seconds',
      help: 'Time from a request to the end of its response, by route',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.graphqlRequests = new client.Counter({
      name: 'foundation_wire_graphql_requests_total',
      help: 'GraphQL requests executed (not answered from the response cache), by operation name and outcome (ok, or the first error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.cacheLookups = new client.Counter({
      name: 'foundation_wire_response_cache_lookups_total',
      help: 'GraphQL requests looked up in the response cache, by result (hit or miss)',
      labelNames: ['result'],
      registers,
    });
    this.fetches = new client.Counter({
      name: 'foundation_wire_fetches_total',
      help: 'Feed refreshes by the service, by result (new, updated, unchanged, not_modified, error)',
      labelNames: ['result'],
      registers,
    });
    this.fetchSeconds = new client.Histogram({
      name: 'foundation_wire_fetch_duration_seconds',
      help: 'Time of one feed refresh, from the request to the parsed and linked articles (the save not included)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.articlesStored = new client.Counter({
      name: 'foundation_wire_articles_stored_total',
      help: 'New articles stored by the service',
      registers,
    });
    // prom-client calls `collect` with the metric as `this`.
    const guarded = <M>(what: string, read: (this: M) => Promise<void>) =>
      async function (this: M) {
        try {
          await read.call(this);
        } catch (err) {
          log.warn({ err }, `metrics: unable to read ${what}; it is left out of this scrape`);
        }
      };
    new client.Gauge({
      name: 'foundation_wire_articles',
      help: 'Articles stored',
      registers,
      collect: guarded('the article count', async function (this: client.Gauge) {
        this.set((await store.countArticles({})).count);
      }),
    });
    new client.Gauge({
      name: 'foundation_wire_feeds',
      help: 'Feeds by status (NEW: never fetched, OK, FAILING: last fetch failed, DISABLED)',
      labelNames: ['status'],
      registers,
      collect: guarded('the feed counts', async function (this: client.Gauge<'status'>) {
        const counts = await Promise.all(FEED_STATUSES.map((status) => store.countFeeds({ statuses: [status] })));
        FEED_STATUSES.forEach((status, i) => this.set({ status }, counts[i]));
      }),
    });
    new client.Gauge({
      name: 'foundation_wire_scheduler_lag_seconds',
      help: 'How late the most overdue enabled feed is for its fetch (0 when none is due)',
      registers,
      collect: guarded('the next scheduled fetch', async function (this: client.Gauge) {
        const next = await store.nextScheduledFetch();
        this.set(next === null ? 0 : Math.max(0, (now() - next) / 1000));
      }),
    });
    new client.Gauge({
      name: 'foundation_wire_database_bytes',
      help: 'Size of the database file and its write-ahead log',
      registers,
      collect: guarded('the database file size', async function (this: client.Gauge) {
        let bytes = (await fs.promises.stat(databasePath)).size;
        bytes += await fs.promises.stat(`${databasePath}-wal`).then((s) => s.size, () => 0);
        this.set(bytes);
      }),
    });
  }

  /** Times a request from now to the end of its response. */
  timeRequest(route: string): () => void {
    return this.requestSeconds.startTimer({ route: ROUTES.has(route) ? route : 'other' });
  }

  /** One feed refreshed by the scheduler thread. */
  fetched(fetch: FetchSummary): void {
    this.fetches.inc({ result: fetch.result });
    this.fetchSeconds.observe(fetch.durationMs / 1000);
    if (fetch.newCount > 0) this.articlesStored.inc(fetch.newCount);
  }

  cacheLookup(hit: boolean): void {
    this.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  }

  graphqlRequest(outcome: RequestOutcome | null, status: number): void {
    const code = outcome ? outcome.errorCode : status >= 400 ? 'BAD_REQUEST' : null;
    this.graphqlRequests.inc({
      operation: this.operationLabel(outcome?.operation ?? null),
      outcome: code === null ? 'ok' : KNOWN_CODES.has(code) ? code : 'other_error',
    });
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private operationLabel(name: string | null): string {
    if (name === null) return '(anonymous)';
    if (!OPERATION_NAME.test(name)) return '(other)';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_NAMES) return '(other)';
    this.operations.add(name);
    return name;
  }
}
