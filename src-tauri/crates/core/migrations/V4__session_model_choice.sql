-- Which model answers each chat (see store::model_choice): `extractive`, a GGUF file's path, or
-- `URL#NAME` for a server's model. NULL for chats made before a chat had its own model: they
-- follow the language-model settings, as they did.
ALTER TABLE sessions ADD COLUMN model_choice TEXT;
