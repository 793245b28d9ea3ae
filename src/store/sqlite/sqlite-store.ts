import { BadInputError, StoreError, describeError, quote } from '../../errors';
import type { ReferenceData } from '../../reference/schema';
import { feedUrlKey, normalizeFeedUrl } from '../feed-url';
import type { Page, PageRequest } from '../paging';
import type {
  ArticleCount,
  ArticleCountBucket,
  ArticleDimension,
  ArticleFilter,
  ArticleOrderField,
  ArticleParent,
  ArticleSeries,
  CompanyFilter,
  CompanyOrderField,
  FeedFilter,
  FeedOrderField,
  FoundationFilter,
  FoundationOrderField,
  MembershipFilter,
  MembershipOrderField,
  MembershipParent,
  ReferenceLoadResult,
  Store,
} from '../store';
import type {
  ArticleFoundationLink,
  ArticleRecord,
  CompanyRecord,
  EnclosureRecord,
  EntityDictionary,
  FeedRecord,
  FetchLogRecord,
  FetchOutcome,
  FoundationRecord,
  MembershipRecord,
  MentionRecord,
  Mentions,
  SavedFetch,
} from '../types';
import { Bucketer, articleTimeline, countArticlesBy } from './analytics';
import { ArticleQueries, DIM } from './article-queries';
import { FetchOutcomeWriter } from './ingest-writes';
import { runCount, runPage, runPartitionedCount, runPartitionedPage, type ListSpec, type Partition } from './keyset';
import { migrate, readMigrations, type MigrationResult } from './migrate';
import { openDatabase, type Db } from './open';
import { upsertReferenceData } from './reference';
import {
  ARTICLE_COLUMNS,
  COMPANY_COLUMNS,
  FEED_COLUMNS,
  FOUNDATION_COLUMNS,
  MEMBERSHIP_COLUMNS,
  articleFilterSql,
  companySpec,
  feedPartition,
  feedSpec,
  foundationSpec,
  membershipPartition,
  membershipSpec,
} from './specs';
import { Statements, inList, jsonList } from './statements';

export interface SqliteStoreOptions {
  path: string;
  busyTimeoutMs: number;
  migrationsDir: string;
  /** Called with every SQL statement run (tests count queries with it). */
  onStatement?: (sql: string) => void;
  now?: () => number;
  /** How long fetch log lines are kept (default 30 days). */
  fetchLogRetentionMs?: number;
  /** WRITE_TRANSACTION_MAX: longest one transaction of a feed save runs (default 100 ms); a bigger feed is saved in several. */
  writeTransactionMaxMs?: number;
  /** Most articles counted for a count no aggregate answers (default 1,000): past it the count is a lower bound. */
  countMax?: number;
  /** How many of the newest matches a search ranks (default 1,000). */
  searchMaxCandidates?: number;
}

/**
 * The SQLite implementation of the Store. better-sqlite3 is synchronous: each method but
 * saveFetchOutcome runs to completion inside one event-loop turn, so it is atomic with respect to
 * other callers of this process, and a method that writes wraps its statements in one transaction.
 * saveFetchOutcome writes in bounded transactions, the feed's state last (ingest-writes.ts). In
 * `serve`, reads run on read-only instances in worker threads (pooled-store.ts).
 */
export class SqliteStore implements Store {
  private readonly statements: Statements;
  private readonly now: () => number;
  private readonly writer: FetchOutcomeWriter;
  private readonly bucketer: Bucketer;
  private readonly articles: ArticleQueries;

  private constructor(
    readonly db: Db,
    readonly migration: MigrationResult,
    options: SqliteStoreOptions,
  ) {
    this.statements = new Statements(db);
    this.now = options.now ?? Date.now;
    this.writer = new FetchOutcomeWriter(db, this.statements, options.fetchLogRetentionMs ?? 30 * 86_400_000, {
      maxTransactionMs: options.writeTransactionMaxMs ?? 100,
    });
    this.bucketer = new Bucketer(db);
    this.articles = new ArticleQueries(this.statements, {
      countMax: options.countMax ?? 1000,
      searchMaxCandidates: options.searchMaxCandidates ?? 1000,
    });
  }

  /** Opens the database file and brings its schema up to date (refusing edited or unknown migrations). */
  static open(options: SqliteStoreOptions): SqliteStore {
    const db = openDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs, onStatement: options.onStatement });
    try {
      const result = migrate(db, readMigrations(options.migrationsDir), options.now);
      return new SqliteStore(db, result, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Opens the database file read-only, as the writer's connection left it (migrated, in WAL mode, so
   * this connection reads beside the writer and other readers without waiting): a read worker's
   * connection (read-pool.ts). It never migrates; its write methods fail with SQLITE_READONLY.
   */
  static openReader(options: SqliteStoreOptions): SqliteStore {
    const db = openDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs, onStatement: options.onStatement, readonly: true });
    try {
      const migrated = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get();
      if (migrated === undefined) {
        throw new StoreError('DB_NOT_MIGRATED', `store: unable to read ${options.path}: it has no schema yet (open it for writing first, which migrates it)`);
      }
      const current = db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number;
      return new SqliteStore(db, { applied: [], current }, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async ping(): Promise<void> {
    this.statements.get('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Refreshes the query planner's statistics where they drifted (cheap; SQLite's advice for
    // long-lived connections). A read-only connection cannot write them.
    if (!this.db.readonly) {
      this.db.pragma('optimize');
      // Everything in the write-ahead log goes into the database file, and the log is emptied: the
      // file alone is the database (a copy, a backup tool, the next start read no log). Another
      // process reading keeps the log's frames it needs; then this does what it can, and the last
      // connection to close finishes it.
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // busy: see above
      }
    }
    this.db.close();
  }

  async loadReferenceData(data: ReferenceData): Promise<ReferenceLoadResult> {
    try {
      return this.db.transaction(() => upsertReferenceData(this.db, data, this.now())).immediate();
    } catch (err) {
      throw new StoreError('REFERENCE_LOAD_FAILED', `store: unable to load reference data (nothing was changed): ${describeError(err)}`, {
        cause: err,
      });
    }
  }

  // Foundations

  async getFoundations(ids: readonly number[]): Promise<(FoundationRecord | null)[]> {
    return this.byKey<FoundationRecord>(`SELECT ${FOUNDATION_COLUMNS} FROM foundations f WHERE ${inList('f.id')}`, ids, 'id');
  }

  async getFoundationsBySlug(slugs: readonly string[]): Promise<(FoundationRecord | null)[]> {
    return this.byKey<FoundationRecord>(`SELECT ${FOUNDATION_COLUMNS} FROM foundations f WHERE ${inList('f.slug')}`, slugs, 'slug');
  }

  async listFoundations(filter: FoundationFilter, page: PageRequest<FoundationOrderField>): Promise<Page<FoundationRecord>> {
    return this.page(foundationSpec(filter, page.orderBy), page);
  }

  async countFoundations(filter: FoundationFilter): Promise<number> {
    return runCount(this.statements, foundationSpec(filter, 'NAME'));
  }

  async listChildFoundationsOf(parentIds: readonly number[]): Promise<FoundationRecord[][]> {
    // Index foundations_parent.
    const sql = `SELECT ${FOUNDATION_COLUMNS} FROM foundations f WHERE ${inList('f.parent_id')} ORDER BY f.name COLLATE NOCASE, f.id`;
    return this.groupBy<FoundationRecord>(sql, parentIds, 'parentId');
  }

  async listTiersOf(foundationIds: readonly number[]): Promise<string[][]> {
    const sql = `SELECT foundation_id AS parent, name AS value FROM foundation_tiers WHERE ${inList('foundation_id')} ORDER BY rank, name`;
    return this.valuesBy(sql, foundationIds);
  }

  async listFoundationAliasesOf(foundationIds: readonly number[]): Promise<string[][]> {
    const sql = `SELECT foundation_id AS parent, alias AS value FROM foundation_aliases WHERE ${inList('foundation_id')} ORDER BY alias`;
    return this.valuesBy(sql, foundationIds);
  }

  // Companies

  async getCompanies(ids: readonly number[]): Promise<(CompanyRecord | null)[]> {
    return this.byKey<CompanyRecord>(`SELECT ${COMPANY_COLUMNS} FROM companies c WHERE ${inList('c.id')}`, ids, 'id');
  }

  async getCompaniesBySlug(slugs: readonly string[]): Promise<(CompanyRecord | null)[]> {
    return this.byKey<CompanyRecord>(`SELECT ${COMPANY_COLUMNS} FROM companies c WHERE ${inList('c.slug')}`, slugs, 'slug');
  }

  async listCompanies(filter: CompanyFilter, page: PageRequest<CompanyOrderField>): Promise<Page<CompanyRecord>> {
    return this.page(companySpec(filter, page.orderBy), page);
  }

  async countCompanies(filter: CompanyFilter): Promise<number> {
    return runCount(this.statements, companySpec(filter, 'NAME'));
  }

  async listSubsidiariesOf(parentIds: readonly number[]): Promise<CompanyRecord[][]> {
    const sql = `SELECT ${COMPANY_COLUMNS} FROM companies c WHERE ${inList('c.parent_id')} ORDER BY c.name COLLATE NOCASE, c.id`;
    return this.groupBy<CompanyRecord>(sql, parentIds, 'parentId');
  }

  async listCompanyAliasesOf(companyIds: readonly number[]): Promise<string[][]> {
    const sql = `SELECT company_id AS parent, alias AS value FROM company_aliases WHERE ${inList('company_id')} ORDER BY alias`;
    return this.valuesBy(sql, companyIds);
  }

  // Memberships

  async getMemberships(ids: readonly number[]): Promise<(MembershipRecord | null)[]> {
    return this.byKey<MembershipRecord>(`SELECT ${MEMBERSHIP_COLUMNS} FROM memberships m WHERE ${inList('m.id')}`, ids, 'id');
  }

  async listMemberships(filter: MembershipFilter, page: PageRequest<MembershipOrderField>): Promise<Page<MembershipRecord>> {
    return this.page(membershipSpec(filter, page.orderBy), page);
  }

  async countMemberships(filter: MembershipFilter): Promise<number> {
    return runCount(this.statements, membershipSpec(filter, 'COMPANY_NAME'));
  }

  async listMembershipsOf(
    parent: MembershipParent,
    parentIds: readonly number[],
    filter: MembershipFilter,
    page: PageRequest<MembershipOrderField>,
  ): Promise<Page<MembershipRecord>[]> {
    return this.partitionedPage(membershipSpec(filter, page.orderBy), membershipPartition(parent, parentIds), page);
  }

  async countMembershipsOf(parent: MembershipParent, parentIds: readonly number[], filter: MembershipFilter): Promise<number[]> {
    return runPartitionedCount(this.statements, membershipSpec(filter, 'COMPANY_NAME'), membershipPartition(parent, parentIds));
  }

  // Feeds

  async getFeeds(ids: readonly number[]): Promise<(FeedRecord | null)[]> {
    return this.byKey<FeedRecord>(`SELECT ${FEED_COLUMNS} FROM feeds fd WHERE ${inList('fd.id')}`, ids, 'id');
  }

  async listFeeds(filter: FeedFilter, page: PageRequest<FeedOrderField>): Promise<Page<FeedRecord>> {
    return this.page(feedSpec(filter, page.orderBy), page);
  }

  async countFeeds(filter: FeedFilter): Promise<number> {
    return runCount(this.statements, feedSpec(filter, 'URL'));
  }

  async listFeedsOf(foundationIds: readonly number[], filter: FeedFilter, page: PageRequest<FeedOrderField>): Promise<Page<FeedRecord>[]> {
    return this.partitionedPage(feedSpec(filter, page.orderBy), feedPartition(foundationIds), page);
  }

  async countFeedsOf(foundationIds: readonly number[], filter: FeedFilter): Promise<number[]> {
    return runPartitionedCount(this.statements, feedSpec(filter, 'URL'), feedPartition(foundationIds));
  }

  async countArticlesOfFeeds(feedIds: readonly number[]): Promise<number[]> {
    // Primary key of article_totals (dim 3: feeds), kept by triggers (migration 0004).
    const sql = `SELECT key AS parent, n AS value FROM article_totals WHERE dim = ${DIM.feed} AND ${inList('key')}`;
    const rows = this.statements.get(sql).all(jsonList(feedIds)) as { parent: number; value: number }[];
    const counts = new Map(rows.map((r) => [r.parent, r.value]));
    return feedIds.map((id) => counts.get(id) ?? 0);
  }

  // Articles

  async getArticles(ids: readonly number[]): Promise<(ArticleRecord | null)[]> {
    return this.byKey<ArticleRecord>(`SELECT ${ARTICLE_COLUMNS} FROM articles a WHERE ${inList('a.id')}`, ids, 'id');
  }

  async listArticles(filter: ArticleFilter, page: PageRequest<ArticleOrderField>): Promise<Page<ArticleRecord>> {
    return this.articles.list(filter, page);
  }

  async countArticles(filter: ArticleFilter): Promise<ArticleCount> {
    return this.articles.count(filter);
  }

  async listArticlesOf(
    parent: ArticleParent,
    parentIds: readonly number[],
    filter: ArticleFilter,
    page: PageRequest<ArticleOrderField>,
  ): Promise<Page<ArticleRecord>[]> {
    // One page per parent, each from its own index range (a window over every parent's articles
    // would number all of them).
    return parentIds.map((id) => this.articles.list(withArticleParent(filter, parent, id), page));
  }

  async countArticlesOf(parent: ArticleParent, parentIds: readonly number[], filter: ArticleFilter): Promise<ArticleCount[]> {
    return parentIds.map((id) => this.articles.count(withArticleParent(filter, parent, id)));
  }

  async listFoundationLinksOf(articleIds: readonly number[]): Promise<ArticleFoundationLink[][]> {
    const sql = `
      SELECT a.id AS articleId, fd.foundation_id AS foundationId, 1 AS viaFeed,
             COALESCE(m.mention_count, 0) AS mentionCount, COALESCE(m.in_title, 0) AS inTitle
        FROM articles a
        JOIN feeds fd ON fd.id = a.feed_id
        LEFT JOIN article_foundation_mentions m ON m.article_id = a.id AND m.foundation_id = fd.foundation_id
       WHERE ${inList('a.id')} AND fd.foundation_id IS NOT NULL
      UNION ALL
      SELECT m.article_id, m.foundation_id, 0, m.mention_count, m.in_title
        FROM article_foundation_mentions m
        JOIN articles a ON a.id = m.article_id
        JOIN feeds fd ON fd.id = a.feed_id
       WHERE ${inList('m.article_id')} AND m.foundation_id IS NOT fd.foundation_id
      ORDER BY articleId, viaFeed DESC, mentionCount DESC, foundationId`;
    const ids = jsonList(articleIds);
    const rows = this.statements.get(sql).all(ids, ids) as (Omit<ArticleFoundationLink, 'viaFeed' | 'inTitle'> & {
      viaFeed: number;
      inTitle: number;
    })[];
    return alignGroups(
      articleIds,
      rows.map((r) => ({ ...r, viaFeed: r.viaFeed === 1, inTitle: r.inTitle === 1 })),
      'articleId',
    );
  }

  async listCompanyMentionsOf(articleIds: readonly number[]): Promise<MentionRecord[][]> {
    const sql = `SELECT article_id AS articleId, company_id AS entityId, mention_count AS mentionCount, in_title AS inTitle
      FROM article_company_mentions WHERE ${inList('article_id')}
      ORDER BY article_id, in_title DESC, mention_count DESC, company_id`;
    const rows = this.statements.get(sql).all(jsonList(articleIds)) as (Omit<MentionRecord, 'inTitle'> & { inTitle: number })[];
    return alignGroups(articleIds, rows.map((r) => ({ ...r, inTitle: r.inTitle === 1 })), 'articleId');
  }

  async listEnclosuresOf(articleIds: readonly number[]): Promise<EnclosureRecord[][]> {
    const sql = `SELECT article_id AS articleId, url, mime_type AS type, length FROM article_enclosures
      WHERE ${inList('article_id')} ORDER BY article_id, position`;
    const rows = this.statements.get(sql).all(jsonList(articleIds)) as (EnclosureRecord & { articleId: number })[];
    return alignGroups(articleIds, rows, 'articleId').map((group) => group.map(({ url, type, length }) => ({ url, type, length })));
  }

  async listStoryArticlesOf(articleIds: readonly number[]): Promise<ArticleRecord[][]> {
    // The story's root is the first article with the canonical URL; the others point at it (story_id).
    // Indexes: the primary key and articles_story.
    const sql = `SELECT q.self AS __self, ${ARTICLE_COLUMNS}
      FROM (SELECT id AS self, COALESCE(story_id, id) AS root FROM articles WHERE ${inList('id')}) q
      JOIN articles a ON (a.id = q.root OR a.story_id = q.root) AND a.id <> q.self
      ORDER BY q.self, a.id`;
    const rows = this.statements.get(sql).all(jsonList(articleIds)) as (ArticleRecord & { __self?: number })[];
    const grouped = alignGroups(articleIds, rows as (ArticleRecord & { __self: number })[], '__self');
    for (const group of grouped) for (const row of group) delete (row as { __self?: number }).__self;
    return grouped;
  }

  // Dashboards

  async countArticlesBy(filter: ArticleFilter, by: ArticleDimension, limit: number, activeOn: string): Promise<ArticleCountBucket[]> {
    return countArticlesBy(this.statements, this.articles, filter, by, limit, activeOn);
  }

  async articleTimeline(
    filter: ArticleFilter,
    boundaries: readonly number[],
    by: ArticleDimension | null,
    limit: number,
    activeOn: string,
  ): Promise<ArticleSeries[]> {
    return articleTimeline(this.statements, this.bucketer, this.articles, filter, boundaries, by, limit, activeOn);
  }

  async listCoMentionedCompaniesOf(companyIds: readonly number[], limit: number): Promise<{ companyId: number; count: number }[][]> {
    // Index article_company_mentions_company for m1, then the primary key (article_id, company_id) for m2.
    const sql = `SELECT parent, companyId, count FROM (
        SELECT m1.company_id AS parent, m2.company_id AS companyId, COUNT(*) AS count,
               ROW_NUMBER() OVER (PARTITION BY m1.company_id ORDER BY COUNT(*) DESC, m2.company_id) AS rn
          FROM article_company_mentions m1
          JOIN article_company_mentions m2 ON m2.article_id = m1.article_id AND m2.company_id <> m1.company_id
         WHERE ${inList('m1.company_id')}
         GROUP BY m1.company_id, m2.company_id)
      WHERE rn <= ? ORDER BY parent, rn`;
    const rows = this.statements.get(sql).all(jsonList(companyIds), limit) as { parent: number; companyId: number; count: number }[];
    return alignGroups(companyIds, rows, 'parent').map((group) => group.map(({ companyId, count }) => ({ companyId, count })));
  }

  // Live updates and caching

  async latestArticleId(): Promise<number> {
    return this.statements.get('SELECT COALESCE(MAX(id), 0) FROM articles').pluck().get() as number;
  }

  async listArticleIdsAfter(afterId: number, limit: number): Promise<number[]> {
    return this.statements.get('SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?').pluck().all(afterId, limit) as number[];
  }

  async filterArticleIds(filter: ArticleFilter, articleIds: readonly number[]): Promise<number[]> {
    if (articleIds.length === 0) return [];
    const f = articleFilterSql(filter);
    const where = f.where ? `${f.where} AND ${inList('a.id')}` : `WHERE ${inList('a.id')}`;
    return this.statements.get(`SELECT a.id FROM ${f.from} ${where} ORDER BY a.id`).pluck().all(...f.params, jsonList(articleIds)) as number[];
  }

  async articlesVersion(): Promise<number> {
    return this.statements.get('SELECT articles FROM data_version WHERE id = 1').pluck().get() as number;
  }

  // Ingestion

  // Feeds are keyed by normalizeFeedUrl(url), however the caller spelled it (unique index on url).
  async getFeedByUrl(url: string): Promise<FeedRecord | null> {
    const key = feedUrlKey(url);
    if (key === null) return null;
    return (this.statements.get(`SELECT ${FEED_COLUMNS} FROM feeds fd WHERE fd.url = ?`).get(key) as FeedRecord | undefined) ?? null;
  }

  async addFeed(input: { url: string; foundationId: number | null; title: string | null }): Promise<FeedRecord> {
    let url: string;
    try {
      url = normalizeFeedUrl(input.url);
    } catch (err) {
      throw new BadInputError(describeError(err));
    }
    const now = this.now();
    const insert = this.db.transaction(() => {
      if (this.statements.get('SELECT 1 FROM feeds WHERE url = ?').get(url)) {
        throw new BadInputError(`${quote(url, 200)} is already a feed`);
      }
      this.statements
        .get(`INSERT INTO feeds (url, foundation_id, title, origin, created_at, updated_at) VALUES (?, ?, ?, 'operator', ?, ?)`)
        .run(url, input.foundationId, input.title, now, now);
    });
    insert.immediate();
    return (await this.getFeedByUrl(url))!;
  }

  async removeFeed(url: string): Promise<'deleted' | 'disabled' | 'not_found'> {
    const key = feedUrlKey(url);
    if (key === null) return 'not_found';
    return this.db
      .transaction(() => {
        const feed = this.statements.get('SELECT id, origin FROM feeds WHERE url = ?').get(key) as { id: number; origin: string } | undefined;
        if (!feed) return 'not_found' as const;
        if (feed.origin === 'reference') {
          this.statements.get('UPDATE feeds SET disabled_at = COALESCE(disabled_at, ?), updated_at = ? WHERE id = ?').run(this.now(), this.now(), feed.id);
          return 'disabled' as const;
        }
        // Articles, mentions, enclosures and the fetch log go with it (ON DELETE CASCADE).
        this.statements.get('DELETE FROM feeds WHERE id = ?').run(feed.id);
        return 'deleted' as const;
      })
      .immediate();
  }

  async setFeedDisabled(url: string, disabled: boolean): Promise<FeedRecord | null> {
    const key = feedUrlKey(url);
    if (key === null) return null;
    const now = this.now();
    this.statements
      .get('UPDATE feeds SET disabled_at = CASE WHEN ? THEN COALESCE(disabled_at, ?) END, updated_at = ? WHERE url = ?')
      .run(disabled ? 1 : 0, now, now, key);
    return this.getFeedByUrl(key);
  }

  async listFeedsToFetch(selection: { dueBy: number } | { all: true }, limit: number): Promise<FeedRecord[]> {
    // Index feeds_due (partial, enabled feeds): never-fetched first, then the most overdue.
    const due = 'dueBy' in selection;
    const sql = `SELECT ${FEED_COLUMNS} FROM feeds fd WHERE fd.disabled_at IS NULL
      ${due ? 'AND (fd.next_fetch_at IS NULL OR fd.next_fetch_at <= ?)' : ''}
      ORDER BY fd.next_fetch_at IS NOT NULL, fd.next_fetch_at, fd.id LIMIT ?`;
    const params = due ? [selection.dueBy, limit] : [limit];
    return this.statements.get(sql).all(...params) as FeedRecord[];
  }

  async nextScheduledFetch(): Promise<number | null> {
    const row = this.statements
      .get('SELECT MIN(COALESCE(next_fetch_at, 0)) AS next, COUNT(*) AS n FROM feeds WHERE disabled_at IS NULL')
      .get() as { next: number | null; n: number };
    return row.n > 0 ? row.next : null;
  }

  async saveFetchOutcome(feedId: number, outcome: FetchOutcome): Promise<SavedFetch> {
    try {
      // Bounded transactions, the feed's state in the last (ingest-writes.ts).
      const saved = await this.writer.saveInChunks(feedId, outcome);
      const [feed] = await this.getFeeds([feedId]);
      return { ...saved, feed: feed! };
    } catch (err) {
      throw new StoreError(
        'FETCH_SAVE_FAILED',
        `store: unable to save the fetch of feed ${feedId} (the articles saved before the failure are kept, each whole; ` +
          `the feed's fetch state is unchanged, so its next fetch saves the rest): ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  async listRecentFetchesOf(feedIds: readonly number[], limit: number): Promise<FetchLogRecord[][]> {
    // Index fetch_log_feed (feed_id, started_at): the newest `limit` lines of each feed.
    const sql = `SELECT * FROM (
        SELECT id, feed_id AS feedId, started_at AS startedAt, duration_ms AS durationMs, http_status AS httpStatus, result,
               items_seen AS itemsSeen, new_count AS newCount, updated_count AS updatedCount, error_class AS errorClass,
               error_message AS errorMessage,
               ROW_NUMBER() OVER (PARTITION BY feed_id ORDER BY started_at DESC, id DESC) AS rn
          FROM fetch_log WHERE ${inList('feed_id')})
      WHERE rn <= ? ORDER BY feedId, rn`;
    const rows = this.statements.get(sql).all(jsonList(feedIds), limit) as (FetchLogRecord & { rn?: number })[];
    for (const row of rows) delete row.rn;
    return alignGroups(feedIds, rows, 'feedId');
  }

  // Entity linking

  async loadEntityDictionary(): Promise<EntityDictionary> {
    const aliases = (sql: string) => {
      const byId = new Map<number, string[]>();
      for (const row of this.statements.get(sql).all() as { id: number; alias: string }[]) {
        byId.set(row.id, [...(byId.get(row.id) ?? []), row.alias]);
      }
      return byId;
    };
    const companyAliases = aliases('SELECT company_id AS id, alias FROM company_aliases ORDER BY alias');
    const foundationAliases = aliases('SELECT foundation_id AS id, alias FROM foundation_aliases ORDER BY alias');
    const companies = this.statements.get('SELECT id, name FROM companies ORDER BY id').all() as { id: number; name: string }[];
    const foundations = this.statements.get('SELECT id, name, short_name AS shortName FROM foundations ORDER BY id').all() as {
      id: number;
      name: string;
      shortName: string | null;
    }[];
    return {
      companies: companies.map((c) => ({ ...c, aliases: companyAliases.get(c.id) ?? [] })),
      foundations: foundations.map((f) => ({ ...f, aliases: foundationAliases.get(f.id) ?? [] })),
    };
  }

  async listArticleTexts(afterId: number, limit: number): Promise<{ id: number; title: string; contentText: string | null }[]> {
    return this.statements
      .get('SELECT id, title, content_text AS contentText FROM articles WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as { id: number; title: string; contentText: string | null }[];
  }

  async replaceMentions(entries: readonly { articleId: number; mentions: Mentions }[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const entry of entries) {
          this.writer.deleteMentions(entry.articleId);
          this.writer.insertMentions(entry.articleId, entry.mentions);
        }
      })
      .immediate();
  }

  // Helpers

  private page<Row, T>(spec: ListSpec<Row, T>, page: PageRequest): Page<T> {
    return runPage(this.statements, spec, page);
  }

  private partitionedPage<Row, T>(spec: ListSpec<Row, T>, partition: Partition, page: PageRequest): Page<T>[] {
    return runPartitionedPage(this.statements, spec, partition, page);
  }

  /** Rows fetched by a list of keys, returned aligned with the keys (null where none). */
  private byKey<T extends object>(sql: string, keys: readonly (string | number)[], column: keyof T): (T | null)[] {
    const rows = this.statements.get(sql).all(jsonList(keys)) as T[];
    const found = new Map(rows.map((row) => [row[column] as unknown, row]));
    return keys.map((key) => found.get(key) ?? null);
  }

  /** Rows grouped by a parent column, aligned with the parent ids. */
  private groupBy<T extends object>(sql: string, parentIds: readonly number[], column: keyof T): T[][] {
    const rows = this.statements.get(sql).all(jsonList(parentIds)) as T[];
    return alignGroups(parentIds, rows, column);
  }

  /** `SELECT parent, value` rows as one list of values per parent id. */
  private valuesBy(sql: string, parentIds: readonly number[]): string[][] {
    const rows = this.statements.get(sql).all(jsonList(parentIds)) as { parent: number; value: string }[];
    return alignGroups(parentIds, rows, 'parent').map((group) => group.map((r) => r.value));
  }
}

function alignGroups<T extends object>(keys: readonly number[], rows: T[], column: keyof T): T[][] {
  const groups = new Map<unknown, T[]>();
  for (const row of rows) {
    const key = row[column];
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

function withArticleParent(filter: ArticleFilter, parent: ArticleParent, id: number): ArticleFilter {
  if (parent === 'foundation') return { ...filter, foundationIds: intersect(filter.foundationIds, id) };
  if (parent === 'company') return { ...filter, companyIds: intersect(filter.companyIds, id) };
  return { ...filter, feedIds: intersect(filter.feedIds, id) };
}

/** The parent's id, narrowed by a filter list that may already restrict the same field. */
function intersect(list: readonly number[] | undefined, id: number): number[] {
  return list === undefined || list.includes(id) ? [id] : [];
}
