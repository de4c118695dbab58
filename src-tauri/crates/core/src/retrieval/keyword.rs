//! Keyword search: BM25 over the chunks' text — the tantivy [`KeywordIndex`] when it holds every
//! change, else FTS5. No user text is ever parsed as query syntax: each word becomes a quoted
//! FTS5 string, or a term.

use rusqlite::{Connection, params, params_from_iter};

use super::document_filter;
use super::keyword_index::KeywordIndex;
use crate::error::{Result, StorageContext};
use crate::store::ids::DocumentId;
use crate::text;

/// Chunk ids with BM25 scores, best first (FTS5's bm25 is lower-is-better; we negate it). The
/// keyword `index` answers when it holds every change to the chunks; FTS5 otherwise (an index
/// being built, or behind another process's writes).
pub(crate) fn ranking(
    conn: &Connection,
    index: Option<&KeywordIndex>,
    query: &str,
    docs: Option<&[DocumentId]>,
    n: usize,
) -> Result<Vec<(i64, f64)>> {
    if let Some(index) = index {
        match index.ranking(conn, &query_words(query), docs, n) {
            Ok(Some(ranked)) => return Ok(ranked),
            Ok(None) => {}
            // The index is derived: whatever is wrong with it, FTS5 still has every chunk.
            Err(error) => tracing::warn!(%error, "the keyword index failed; FTS5 ranks"),
        }
    }
    // Each word becomes a quoted FTS5 string, OR'ed: no user text is parsed as query syntax.
    let Some(expression) = match_expression(query) else {
        return Ok(Vec::new());
    };
    match docs {
        Some(ids) if ids.len() <= PER_DOCUMENT_KEYWORD_LIMIT => {
            let mut ranked = Vec::new();
            for id in ids {
                ranked.extend(ranking_in(conn, &expression, *id, n)?);
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(n);
            Ok(ranked)
        }
        _ => ranking_all(conn, &expression, docs, n),
    }
}

/// The FTS5 expression keyword search uses for `query`: its words, each a quoted string, OR'ed,
/// stop words left out unless they are all there is. `None` when the query has no word.
pub(crate) fn match_expression(query: &str) -> Option<String> {
    let terms: Vec<String> = query_words(query).iter().map(|t| format!("\"{t}\"")).collect();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

/// The words keyword search looks for: the query's, stop words left out unless they are all it
/// has. Stop words match nearly every chunk and weigh almost nothing in BM25; scoring all those
/// matches is what makes a keyword search slow.
fn query_words(query: &str) -> Vec<&str> {
    let words: Vec<&str> = text::words(query).collect();
    let content: Vec<&str> = words.iter().copied().filter(|w| !is_stop_word(w)).collect();
    if content.is_empty() { words } else { content }
}

/// The FTS5 expression for marking `query`'s words in a passage: like [`match_expression`], but
/// only the words that carry meaning — no stop words, no single letters ("R"), no verbs that any
/// question has ("use", "get") — so a highlight points at what the question is about. `None`
/// when no such word is left: nothing is marked.
pub(crate) fn highlight_expression(query: &str) -> Option<String> {
    const GENERIC: &[&str] = &[
        "use", "used", "uses", "using", "get", "gets", "make", "makes", "need", "needs", "want", "work", "works",
        "way", "set", "give", "find", "tell", "know", "mean", "means", "one", "also", "any", "some", "many", "much",
        "more", "most", "other",
    ];
    let terms: Vec<String> = text::words(query)
        .filter(|w| w.chars().count() > 1 && !is_stop_word(w) && !GENERIC.contains(&w.to_lowercase().as_str()))
        .map(|w| format!("\"{w}\""))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

/// Up to this many documents, a filtered keyword search asks the text index once per document.
const PER_DOCUMENT_KEYWORD_LIMIT: usize = 50;

/// BM25 ranking over one document's chunks. A document's chunks are stored together, so their
/// ids span a short range that FTS5 seeks to directly, instead of matching the whole library and
/// filtering; BM25's statistics are the whole index's either way, so scores compare across
/// documents.
fn ranking_in(conn: &Connection, expression: &str, document: DocumentId, n: usize) -> Result<Vec<(i64, f64)>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT chunks_fts.rowid, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
             WHERE chunks_fts MATCH ?1
               AND chunks_fts.rowid BETWEEN (SELECT MIN(id) FROM chunks WHERE document_id = ?2)
                                        AND (SELECT MAX(id) FROM chunks WHERE document_id = ?2)
               AND c.document_id = ?2
             ORDER BY bm25(chunks_fts) LIMIT ?3",
        )
        .context("preparing keyword search in a document")?;
    let rows = stmt
        .query_map(params![expression, document, n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .context("keyword search in a document")?
        .collect::<rusqlite::Result<_>>()
        .context("reading keyword results")?;
    Ok(rows)
}

fn ranking_all(conn: &Connection, expression: &str, docs: Option<&[DocumentId]>, n: usize) -> Result<Vec<(i64, f64)>> {
    // Only ready documents have chunks (they are stored in the transaction that makes a document
    // ready), so no join to `documents` is needed; without a filter the text index alone decides.
    // (A `rowid IN (subquery)` filter was measured 30× slower than this join: FTS5 cannot use it.)
    let (join, filter, mut args) = match docs {
        None => ("", String::new(), Vec::new()),
        Some(_) => {
            let (filter, args) = document_filter("c.document_id", docs);
            ("JOIN chunks c ON c.id = chunks_fts.rowid", filter, args)
        }
    };
    args.insert(0, expression.to_owned());
    let sql = format!(
        "SELECT chunks_fts.rowid, -bm25(chunks_fts) FROM chunks_fts {join}
         WHERE chunks_fts MATCH ?1 {filter} ORDER BY bm25(chunks_fts) LIMIT {n}"
    );
    let mut stmt = conn.prepare(&sql).context("preparing keyword search")?;
    let rows = stmt
        .query_map(params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))
        .context("keyword search")?
        .collect::<rusqlite::Result<_>>()
        .context("reading keyword results")?;
    Ok(rows)
}

/// The commonest English function words (a short list: rarer ones cost little).
pub(crate) fn is_stop_word(word: &str) -> bool {
    const STOP_WORDS: &[&str] = &[
        "a", "about", "all", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
        "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
        "no", "not", "of", "on", "or", "our", "out", "should", "so", "than", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "why",
        "will", "with", "would", "you", "your",
    ];
    STOP_WORDS.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::{highlight_expression, match_expression};

    #[test]
    fn only_meaningful_words_are_marked_though_all_are_searched() {
        let question = "How do I use R to install packages?";
        assert_eq!(match_expression(question).as_deref(), Some("\"use\" OR \"R\" OR \"install\" OR \"packages\""));
        assert_eq!(highlight_expression(question).as_deref(), Some("\"install\" OR \"packages\""));
        assert_eq!(highlight_expression("How do I use it?"), None);
    }
}
