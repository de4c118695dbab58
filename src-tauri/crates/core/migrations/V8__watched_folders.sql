-- Folders kept in sync with the library. Each file seen in one is remembered with its size and
-- modification time, so a scan of an unchanged folder reads no file, and with the document it
-- became (NULL once that document is deleted from the library: it is not added back until the
-- file changes).
CREATE TABLE watched_folders (
    id       TEXT PRIMARY KEY NOT NULL,
    path     TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
) STRICT;

CREATE TABLE folder_files (
    folder_id   TEXT NOT NULL REFERENCES watched_folders (id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    document_id TEXT REFERENCES documents (id) ON DELETE SET NULL,
    PRIMARY KEY (folder_id, path)
) STRICT, WITHOUT ROWID;

CREATE INDEX folder_files_by_document ON folder_files (document_id);
