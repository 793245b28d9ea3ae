-- 0002_ingestion: what feed ingestion keeps beyond 0001: the log of fetch attempts, the URLs a feed
-- was permanently redirected from, article enclosures, and the feed's current fetch interval.

-- One row per fetch attempt, kept for FETCH_LOG_RETENTION (pruned as new attempts are saved).
CREATE TABLE fetch_log (
  id            INTEGER PRIMARY KEY,
  feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  started_at    INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),
  http_status   INTEGER,
  result        TEXT    NOT NULL CHECK (result IN ('new', 'updated', 'unchanged', 'not_modified', 'error')),
  items_seen    INTEGER NOT NULL DEFAULT 0,
  new_count     INTEGER NOT NULL DEFAULT 0,
  updated_count INTEGER NOT NULL DEFAULT 0,
  error_class   TEXT,
  error_message TEXT
);
-- Feed.recentFetches (newest first).
CREATE INDEX fetch_log_feed ON fetch_log (feed_id, started_at);
-- Pruning by age.
CREATE INDEX fetch_log_started ON fetch_log (started_at);

-- A 301/308 moves a feed to its new URL; the old one is remembered so that the reference data,
-- which still names it, does not add it again as a new feed.
CREATE TABLE feed_redirects (
  old_url       TEXT    PRIMARY KEY,
  feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  redirected_at INTEGER NOT NULL
);

-- Enclosures (podcast audio, images) of an article, in feed order.
CREATE TABLE article_enclosures (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  url        TEXT    NOT NULL,
  mime_type  TEXT,
  length     INTEGER,
  PRIMARY KEY (article_id, position)
) WITHOUT ROWID;

-- The interval the scheduler computed from the feed's posting rate at its last successful fetch,
-- reused after a 304 (which carries no items to compute a rate from).
ALTER TABLE feeds ADD COLUMN fetch_interval_ms INTEGER;
