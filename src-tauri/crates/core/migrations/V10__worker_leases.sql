-- Which process is working on a document (extracting or embedding it): its id names a lock
-- file it holds in the data directory's `workers/` for as long as it runs. Any process can tell
-- live work (the file is locked) from work a killed process left (it is not), and take the
-- latter over. NULL for documents not being worked on, and for work from before this column.
ALTER TABLE documents ADD COLUMN worker TEXT;
