-- Chats get tags from what they are about (sessions::tags), unless the person set their tags:
-- then they are the person's and never overwritten. Tags given before this were the person's.
ALTER TABLE sessions ADD COLUMN tags_by_person INTEGER NOT NULL DEFAULT 0 CHECK (tags_by_person IN (0, 1));
UPDATE sessions SET tags_by_person = 1 WHERE metadata_tags <> '[]';
