-- The knowledge base. SQLite is the source of truth: chunks, their text index and their vectors
-- live here; any vector index on disk is derived from chunk_vectors.
CREATE TABLE documents (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    original_path TEXT,
    sha256        TEXT NOT NULL UNIQUE,
    doc_type      TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    pages         INTEGER,
    status        TEXT NOT NULL
                  CHECK (status IN ('queued', 'extracting', 'embedding', 'ready', 'failed', 'cancelled')),
    error         TEXT,
    chunk_count   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE INDEX documents_by_status ON documents (status);

CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    page        INTEGER,
    char_start  INTEGER NOT NULL,
    char_end    INTEGER NOT NULL,
    token_count INTEGER NOT NULL,
    UNIQUE (document_id, ordinal)
) STRICT;

-- One vector per chunk per model: a model change re-embeds without wiping.
CREATE TABLE chunk_vectors (
    chunk_id INTEGER NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    vector   BLOB NOT NULL,
    PRIMARY KEY (chunk_id, model_id)
) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    text,
    content = 'chunks',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Now that documents exist, a session's documents reference them. Links made before this
-- migration could name no document (there were none), so none are carried over.
DROP TABLE session_documents;

CREATE TABLE session_documents (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (session_id, document_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX session_documents_by_document ON session_documents (document_id);
