import type { ArticleInput, FetchOutcome, FetchResultKind, Mentions } from '../types';
import type { Db } from './open';
import type { Statements } from './statements';

/** What one save wrote, over all its transactions. */
export interface SaveCounts {
  result: FetchResultKind;
  newArticleIds: number[];
  newCount: number;
  updatedCount: number;
  unchangedCount: number;
}

export interface WriterOptions {
  /** WRITE_TRANSACTION_MAX: a transaction of a save ends after the article that takes it past this. */
  maxTransactionMs: number;
  /** The clock the bound is measured with (milliseconds; tests pass a counter to fix the chunk sizes). */
  clock?: () => number;
  /** Called after each transaction of a save commits, with the articles saved so far (tests simulate a crash by throwing). */
  onCommit?: (articlesSaved: number) => void;
}

/**
 * SQLite's default busy handler (sqliteDefaultBusyCallback, what busy_timeout installs) sleeps this
 * long between two tries of a waiting connection, then 100 ms each time.
 */
const BUSY_SLEEPS_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/**
 * How long to leave the write lock free after holding it for `heldMs`: a connection that started
 * waiting at most `heldMs` ago sleeps at most this long between tries, so it tries once inside the
 * gap. Without the gap (setImmediate alone), a waiter only gets in when a try lands in the
 * microseconds between two of our transactions: measured, a 1000 ms busy timeout came within 70 ms
 * of failing behind back-to-back 100 ms transactions. The 2 ms cover timer and sleep overshoot.
 */
export function lockGapMs(heldMs: number): number {
  let waited = 0;
  for (const sleep of BUSY_SLEEPS_MS) {
    waited += sleep;
    if (waited >= heldMs) return sleep + 2;
  }
  return 100 + 2;
}

type Batch = { identities: Set<string>; claimed: Set<number> };

/**
 * The writes of one fetch attempt (SqliteStore.saveFetchOutcome), in bounded IMMEDIATE transactions
 * so that no save holds SQLite's write lock for long: other processes (the CLI, a second service)
 * write between them, and the thread's other work runs. Each statement names the index it relies on.
 */
export class FetchOutcomeWriter {
  private readonly clock: () => number;
  /** performance.now() before which no transaction of a save starts on this connection (the gap after the last one). */
  private resumeAt = 0;

  constructor(
    private readonly db: Db,
    private readonly statements: Statements,
    private readonly retentionMs: number,
    private readonly options: WriterOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * Saves the articles in transactions that each end after the article that takes them past
   * maxTransactionMs (an article is always whole, with its mentions and enclosures, inside one), and
   * the feed's state (validators, next fetch time, error count, title, the redirect move) with the
   * log line last, in the final transaction, together with the last articles. A save interrupted at
   * any point leaves the articles of the committed transactions and the feed as it was: its ETag is
   * not updated, so the next fetch is a full one, finds those articles unchanged and saves the rest.
   * The dedup bookkeeping of one fetch (its identities, the rows it claimed) spans all transactions.
   */
  async saveInChunks(feedId: number, outcome: FetchOutcome): Promise<SaveCounts> {
    const counts = { newArticleIds: [] as number[], newCount: 0, updatedCount: 0, unchangedCount: 0 };
    const articles = outcome.kind === 'fetched' ? outcome.articles : [];
    const batch: Batch = { identities: new Set(articles.map((a) => a.identity)), claimed: new Set<number>() };
    let next = 0;
    const chunk = this.db.transaction((): FetchResultKind | null => {
      const started = this.clock();
      while (next < articles.length) {
        const saved = this.saveArticle(feedId, articles[next++], outcome.startedAt, batch);
        batch.claimed.add(saved.id);
        if (saved.kind === 'new') {
          counts.newCount++;
          counts.newArticleIds.push(saved.id);
        } else if (saved.kind === 'updated') counts.updatedCount++;
        else counts.unchangedCount++;
        if (this.clock() - started >= this.options.maxTransactionMs) break;
      }
      return next < articles.length ? null : this.saveFeedState(feedId, outcome, counts);
    });
    for (;;) {
      await this.turn();
      const began = performance.now();
      // A failure rolls back this transaction only; the in-memory counts are dropped with the save.
      const result = chunk.immediate();
      this.resumeAt = performance.now() + lockGapMs(performance.now() - began);
      this.options.onCommit?.(next);
      if (result !== null) return { result, ...counts };
    }
  }

  /** Waits for the gap after this connection's last save transaction, whichever save ran it. */
  private async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Another save of this thread may have taken its turn meanwhile and pushed resumeAt further.
    for (let wait = this.resumeAt - performance.now(); wait > 0; wait = this.resumeAt - performance.now()) {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
  }

  /** The feed's state after the attempt and its log line: the last writes of a save. */
  private saveFeedState(feedId: number, outcome: FetchOutcome, counts: Omit<SaveCounts, 'result'>): FetchResultKind {
    let result: FetchResultKind;
    if (outcome.kind === 'failed') {
      this.statements
        .get(
          `UPDATE feeds SET error_count = error_count + 1, last_error = ?, last_error_class = ?, last_fetched_at = ?,
             next_fetch_at = ?, updated_at = ? WHERE id = ?`,
        )
        .run(outcome.errorMessage, outcome.errorClass, outcome.startedAt, outcome.nextFetchAt, outcome.startedAt, feedId);
      result = 'error';
    } else {
      this.statements
        .get(
          `UPDATE feeds SET error_count = 0, last_fetched_at = ?, last_success_at = ?, next_fetch_at = ?,
             etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), updated_at = ? WHERE id = ?`,
        )
        .run(outcome.startedAt, outcome.startedAt, outcome.nextFetchAt, outcome.etag, outcome.lastModified, outcome.startedAt, feedId);
      if (outcome.movedTo) this.move(feedId, outcome.movedTo, outcome.startedAt);
      if (outcome.kind === 'not_modified') {
        result = 'not_modified';
      } else {
        this.statements
          .get(
            `UPDATE feeds SET title = COALESCE(title, ?), site_url = COALESCE(?, site_url), language = COALESCE(?, language),
               fetch_interval_ms = ? WHERE id = ?`,
          )
          .run(outcome.info.title, outcome.info.siteUrl, outcome.info.language, outcome.fetchIntervalMs, feedId);
        result = counts.newCount > 0 ? 'new' : counts.updatedCount > 0 ? 'updated' : 'unchanged';
      }
    }
    this.log(feedId, outcome, result, counts);
    return result;
  }

  /** A permanent redirect: the feed takes its new URL unless another feed has it already. */
  private move(feedId: number, newUrl: string, now: number): void {
    const taken = this.statements.get('SELECT id FROM feeds WHERE url = ?').pluck().get(newUrl) as number | undefined;
    if (taken !== undefined) return;
    const oldUrl = this.statements.get('SELECT url FROM feeds WHERE id = ?').pluck().get(feedId) as string;
    this.statements
      .get('INSERT INTO feed_redirects (old_url, feed_id, redirected_at) VALUES (?, ?, ?) ON CONFLICT (old_url) DO UPDATE SET feed_id = excluded.feed_id')
      .run(oldUrl, feedId, now);
    this.statements.get('UPDATE feeds SET url = ? WHERE id = ?').run(newUrl, feedId);
  }

  private saveArticle(
    feedId: number,
    article: ArticleInput,
    now: number,
    batch: Batch,
  ): { kind: 'new' | 'updated' | 'unchanged'; id: number } {
    // Unique index (feed_id, identity).
    const existing =
      (this.statements
        .get('SELECT id, content_hash AS contentHash, published_at AS publishedAt FROM articles WHERE feed_id = ? AND identity = ?')
        .get(feedId, article.identity) as { id: number; contentHash: string; publishedAt: number } | undefined) ??
      this.adopt(feedId, article, batch);
    if (existing && existing.contentHash === article.contentHash) return { kind: 'unchanged', id: existing.id };
    if (existing) {
      // A date the feed does not give stays the one from when the article was first seen.
      const publishedAt = article.dateSource === 'first_seen' ? existing.publishedAt : article.publishedAt;
      this.statements
        .get(
          `UPDATE articles SET url = ?, canonical_url = ?, title = ?, summary = ?, content_html = ?, content_text = ?, author = ?,
             language = ?, image_url = ?, published_at = ?, date_source = ?, content_hash = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          article.url, article.canonicalUrl, article.title, article.summary, article.contentHtml, article.contentText, article.author,
          article.language, article.imageUrl, publishedAt, article.dateSource, article.contentHash, now, existing.id,
        );
      this.replaceDetails(existing.id, article);
      return { kind: 'updated', id: existing.id };
    }
    // The same story already stored from another feed (index articles_canonical_url): point at its root.
    const story = article.canonicalUrl
      ? (this.statements
          .get('SELECT COALESCE(story_id, id) FROM articles WHERE canonical_url = ? AND feed_id <> ? ORDER BY id LIMIT 1')
          .pluck()
          .get(article.canonicalUrl, feedId) as number | undefined)
      : undefined;
    const id = Number(
      this.statements
        .get(
          `INSERT INTO articles (feed_id, identity, url, canonical_url, story_id, title, summary, content_html, content_text, author,
             language, image_url, published_at, date_source, fetched_at, updated_at, content_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          feedId, article.identity, article.url, article.canonicalUrl, story ?? null, article.title, article.summary, article.contentHtml,
          article.contentText, article.author, article.language, article.imageUrl, article.publishedAt, article.dateSource, now, now,
          article.contentHash,
        ).lastInsertRowid,
    );
    this.insertDetails(id, article);
    return { kind: 'new', id };
  }

  /**
   * An identity refined because of a collision ("guid:g" became "guid:g|link:…" when another item
   * started sharing the guid, or the reverse) still names the same article: find it by the shared
   * base and its URL, and give it the new identity, rather than storing it twice. Only a row that
   * no item of this fetch names or has already claimed can be adopted, and items told apart only
   * by their text (…|hash:…) are never adopted: their URL does not single them out.
   */
  private adopt(
    feedId: number,
    article: ArticleInput,
    batch: Batch,
  ): { id: number; contentHash: string; publishedAt: number } | undefined {
    if (!article.url || article.identity.includes('|hash:')) return undefined;
    const base = article.identity.split('|')[0];
    // Index (feed_id, identity): the base itself, or the range of identities refined from it.
    const candidates = this.statements
      .get(
        `SELECT id, identity, content_hash AS contentHash, published_at AS publishedAt FROM articles
          WHERE feed_id = ? AND (identity = ? OR identity BETWEEN ? AND ?) AND url = ? ORDER BY id`,
      )
      .all(feedId, base, `${base}|`, `${base}|\uffff`, article.url) as { id: number; identity: string; contentHash: string; publishedAt: number }[];
    const row = candidates.find((c) => !c.identity.includes('|hash:') && !batch.identities.has(c.identity) && !batch.claimed.has(c.id));
    if (row) this.statements.get('UPDATE articles SET identity = ? WHERE id = ?').run(article.identity, row.id);
    return row;
  }

  private replaceDetails(articleId: number, article: ArticleInput): void {
    this.statements.get('DELETE FROM article_enclosures WHERE article_id = ?').run(articleId);
    this.deleteMentions(articleId);
    this.insertDetails(articleId, article);
  }

  private insertDetails(articleId: number, article: ArticleInput): void {
    const enclosure = this.statements.get('INSERT INTO article_enclosures (article_id, position, url, mime_type, length) VALUES (?, ?, ?, ?, ?)');
    article.enclosures.forEach((e, position) => enclosure.run(articleId, position, e.url, e.type, e.length));
    this.insertMentions(articleId, article.mentions);
  }

  deleteMentions(articleId: number): void {
    this.statements.get('DELETE FROM article_company_mentions WHERE article_id = ?').run(articleId);
    this.statements.get('DELETE FROM article_foundation_mentions WHERE article_id = ?').run(articleId);
  }

  insertMentions(articleId: number, mentions: Mentions): void {
    const company = this.statements.get(
      'INSERT INTO article_company_mentions (article_id, company_id, mention_count, in_title) VALUES (?, ?, ?, ?)',
    );
    for (const m of mentions.companies) company.run(articleId, m.id, m.count, m.inTitle ? 1 : 0);
    const foundation = this.statements.get(
      'INSERT INTO article_foundation_mentions (article_id, foundation_id, mention_count, in_title) VALUES (?, ?, ?, ?)',
    );
    for (const m of mentions.foundations) foundation.run(articleId, m.id, m.count, m.inTitle ? 1 : 0);
  }

  private log(
    feedId: number,
    outcome: FetchOutcome,
    result: FetchResultKind,
    counts: { newCount: number; updatedCount: number },
  ): void {
    this.statements
      .get(
        `INSERT INTO fetch_log (feed_id, started_at, duration_ms, http_status, result, items_seen, new_count, updated_count, error_class, error_message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        feedId,
        outcome.startedAt,
        Math.max(0, Math.round(outcome.durationMs)),
        outcome.httpStatus,
        result,
        outcome.kind === 'fetched' ? outcome.itemsSeen : 0,
        counts.newCount,
        counts.updatedCount,
        outcome.kind === 'failed' ? outcome.errorClass : null,
        outcome.kind === 'failed' ? outcome.errorMessage : null,
      );
    // Index fetch_log_feed: this feed's lines past the retention time.
    this.statements.get('DELETE FROM fetch_log WHERE feed_id = ? AND started_at < ?').run(feedId, outcome.startedAt - this.retentionMs);
  }
}
