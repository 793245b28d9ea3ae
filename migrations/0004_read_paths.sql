-- 0004_read_paths: data laid out for reads whose cost depends on the page, not on the archive.
--
--   * article_foundations becomes a table (it was a view): one row per (article, foundation), through
--     the feed or a mention, with the article's published_at, so that one foundation's articles are
--     one index range in date order (the view had to be materialized whole for every query).
--   * article_company_mentions carries the article's published_at too: one company's articles are
--     one index range in date order.
--   * article_counts and article_totals: article counts per UTC day and key (all articles, a
--     foundation, a company, a feed), and all-time totals per key, so that counts and time series sum
--     a few hundred rows instead of counting articles.
--
-- Triggers keep all of them in step with articles, mentions and feeds, in the transaction of the
-- write that changes them, whichever process writes (the service, the `fetch` or `relink` commands):
-- a crash leaves them exactly as consistent as the articles themselves.
--
-- Dimension codes (article_counts.dim, article_totals.dim): 0 every article (key 0), 1 foundation,
-- 2 company, 3 feed.
-- The UTC day of an instant t (ms): t / 86400000 rounded down, written
-- (t / 86400000 - (t < 0 AND t % 86400000 <> 0)) since SQLite's integer division truncates toward 0.

DROP VIEW article_foundations;

CREATE TABLE article_foundations (
  article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  foundation_id INTEGER NOT NULL REFERENCES foundations (id) ON DELETE CASCADE,
  published_at  INTEGER NOT NULL,
  -- Why the article belongs to the foundation: its feed's foundation, a mention, or both.
  via_feed      INTEGER NOT NULL CHECK (via_feed IN (0, 1)),
  via_mention   INTEGER NOT NULL CHECK (via_mention IN (0, 1)),
  PRIMARY KEY (article_id, foundation_id),
  CHECK (via_feed = 1 OR via_mention = 1)
) WITHOUT ROWID;
-- One foundation's articles, newest first, keyset on (published_at, article_id): foundation filters,
-- Foundation.articles, per-foundation counts of partial days.
CREATE INDEX article_foundations_foundation ON article_foundations (foundation_id, published_at, article_id);

INSERT INTO article_foundations (article_id, foundation_id, published_at, via_feed, via_mention)
SELECT a.id, fd.foundation_id, a.published_at, 1, 0
  FROM articles a JOIN feeds fd ON fd.id = a.feed_id
 WHERE fd.foundation_id IS NOT NULL;
INSERT INTO article_foundations (article_id, foundation_id, published_at, via_feed, via_mention)
SELECT m.article_id, m.foundation_id, a.published_at, 0, 1
  FROM article_foundation_mentions m JOIN articles a ON a.id = m.article_id
 WHERE true
ON CONFLICT (article_id, foundation_id) DO UPDATE SET via_mention = 1;

ALTER TABLE article_company_mentions ADD COLUMN published_at INTEGER;
UPDATE article_company_mentions SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_id);
-- Replaces (company_id, article_id): one company's articles, newest first, keyset on (published_at, article_id).
DROP INDEX article_company_mentions_company;
CREATE INDEX article_company_mentions_company ON article_company_mentions (company_id, published_at, article_id);

CREATE TABLE article_counts (
  dim INTEGER NOT NULL,
  key INTEGER NOT NULL,
  day INTEGER NOT NULL,
  n   INTEGER NOT NULL,
  PRIMARY KEY (dim, key, day)
) WITHOUT ROWID;
-- Every key of a dimension over a range of days (counts by key, time series by key).
CREATE INDEX article_counts_day ON article_counts (dim, day);

CREATE TABLE article_totals (
  dim INTEGER NOT NULL,
  key INTEGER NOT NULL,
  n   INTEGER NOT NULL,
  PRIMARY KEY (dim, key)
) WITHOUT ROWID;

INSERT INTO article_counts (dim, key, day, n)
SELECT 0, 0, published_at / 86400000 - (published_at < 0 AND published_at % 86400000 <> 0) AS day, COUNT(*)
  FROM articles GROUP BY day;
INSERT INTO article_counts (dim, key, day, n)
SELECT 3, feed_id, published_at / 86400000 - (published_at < 0 AND published_at % 86400000 <> 0) AS day, COUNT(*)
  FROM articles GROUP BY feed_id, day;
INSERT INTO article_counts (dim, key, day, n)
SELECT 1, foundation_id, published_at / 86400000 - (published_at < 0 AND published_at % 86400000 <> 0) AS day, COUNT(*)
  FROM article_foundations GROUP BY foundation_id, day;
INSERT INTO article_counts (dim, key, day, n)
SELECT 2, company_id, published_at / 86400000 - (published_at < 0 AND published_at % 86400000 <> 0) AS day, COUNT(*)
  FROM article_company_mentions GROUP BY company_id, day;
INSERT INTO article_totals (dim, key, n) SELECT dim, key, SUM(n) FROM article_counts GROUP BY dim, key;

-- Articles: every article (0) and its feed (3); its feed's foundation (article_foundations).

CREATE TRIGGER read_paths_article_insert AFTER INSERT ON articles BEGIN
  INSERT INTO article_foundations (article_id, foundation_id, published_at, via_feed, via_mention)
  SELECT new.id, fd.foundation_id, new.published_at, 1, 0 FROM feeds fd
   WHERE fd.id = new.feed_id AND fd.foundation_id IS NOT NULL
  ON CONFLICT (article_id, foundation_id) DO UPDATE SET via_feed = 1;
  INSERT INTO article_counts (dim, key, day, n)
  VALUES (0, 0, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1),
         (3, new.feed_id, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1)
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
  INSERT INTO article_totals (dim, key, n) VALUES (0, 0, 1), (3, new.feed_id, 1)
  ON CONFLICT (dim, key) DO UPDATE SET n = n + 1;
END;

-- Deleting an article deletes its mentions and foundation rows by ON DELETE CASCADE, whose own
-- triggers take them out of the counts.
CREATE TRIGGER read_paths_article_delete AFTER DELETE ON articles BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE (dim, key) IN (VALUES (0, 0), (3, old.feed_id))
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  UPDATE article_totals SET n = n - 1 WHERE (dim, key) IN (VALUES (0, 0), (3, old.feed_id));
END;

-- A new date moves the article in every index and count (the triggers below move the foundation
-- and company counts as their rows change).
CREATE TRIGGER read_paths_article_redate AFTER UPDATE OF published_at ON articles
WHEN new.published_at <> old.published_at BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE (dim, key) IN (VALUES (0, 0), (3, old.feed_id))
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  INSERT INTO article_counts (dim, key, day, n)
  VALUES (0, 0, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1),
         (3, new.feed_id, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1)
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
  UPDATE article_foundations SET published_at = new.published_at WHERE article_id = new.id;
  UPDATE article_company_mentions SET published_at = new.published_at WHERE article_id = new.id;
END;

-- Foundation rows: counted per foundation.

CREATE TRIGGER read_paths_foundation_insert AFTER INSERT ON article_foundations BEGIN
  INSERT INTO article_counts (dim, key, day, n)
  VALUES (1, new.foundation_id, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1)
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
  INSERT INTO article_totals (dim, key, n) VALUES (1, new.foundation_id, 1) ON CONFLICT (dim, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER read_paths_foundation_delete AFTER DELETE ON article_foundations BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE dim = 1 AND key = old.foundation_id
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  UPDATE article_totals SET n = n - 1 WHERE dim = 1 AND key = old.foundation_id;
END;

CREATE TRIGGER read_paths_foundation_redate AFTER UPDATE OF published_at ON article_foundations
WHEN new.published_at <> old.published_at BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE dim = 1 AND key = old.foundation_id
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  INSERT INTO article_counts (dim, key, day, n)
  VALUES (1, new.foundation_id, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1)
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
END;

-- Foundation mentions: the article belongs to the foundation while it mentions it or its feed is the foundation's.

CREATE TRIGGER read_paths_foundation_mention_insert AFTER INSERT ON article_foundation_mentions BEGIN
  INSERT INTO article_foundations (article_id, foundation_id, published_at, via_feed, via_mention)
  SELECT new.article_id, new.foundation_id, a.published_at, 0, 1 FROM articles a WHERE a.id = new.article_id
  ON CONFLICT (article_id, foundation_id) DO UPDATE SET via_mention = 1;
END;

CREATE TRIGGER read_paths_foundation_mention_delete AFTER DELETE ON article_foundation_mentions BEGIN
  DELETE FROM article_foundations WHERE article_id = old.article_id AND foundation_id = old.foundation_id AND via_feed = 0;
  UPDATE article_foundations SET via_mention = 0 WHERE article_id = old.article_id AND foundation_id = old.foundation_id;
END;

-- A feed moved to another foundation (reference data): its articles follow. Rare, and as large as the feed.
CREATE TRIGGER read_paths_feed_foundation AFTER UPDATE OF foundation_id ON feeds
WHEN new.foundation_id IS NOT old.foundation_id BEGIN
  DELETE FROM article_foundations
   WHERE foundation_id = old.foundation_id AND via_mention = 0
     AND article_id IN (SELECT id FROM articles WHERE feed_id = new.id);
  UPDATE article_foundations SET via_feed = 0
   WHERE foundation_id = old.foundation_id AND article_id IN (SELECT id FROM articles WHERE feed_id = new.id);
  INSERT INTO article_foundations (article_id, foundation_id, published_at, via_feed, via_mention)
  SELECT a.id, new.foundation_id, a.published_at, 1, 0 FROM articles a
   WHERE a.feed_id = new.id AND new.foundation_id IS NOT NULL
  ON CONFLICT (article_id, foundation_id) DO UPDATE SET via_feed = 1;
END;

-- Company mentions: dated with their article, counted per company.

CREATE TRIGGER read_paths_company_mention_insert AFTER INSERT ON article_company_mentions BEGIN
  UPDATE article_company_mentions SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = new.article_id)
   WHERE article_id = new.article_id AND company_id = new.company_id;
  INSERT INTO article_counts (dim, key, day, n)
  SELECT 2, new.company_id, a.published_at / 86400000 - (a.published_at < 0 AND a.published_at % 86400000 <> 0), 1
    FROM articles a WHERE a.id = new.article_id
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
  INSERT INTO article_totals (dim, key, n) VALUES (2, new.company_id, 1) ON CONFLICT (dim, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER read_paths_company_mention_delete AFTER DELETE ON article_company_mentions BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE dim = 2 AND key = old.company_id
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  UPDATE article_totals SET n = n - 1 WHERE dim = 2 AND key = old.company_id;
END;

CREATE TRIGGER read_paths_company_mention_redate AFTER UPDATE OF published_at ON article_company_mentions
WHEN old.published_at IS NOT NULL AND new.published_at <> old.published_at BEGIN
  UPDATE article_counts SET n = n - 1
   WHERE dim = 2 AND key = old.company_id
     AND day = old.published_at / 86400000 - (old.published_at < 0 AND old.published_at % 86400000 <> 0);
  INSERT INTO article_counts (dim, key, day, n)
  VALUES (2, new.company_id, new.published_at / 86400000 - (new.published_at < 0 AND new.published_at % 86400000 <> 0), 1)
  ON CONFLICT (dim, key, day) DO UPDATE SET n = n + 1;
END;
