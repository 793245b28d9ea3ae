-- 0001_init: the first schema of Foundation Wire.
--
-- Conventions
--   * Timestamps are INTEGER milliseconds since the Unix epoch (UTC): compact, fast to compare, and
--     what keyset cursors and time buckets are computed from.
--   * Calendar dates (membership joined/left/stated) are TEXT 'YYYY-MM-DD'.
--   * Natural keys (slug, feed url, alias) are UNIQUE so that reference data can be upserted by them.
--   * Every index says which query it serves.

-- Foundations, with their parent (CNCF, OpenSSF, ... are Linux Foundation projects).
CREATE TABLE foundations (
  id          INTEGER PRIMARY KEY,
  slug        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  short_name  TEXT,
  description TEXT,
  homepage    TEXT,
  parent_id   INTEGER REFERENCES foundations (id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (parent_id IS NULL OR parent_id <> id)
);
-- Foundation.children, and the subfoundation filter.
CREATE INDEX foundations_parent ON foundations (parent_id);
-- foundations() ordered by name, keyset on (name, id).
CREATE INDEX foundations_name ON foundations (name COLLATE NOCASE, id);

-- The membership tiers a foundation offers, highest first (rank 0).
CREATE TABLE foundation_tiers (
  foundation_id INTEGER NOT NULL REFERENCES foundations (id) ON DELETE CASCADE,
  name          TEXT    NOT NULL COLLATE NOCASE,
  rank          INTEGER NOT NULL,
  PRIMARY KEY (foundation_id, name)
);

-- Other names by which text mentions a foundation ("CNCF", "Cloud Native Computing Foundation").
CREATE TABLE foundation_aliases (
  foundation_id INTEGER NOT NULL REFERENCES foundations (id) ON DELETE CASCADE,
  alias         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
  PRIMARY KEY (foundation_id, alias)
);

-- Companies, and any other organization that can be a member (universities, nonprofits).
CREATE TABLE companies (
  id          INTEGER PRIMARY KEY,
  slug        TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  homepage    TEXT,
  parent_id   INTEGER REFERENCES companies (id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (parent_id IS NULL OR parent_id <> id)
);
-- companies() ordered by name, keyset on (name, id); Company.subsidiaries.
CREATE INDEX companies_name ON companies (name COLLATE NOCASE, id);
CREATE INDEX companies_parent ON companies (parent_id);

-- Other names of a company ("AWS", "Amazon"); unique across companies so that a mention is unambiguous.
CREATE TABLE company_aliases (
  company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  alias      TEXT    NOT NULL COLLATE NOCASE UNIQUE,
  PRIMARY KEY (company_id, alias)
);

-- A dated fact: a source stated on stated_on that the company was a member of the foundation.
-- One row per (foundation, company, stated_on): a later source about the same membership is a new fact.
CREATE TABLE memberships (
  id            INTEGER PRIMARY KEY,
  foundation_id INTEGER NOT NULL REFERENCES foundations (id) ON DELETE CASCADE,
  company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  tier          TEXT COLLATE NOCASE,
  joined_on     TEXT,
  left_on       TEXT,
  stated_on     TEXT    NOT NULL,
  source_url    TEXT    NOT NULL,
  note          TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (foundation_id, company_id, stated_on),
  -- A tier, when known, must be one the foundation offers.
  FOREIGN KEY (foundation_id, tier) REFERENCES foundation_tiers (foundation_id, name) ON UPDATE CASCADE,
  CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on)
);
-- Company.memberships and the company filter.
CREATE INDEX memberships_company ON memberships (company_id, foundation_id);
-- The foundation + tier filters (Foundation.memberships, companies(filter: {foundations, tiers})).
CREATE INDEX memberships_foundation_tier ON memberships (foundation_id, tier);

-- Feeds: where articles come from. Fetch state lives here so that a restart resumes the schedule.
CREATE TABLE feeds (
  id               INTEGER PRIMARY KEY,
  url              TEXT    NOT NULL UNIQUE,
  foundation_id    INTEGER REFERENCES foundations (id) ON DELETE SET NULL,
  title            TEXT,
  site_url         TEXT,
  description      TEXT,
  language         TEXT,
  -- 'reference' feeds come from the reference data file; 'operator' feeds were added by hand.
  origin           TEXT    NOT NULL DEFAULT 'operator' CHECK (origin IN ('reference', 'operator')),
  disabled_at      INTEGER,
  etag             TEXT,
  last_modified    TEXT,
  last_fetched_at  INTEGER,
  last_success_at  INTEGER,
  next_fetch_at    INTEGER,
  -- Consecutive failed attempts; 0 after a success.
  error_count      INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
  last_error       TEXT,
  last_error_class TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
-- The scheduler's "which feeds are due" query.
CREATE INDEX feeds_due ON feeds (next_fetch_at) WHERE disabled_at IS NULL;
-- Foundation.feeds and article filters by foundation through the feed.
CREATE INDEX feeds_foundation ON feeds (foundation_id);

-- Articles: one row per item of a feed, identified inside its feed by `identity`
-- (guid, else link, else a hash of title and content: computed by the ingestion pipeline).
CREATE TABLE articles (
  id            INTEGER PRIMARY KEY,
  feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  identity      TEXT    NOT NULL,
  url           TEXT,
  canonical_url TEXT,
  -- The first article with the same canonical URL from another feed: the story this one belongs to.
  story_id      INTEGER REFERENCES articles (id) ON DELETE SET NULL,
  title         TEXT    NOT NULL,
  summary       TEXT,
  content_html  TEXT,
  content_text  TEXT,
  author        TEXT,
  language      TEXT,
  image_url     TEXT,
  published_at  INTEGER NOT NULL,
  -- Which date published_at came from.
  date_source   TEXT    NOT NULL CHECK (date_source IN ('published', 'updated', 'first_seen')),
  fetched_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  -- Hash of the stored fields, so that an unchanged item writes nothing.
  content_hash  TEXT    NOT NULL,
  UNIQUE (feed_id, identity)
);
-- Default order (newest first), keyset on (published_at, id).
CREATE INDEX articles_published ON articles (published_at, id);
-- Order by fetch time.
CREATE INDEX articles_fetched ON articles (fetched_at, id);
-- Feed.articles and the feeds / foundation-through-feed filters.
CREATE INDEX articles_feed_published ON articles (feed_id, published_at, id);
-- Cross-feed dedup: the same story from several feeds.
CREATE INDEX articles_canonical_url ON articles (canonical_url);
CREATE INDEX articles_story ON articles (story_id) WHERE story_id IS NOT NULL;

-- Which companies an article mentions, how often, and whether in its title.
CREATE TABLE article_company_mentions (
  article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  mention_count INTEGER NOT NULL CHECK (mention_count > 0),
  in_title      INTEGER NOT NULL DEFAULT 0 CHECK (in_title IN (0, 1)),
  PRIMARY KEY (article_id, company_id)
) WITHOUT ROWID;
-- The companies filter and Company.articles.
CREATE INDEX article_company_mentions_company ON article_company_mentions (company_id, article_id);

-- Which foundations an article mentions (beyond the foundation of its feed).
CREATE TABLE article_foundation_mentions (
  article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  foundation_id INTEGER NOT NULL REFERENCES foundations (id) ON DELETE CASCADE,
  mention_count INTEGER NOT NULL CHECK (mention_count > 0),
  in_title      INTEGER NOT NULL DEFAULT 0 CHECK (in_title IN (0, 1)),
  PRIMARY KEY (article_id, foundation_id)
) WITHOUT ROWID;
-- The foundations filter and Foundation.articles.
CREATE INDEX article_foundation_mentions_foundation ON article_foundation_mentions (foundation_id, article_id);

-- The foundations an article belongs to: its feed's foundation, and every foundation it mentions
-- (each pair once).
CREATE VIEW article_foundations (article_id, foundation_id) AS
  SELECT a.id, f.foundation_id
    FROM articles a JOIN feeds f ON f.id = a.feed_id
   WHERE f.foundation_id IS NOT NULL
  UNION
  SELECT article_id, foundation_id FROM article_foundation_mentions;

-- Full-text index over title and plain text, kept in step with `articles` by triggers.
-- External content: the text is stored once, in `articles`.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
  title,
  content_text,
  content = 'articles',
  content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, title, content_text)
  VALUES ('delete', old.id, old.title, old.content_text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, content_text ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, title, content_text)
  VALUES ('delete', old.id, old.title, old.content_text);
  INSERT INTO articles_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
END;
