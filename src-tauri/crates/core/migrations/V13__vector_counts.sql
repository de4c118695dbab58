-- How many vectors each model has, and the sum of their chunk ids: what the saved vector index's
-- manifest is checked against at start. Triggers keep it in the transaction that changes the
-- vectors, so the check reads one row; counting them read the (model_id, chunk_id) index
-- instead, 1.45 s of a cold start at a million chunks. Vectors are stored with INSERT (or an
-- upsert, which fires the update trigger): INSERT OR REPLACE would delete without the delete
-- trigger and leave the count one too high.
CREATE TABLE vector_counts (
    model_id TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    key_sum INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO vector_counts (model_id, count, key_sum)
    SELECT model_id, COUNT(*), SUM(chunk_id) FROM chunk_vectors GROUP BY model_id;

CREATE TRIGGER vector_counts_insert AFTER INSERT ON chunk_vectors BEGIN
    INSERT INTO vector_counts (model_id, count, key_sum) VALUES (new.model_id, 1, new.chunk_id)
        ON CONFLICT (model_id) DO UPDATE SET count = count + 1, key_sum = key_sum + new.chunk_id;
END;

CREATE TRIGGER vector_counts_delete AFTER DELETE ON chunk_vectors BEGIN
    UPDATE vector_counts SET count = count - 1, key_sum = key_sum - old.chunk_id
        WHERE model_id = old.model_id;
END;

CREATE TRIGGER vector_counts_update AFTER UPDATE OF chunk_id, model_id ON chunk_vectors BEGIN
    UPDATE vector_counts SET count = count - 1, key_sum = key_sum - old.chunk_id
        WHERE model_id = old.model_id;
    INSERT INTO vector_counts (model_id, count, key_sum) VALUES (new.model_id, 1, new.chunk_id)
        ON CONFLICT (model_id) DO UPDATE SET count = count + 1, key_sum = key_sum + new.chunk_id;
END;
