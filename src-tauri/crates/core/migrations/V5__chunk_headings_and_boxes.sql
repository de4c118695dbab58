-- Chunks know where they are: the headings they are under, the context (document title and
-- heading path) that is embedded and keyword-indexed ahead of the passage, and, for PDFs, the
-- boxes of their lines on the page (JSON `[[page, left, bottom, right, top], …]`, PDF points).
-- A document keeps the title it gives itself.
ALTER TABLE documents ADD COLUMN title TEXT;
ALTER TABLE chunks ADD COLUMN heading_path TEXT NOT NULL DEFAULT '';
ALTER TABLE chunks ADD COLUMN context TEXT NOT NULL DEFAULT '';
ALTER TABLE chunks ADD COLUMN boxes TEXT;

-- Keyword search reads the context as a column of its own, weighted apart from the passage.
DROP TRIGGER chunks_fts_insert;
DROP TRIGGER chunks_fts_delete;
DROP TABLE chunks_fts;

CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    text,
    context,
    content = 'chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text, context) VALUES (new.id, new.text, new.context);
END;

CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text, context) VALUES ('delete', old.id, old.text, old.context);
END;

INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild');
