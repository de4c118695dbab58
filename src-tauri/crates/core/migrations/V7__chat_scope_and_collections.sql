-- Collections: named sets of library documents, made in the library. A document can be in
-- several; deleting either side removes the link.
CREATE TABLE collections (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE collection_documents (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (collection_id, document_id)
) STRICT; -- with a rowid: it is the order documents were added in

CREATE INDEX collection_documents_by_document ON collection_documents (document_id);

-- What a chat searches: 'library' (every ready document; its session_documents are the files
-- dropped into it, shown with it), 'documents' (only its session_documents) or 'collection'
-- (the collection's documents and its own). A collection's deletion leaves collection_id NULL,
-- and code then reads the chat's scope as the whole library.
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT 'library'
    CHECK (scope IN ('library', 'documents', 'collection'));
ALTER TABLE sessions ADD COLUMN collection_id TEXT REFERENCES collections (id) ON DELETE SET NULL;

-- Chats made before scopes searched exactly their attached documents; they keep doing so.
-- Those with none searched nothing, and now search the library, as a new chat does.
UPDATE sessions SET scope = 'documents'
 WHERE id IN (SELECT session_id FROM session_documents);
