//! Search over the library's chunks: keyword (FTS5 BM25), vector (cosine), and hybrid (both,
//! fused by reciprocal rank). Only `ready` documents are searched. Library-wide vector search
//! asks the usearch graph when there is one; a search restricted to some documents (a chat
//! session's) scans exactly their stored vectors, which is exact and, for a few documents, fast.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use uuid::Uuid;

use crate::db::Database;
use crate::embedding::Embedder;
use crate::error::{Error, Result, StorageContext};
use crate::index::VectorIndex;
use crate::limits;
use crate::vectors;

/// How results are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Hybrid,
    Vector,
    Keyword,
}

impl std::str::FromStr for Mode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Mode> {
        match s {
            "hybrid" => Ok(Mode::Hybrid),
            "vector" => Ok(Mode::Vector),
            "keyword" => Ok(Mode::Keyword),
            other => Err(Error::invalid(format!("unknown search mode {other:?}: use hybrid, vector or keyword"))),
        }
    }
}

/// Rank constant of reciprocal rank fusion (Cormack et al.): 60 damps the top ranks' weight.
pub const RRF_K: f64 = 60.0;
/// Most results one search returns.
pub const MAX_K: usize = 200;
/// Each component contributes this many candidates (at least k) before fusion.
const CANDIDATES: usize = 100;

/// A component's view of a hit: its 1-based rank and raw score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComponentRank {
    pub rank: usize,
    pub score: f64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub chunk_id: i64,
    pub document_id: Uuid,
    pub document_name: String,
    pub page: Option<i64>,
    pub ordinal: i64,
    pub text: String,
    /// The fused score (hybrid), or the component's own score.
    pub score: f64,
    pub keyword: Option<ComponentRank>,
    pub vector: Option<ComponentRank>,
}

/// Searches `query`, restricted to `documents` when given (a chat session's: scanned exactly).
/// `index` speeds up library-wide vector search; without it every stored vector is scanned.
pub fn search(
    db: &Database,
    embedder: Option<&dyn Embedder>,
    index: Option<&VectorIndex>,
    query: &str,
    k: usize,
    documents: Option<&[Uuid]>,
    mode: Mode,
) -> Result<Vec<Hit>> {
    let query = limits::required_text("search query", query, 2_000)?;
    if !(1..=MAX_K).contains(&k) {
        return Err(Error::invalid(format!("k must be between 1 and {MAX_K}, got {k}")));
    }
    let candidates = CANDIDATES.max(k);
    let query_vector = match mode {
        Mode::Keyword => None,
        Mode::Vector | Mode::Hybrid => {
            let embedder =
                embedder.ok_or_else(|| Error::ModelUnavailable("vector search needs the embedding model".into()))?;
            Some((embedder.embed(&[query.as_str()])?.remove(0), embedder.model_id().to_owned()))
        }
    };
    db.read(|conn| {
        let keyword = match mode {
            Mode::Vector => Vec::new(),
            _ => keyword_ranking(conn, &query, documents, candidates)?,
        };
        let vector = match (&query_vector, index, documents) {
            (Some((v, model_id)), Some(index), None) if index.model_id() == model_id => index.search(v, candidates)?,
            (Some((v, model_id)), _, _) => vector_ranking(conn, v, model_id, documents, candidates)?,
            (None, _, _) => Vec::new(),
        };
        let fused = fuse(mode, &keyword, &vector, k);
        hydrate(conn, fused)
    })
}

/// Chunk ids with BM25 scores, best first (FTS5's bm25 is lower-is-better; we negate it).
fn keyword_ranking(conn: &Connection, query: &str, docs: Option<&[Uuid]>, n: usize) -> Result<Vec<(i64, f64)>> {
    // Each word becomes a quoted FTS5 string, OR'ed: no user text is parsed as query syntax.
    // Stop words match nearly every chunk and weigh almost nothing in BM25; scoring all those
    // matches is what makes a keyword search slow, so they are left out unless they are all
    // the query has.
    let Some(expression) = match_expression(query) else {
        return Ok(Vec::new());
    };
    match docs {
        Some(ids) if ids.len() <= PER_DOCUMENT_KEYWORD_LIMIT => {
            let mut ranked = Vec::new();
            for id in ids {
                ranked.extend(keyword_ranking_in(conn, &expression, *id, n)?);
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(n);
            Ok(ranked)
        }
        _ => keyword_ranking_all(conn, &expression, docs, n),
    }
}

/// The FTS5 expression keyword search uses for `query`: its words, each a quoted string, OR'ed,
/// stop words left out unless they are all there is. `None` when the query has no word.
pub(crate) fn match_expression(query: &str) -> Option<String> {
    let words: Vec<&str> = query.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let content: Vec<&str> = words.iter().copied().filter(|w| !is_stop_word(w)).collect();
    let chosen = if content.is_empty() { &words } else { &content };
    let terms: Vec<String> = chosen.iter().map(|t| format!("\"{t}\"")).collect();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

/// Up to this many documents, a filtered keyword search asks the text index once per document.
const PER_DOCUMENT_KEYWORD_LIMIT: usize = 50;

/// BM25 ranking over one document's chunks. A document's chunks are stored together, so their
/// ids span a short range that FTS5 seeks to directly, instead of matching the whole library and
/// filtering; BM25's statistics are the whole index's either way, so scores compare across
/// documents.
fn keyword_ranking_in(conn: &Connection, expression: &str, document: Uuid, n: usize) -> Result<Vec<(i64, f64)>> {
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
        .query_map(params![expression, document.to_string(), n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .context("keyword search in a document")?
        .collect::<rusqlite::Result<_>>()
        .context("reading keyword results")?;
    Ok(rows)
}

fn keyword_ranking_all(
    conn: &Connection,
    expression: &str,
    docs: Option<&[Uuid]>,
    n: usize,
) -> Result<Vec<(i64, f64)>> {
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

/// Exact cosine over every stored vector of `model_id` (within the filter), best first.
fn vector_ranking(
    conn: &Connection,
    query: &[f32],
    model_id: &str,
    docs: Option<&[Uuid]>,
    n: usize,
) -> Result<Vec<(i64, f64)>> {
    let (filter, mut args) = document_filter("d.id", docs);
    args.insert(0, model_id.to_owned());
    let sql = format!(
        "SELECT v.chunk_id, v.vector FROM chunk_vectors v
         JOIN chunks c ON c.id = v.chunk_id JOIN documents d ON d.id = c.document_id
         WHERE v.model_id = ?1 AND d.status = 'ready' {filter}"
    );
    let mut stmt = conn.prepare(&sql).context("preparing vector search")?;
    let mut rows = stmt.query(params_from_iter(args.iter())).context("vector search")?;
    let mut scored: Vec<(i64, f64)> = Vec::new();
    while let Some(row) = rows.next().context("reading vectors")? {
        let blob: Vec<u8> = row.get(1).context("reading a vector")?;
        if let Some(v) = vectors::from_blob(&blob) {
            scored.push((row.get(0).context("reading a chunk id")?, f64::from(vectors::dot(query, &v))));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(n);
    Ok(scored)
}

/// The commonest English function words (a short list: rarer ones cost little).
fn is_stop_word(word: &str) -> bool {
    const STOP_WORDS: &[&str] = &[
        "a", "about", "all", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do",
        "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
        "no", "not", "of", "on", "or", "our", "out", "should", "so", "than", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "why",
        "will", "with", "would", "you", "your",
    ];
    STOP_WORDS.contains(&word.to_lowercase().as_str())
}

/// `AND <column> IN (?2, ?3, …)` for a filter, with its arguments (numbered after the first).
fn document_filter(column: &str, docs: Option<&[Uuid]>) -> (String, Vec<String>) {
    match docs {
        None => (String::new(), Vec::new()),
        Some(ids) => {
            let marks: Vec<String> = (0..ids.len()).map(|i| format!("?{}", i + 2)).collect();
            let filter =
                if ids.is_empty() { "AND 0".to_owned() } else { format!("AND {column} IN ({})", marks.join(", ")) };
            (filter, ids.iter().map(Uuid::to_string).collect())
        }
    }
}

type Fused = (i64, f64, Option<ComponentRank>, Option<ComponentRank>);

fn fuse(mode: Mode, keyword: &[(i64, f64)], vector: &[(i64, f64)], k: usize) -> Vec<Fused> {
    let mut by_chunk: HashMap<i64, (Option<ComponentRank>, Option<ComponentRank>)> = HashMap::new();
    for (i, &(id, score)) in keyword.iter().enumerate() {
        by_chunk.entry(id).or_default().0 = Some(ComponentRank { rank: i + 1, score });
    }
    for (i, &(id, score)) in vector.iter().enumerate() {
        by_chunk.entry(id).or_default().1 = Some(ComponentRank { rank: i + 1, score });
    }
    let rrf = |c: Option<ComponentRank>| c.map_or(0.0, |c| 1.0 / (RRF_K + c.rank as f64));
    let mut fused: Vec<Fused> = by_chunk
        .into_iter()
        .map(|(id, (kw, vec))| {
            let score = match mode {
                Mode::Hybrid => rrf(kw) + rrf(vec),
                Mode::Keyword => kw.map_or(0.0, |c| c.score),
                Mode::Vector => vec.map_or(0.0, |c| c.score),
            };
            (id, score, kw, vec)
        })
        .collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    fused.truncate(k);
    fused
}

/// Reads the fused hits' chunks. A hit whose chunk is gone or whose document is no longer ready
/// (the index can briefly lag a delete) is left out.
fn hydrate(conn: &Connection, fused: Vec<Fused>) -> Result<Vec<Hit>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.document_id, d.name, c.page, c.ordinal, c.text FROM chunks c
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1 AND d.status = 'ready'",
        )
        .context("preparing search results")?;
    let mut hits = Vec::with_capacity(fused.len());
    for (chunk_id, score, keyword, vector) in fused {
        let hit = stmt
            .query_row([chunk_id], |r| {
                Ok(Hit {
                    chunk_id,
                    document_id: crate::columns::uuid(r, 0)?,
                    document_name: r.get(1)?,
                    page: r.get(2)?,
                    ordinal: r.get(3)?,
                    text: r.get(4)?,
                    score,
                    keyword,
                    vector,
                })
            })
            .optional()
            .context("reading a search result")?;
        hits.extend(hit);
    }
    Ok(hits)
}
