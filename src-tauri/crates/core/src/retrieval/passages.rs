//! A chunk shown to a person as a passage: its text cut into runs, the words a query matched
//! marked exactly as keyword search matched them (FTS5's own tokenizer and stemmer, through its
//! `highlight()` function), and the first chunk on a page, for jumping to that page.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Hit, keyword};
use crate::error::{Error, Result, StorageContext};
use crate::ingest::chunking::PageBox;
use crate::ingest::documents::{self, StoredChunk};
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::{ChunkId, DocumentId};
use crate::text;

/// Marks FTS5 puts around a matched word. Private-use characters: extracted text has no use for
/// them, and a run is shown as text, so a stray one could only misplace a highlight.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A piece of a passage's text; `matched` pieces are words the query matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub text: String,
    pub matched: bool,
}

/// A chunk with its document and its text as runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    pub chunk: StoredChunk,
    pub document_id: DocumentId,
    pub document_name: String,
    /// The document's type (`pdf`, `docx`, …): a PDF's line breaks are layout, not meaning.
    pub document_type: String,
    /// The chunk's whole text, in order; only a query's words are `matched`.
    pub runs: Vec<Run>,
    /// Where the passage's lines are on the PDF's pages; empty for other formats.
    pub boxes: Vec<PageBox>,
}

/// The chunk `chunk_id` with the words of `query` marked (none when the query is empty or the
/// chunk matched by meaning alone).
pub fn passage(db: &Database, chunk_id: ChunkId, query: &str) -> Result<Passage> {
    text::at_most("query", query.chars().count(), 2_000, "characters")?;
    db.read(|conn| {
        let found = conn
            .query_row(
                "SELECT c.id, c.ordinal, c.text, c.page, c.char_start, c.char_end, c.token_count, c.heading_path,
                        d.id, d.name, d.doc_type, c.boxes, c.ocr_confidence
                 FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
                [chunk_id],
                |row| {
                    let chunk = documents::chunk_from_row(row)?;
                    let boxes: Option<String> = row.get(11)?;
                    Ok((
                        chunk,
                        DocumentId(codec::uuid(row, 8)?),
                        row.get::<_, String>(9)?,
                        row.get::<_, String>(10)?,
                        boxes,
                    ))
                },
            )
            .optional()
            .context("reading a passage")?;
        let (chunk, document_id, document_name, document_type, boxes) =
            found.ok_or_else(|| Error::not_found("passage", chunk_id))?;
        let runs = marked_runs(conn, chunk.id.0, &chunk.text, keyword::highlight_expression(query).as_deref())?;
        Ok(Passage {
            chunk,
            document_id,
            document_name,
            document_type,
            runs,
            boxes: PageBox::from_stored(boxes.as_deref()),
        })
    })
}

/// The passage a stored citation points at. A citation keeps its chunk's id, but re-indexing the
/// document replaces its chunks, and SQLite may give a later chunk (of any document) the same id.
/// So the chunk is taken only if it is in the cited document and holds the words the citation
/// quoted; otherwise the passage is found again in that document by those words, so an old
/// answer's sources stay live and never open the wrong text. `NotFound` when the document is gone
/// or no chunk holds those words any more.
pub fn cited(db: &Database, chunk_id: ChunkId, document_id: DocumentId, snippet: &str, query: &str) -> Result<Passage> {
    let document = documents::get(db, document_id)?;
    let needle = quoted_words(snippet);
    let holds = |text: &str| needle.as_deref().is_none_or(|needle| text::one_line(text).contains(needle));
    match passage(db, chunk_id, query) {
        Ok(found) if found.document_id == document.id && holds(&found.chunk.text) => Ok(found),
        Ok(_) | Err(Error::NotFound { .. }) => {
            let Some(needle) = needle.as_deref() else {
                return Err(Error::not_found("passage", chunk_id));
            };
            let moved = relocate(db, document.id, needle)?.ok_or_else(|| Error::not_found("passage", chunk_id))?;
            passage(db, moved, query)
        }
        Err(e) => Err(e),
    }
}

/// Words of a quote that must appear together in a chunk for it to be the quoted one: enough to
/// be unique in a document, few enough to survive a change of chunk boundaries.
const QUOTED_WORDS: usize = 12;

/// The start of a citation's quote ([`text::quote`]: a chunk's text on one line, perhaps cut short
/// with "…"), as the words a chunk must hold to be the quoted one.
fn quoted_words(snippet: &str) -> Option<String> {
    let mut words: Vec<&str> = snippet.split_whitespace().collect();
    if snippet.ends_with('…') {
        // The cut may fall inside a word.
        words.pop();
    }
    words.truncate(QUOTED_WORDS);
    (!words.is_empty()).then(|| words.join(" "))
}

/// The first chunk of `document` that holds `needle` (flattened words).
fn relocate(db: &Database, document: DocumentId, needle: &str) -> Result<Option<ChunkId>> {
    db.read(|conn| {
        let mut stmt = conn
            .prepare_cached("SELECT id, text FROM chunks WHERE document_id = ?1 ORDER BY ordinal")
            .context("preparing the search for a quoted passage")?;
        let mut rows = stmt.query([document]).context("searching for a quoted passage")?;
        while let Some(row) = rows.next().context("reading a chunk")? {
            let text: String = row.get(1).context("reading a chunk's text")?;
            if text::one_line(&text).contains(needle) {
                return Ok(Some(ChunkId(row.get(0).context("reading a chunk's id")?)));
            }
        }
        Ok(None)
    })
}

/// Each hit's text as runs, with the words of `query` marked as in [`passage`]: the meaningful
/// words keyword search matched, as it matched them (a hit found by meaning alone has none).
pub fn mark_hits(db: &Database, hits: &[Hit], query: &str) -> Result<Vec<Vec<Run>>> {
    let expression = keyword::highlight_expression(query);
    db.read(|conn| hits.iter().map(|hit| marked_runs(conn, hit.chunk_id.0, &hit.text, expression.as_deref())).collect())
}

/// `text` (chunk `chunk_id`'s) as runs, the words FTS5 matches for `expression` marked.
fn marked_runs(conn: &Connection, chunk_id: i64, text: &str, expression: Option<&str>) -> Result<Vec<Run>> {
    let marked: Option<String> = match expression {
        Some(expression) => conn
            .query_row(
                "SELECT highlight(chunks_fts, 0, ?3, ?4) FROM chunks_fts WHERE chunks_fts MATCH ?1 AND rowid = ?2",
                params![expression, chunk_id, OPEN.to_string(), CLOSE.to_string()],
                |row| row.get(0),
            )
            .optional()
            .context("marking a passage's matches")?,
        None => None,
    };
    Ok(match marked {
        Some(marked) => runs(&marked),
        None => vec![Run { text: text.to_owned(), matched: false }],
    })
}

/// The ordinal of the first chunk of `document_id` on `page` or, when that page has none (a blank
/// page), on the next page that has one; `None` past the last.
pub fn first_on_page(db: &Database, document_id: DocumentId, page: i64) -> Result<Option<i64>> {
    let document = documents::get(db, document_id)?;
    db.read(|conn| {
        conn.query_row(
            "SELECT MIN(ordinal) FROM chunks WHERE document_id = ?1 AND page >= ?2",
            params![document.id.to_string(), page],
            |row| row.get(0),
        )
        .context("finding a page's first chunk")
    })
}

/// Splits text marked by FTS5 into runs.
fn runs(marked: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut text = String::new();
    let mut matched = false;
    for c in marked.chars() {
        let boundary = match c {
            OPEN => Some(true),
            CLOSE => Some(false),
            _ => None,
        };
        match boundary {
            Some(next) => {
                if !text.is_empty() {
                    runs.push(Run { text: std::mem::take(&mut text), matched });
                }
                matched = next;
            }
            None => text.push(c),
        }
    }
    if !text.is_empty() {
        runs.push(Run { text, matched });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_runs() {
        let runs = runs("Treat \u{E000}mites\u{E001} in \u{E000}autumn\u{E001}");
        let shown: Vec<(&str, bool)> = runs.iter().map(|r| (r.text.as_str(), r.matched)).collect();
        assert_eq!(shown, [("Treat ", false), ("mites", true), (" in ", false), ("autumn", true)]);
    }
}
