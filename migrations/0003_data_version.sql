-- 0003_data_version: a counter that moves whenever articles change, so that cached responses built
-- on the old articles are no longer served (the response cache keys on it). Triggers keep it right
-- whichever process writes: the service, or the `fetch` command run beside it.
CREATE TABLE data_version (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  articles INTEGER NOT NULL
);
INSERT INTO data_version (id, articles) VALUES (1, 0);

CREATE TRIGGER data_version_article_insert AFTER INSERT ON articles BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
CREATE TRIGGER data_version_article_update AFTER UPDATE ON articles BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
CREATE TRIGGER data_version_article_delete AFTER DELETE ON articles BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
-- Mentions change on relink without the articles changing (added or removed).
CREATE TRIGGER data_version_company_mention_insert AFTER INSERT ON article_company_mentions BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
CREATE TRIGGER data_version_company_mention_delete AFTER DELETE ON article_company_mentions BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
CREATE TRIGGER data_version_foundation_mention_insert AFTER INSERT ON article_foundation_mentions BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;
CREATE TRIGGER data_version_foundation_mention_delete AFTER DELETE ON article_foundation_mentions BEGIN
  UPDATE data_version SET articles = articles + 1 WHERE id = 1;
END;

-- Relevance: bm25 with a match in the title weighing ten times one in the text, as FTS5's `rank`
-- (an ORDER BY rank is what FTS5 optimizes). https://www.sqlite.org/fts5.html#sorting_by_auxiliary_function_results
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
