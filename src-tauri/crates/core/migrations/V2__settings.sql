-- Settings the person can change (default model, later the LLM backend and retrieval knobs).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
