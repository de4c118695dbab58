-- Text read from page images by OCR (scanned PDF pages, image files). A passage records the
-- recognizer's confidence (0 to 1; NULL for text from a text layer); a document, how many of
-- its pages were read that way and their mean confidence.
ALTER TABLE chunks ADD COLUMN ocr_confidence REAL;
ALTER TABLE documents ADD COLUMN ocr_pages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN ocr_confidence REAL;
