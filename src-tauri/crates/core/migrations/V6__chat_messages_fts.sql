-- Chats are found by what was said in them: a full-text index over the messages' content,
-- kept by triggers (the messages table stays the source of truth).
CREATE VIRTUAL TABLE chat_messages_fts USING fts5 (
    content,
    content = 'chat_messages',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chat_messages_fts_insert AFTER INSERT ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TRIGGER chat_messages_fts_delete AFTER DELETE ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;

CREATE TRIGGER chat_messages_fts_update AFTER UPDATE OF content ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO chat_messages_fts (rowid, content) VALUES (new.id, new.content);
END;

INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild');
