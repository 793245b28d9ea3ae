import crypto from 'node:crypto';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/**
 * Test builders (Outline's buildX(overrides)): rows the ingestion pipeline would write, inserted
 * directly so that read-side tests do not depend on fetching.
 */

let sequence = 0;

export function buildFeed(store: SqliteStore, overrides: { url?: string; foundation?: string | null; title?: string } = {}): number {
  const n = ++sequence;
  const foundationId =
    overrides.foundation === null || overrides.foundation === undefined
      ? null
      : (store.db.prepare('SELECT id FROM foundations WHERE slug = ?').pluck().get(overrides.foundation) as number);
  const now = Date.UTC(2026, 0, 1);
  return Number(
    store.db
      .prepare(
        `INSERT INTO feeds (url, foundation_id, title, origin, created_at, updated_at) VALUES (?, ?, ?, 'operator', ?, ?)`,
      )
      .run(overrides.url ?? `https://feeds.example.org/${n}.xml`, foundationId, overrides.title ?? `Feed ${n}`, now + n, now + n)
      .lastInsertRowid,
  );
}

export interface ArticleOverrides {
  title?: string;
  url?: string;
  publishedAt?: number;
  fetchedAt?: number;
  text?: string;
  companies?: string[];
  foundations?: string[];
}

export function buildArticle(store: SqliteStore, feedId: number, overrides: ArticleOverrides = {}): number {
  const n = ++sequence;
  const publishedAt = overrides.publishedAt ?? Date.UTC(2026, 5, 1) + n * 60_000;
  const url = overrides.url ?? `https://news.example.org/posts/${n}`;
  const id = Number(
    store.db
      .prepare(
        `INSERT INTO articles (feed_id, identity, url, canonical_url, title, summary, content_html, content_text,
           published_at, date_source, fetched_at, updated_at, content_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?)`,
      )
      .run(
        feedId,
        url,
        url,
        url,
        overrides.title ?? `Article ${n}`,
        overrides.text ?? null,
        overrides.text ? `<p>${overrides.text}</p>` : null,
        overrides.text ?? null,
        publishedAt,
        overrides.fetchedAt ?? publishedAt + 1000,
        overrides.fetchedAt ?? publishedAt + 1000,
        crypto.randomUUID(),
      ).lastInsertRowid,
  );
  for (const slug of overrides.companies ?? []) {
    store.db
      .prepare(
        `INSERT INTO article_company_mentions (article_id, company_id, mention_count, in_title)
         VALUES (?, (SELECT id FROM companies WHERE slug = ?), 1, 0)`,
      )
      .run(id, slug);
  }
  for (const slug of overrides.foundations ?? []) {
    store.db
      .prepare(
        `INSERT INTO article_foundation_mentions (article_id, foundation_id, mention_count, in_title)
         VALUES (?, (SELECT id FROM foundations WHERE slug = ?), 1, 0)`,
      )
      .run(id, slug);
  }
  return id;
}
