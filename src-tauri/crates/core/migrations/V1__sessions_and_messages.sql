-- Timestamps are RFC 3339 UTC with a fixed width (microseconds, 'Z'), so text order is time order.
CREATE TABLE sessions (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_updated_at TEXT NOT NULL,
    llm_model_name  TEXT NOT NULL,
    metadata_tags   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(metadata_tags))
) STRICT;

CREATE INDEX sessions_by_activity ON sessions (last_updated_at DESC, created_at DESC);

-- The documents table arrives with the knowledge base; a later migration rebuilds this table
-- with a foreign key to it. Until then a document id is a well-formed UUID, checked in code.
CREATE TABLE session_documents (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (session_id, document_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX session_documents_by_document ON session_documents (document_id);

CREATE TABLE chat_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    timestamp  TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content    TEXT NOT NULL,
    metadata   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata))
) STRICT;

CREATE INDEX chat_messages_in_order ON chat_messages (session_id, timestamp, id);
