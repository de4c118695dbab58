-- What changed in the chunks, for the keyword index beside the database (tantivy, derived like
-- the vector index): every chunk stored or deleted appends its id here, in order. The keyword
-- index records the last change it holds and catches up from here; changes it holds are
-- deleted. (Chunks are not edited in place, a document indexed again gets new ones; should one
-- ever be, the update trigger records it too.)
CREATE TABLE chunk_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER chunk_changes_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunk_changes (chunk_id) VALUES (new.id);
END;

CREATE TRIGGER chunk_changes_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_changes (chunk_id) VALUES (old.id);
END;

CREATE TRIGGER chunk_changes_update AFTER UPDATE OF id, text, context, document_id ON chunks BEGIN
    INSERT INTO chunk_changes (chunk_id) VALUES (old.id);
    INSERT INTO chunk_changes (chunk_id) VALUES (new.id);
END;

-- Which library a derived index belongs to: a keyword index found beside another database (a
-- fresh start that kept the index folder) is built again, not caught up.
CREATE TABLE library (
    id TEXT NOT NULL
) STRICT;
INSERT INTO library (id) VALUES (lower(hex(randomblob(16))));

-- Checking the saved vector index against SQLite at start counts and sums one model's chunk ids:
-- from this index it reads ~50 bytes a vector instead of the table's 1.5 KB rows (a cold start
-- of a million-chunk library read all 1.5 GB of them).
CREATE INDEX chunk_vectors_by_model ON chunk_vectors (model_id, chunk_id);
