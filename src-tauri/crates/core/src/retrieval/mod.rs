//! Finding the passages that answer a question.
//!
//! Owns: search over the library's chunks, keyword ([`keyword`]: FTS5 BM25), vector ([`vector`]:
//! cosine), and hybrid (both, [`fusion`] by reciprocal rank); the approximate-nearest-neighbour
//! [`index`] (usearch, derived from the stored vectors); stored vectors' encoding ([`vectors`]);
//! and [`passages`], a chunk shown to a person with the query's words marked. Only `ready`
//! documents are searched. Library-wide vector search asks the usearch graph when there is one;
//! a search restricted to some documents (a chat session's) scans exactly their stored vectors,
//! which is exact and, for a few documents, fast. Uses [`crate::store`], the embedder seam of
//! [`crate::models`] and the library's documents table (a passage's document). Never writes
//! chunks or documents.

pub mod fusion;
pub mod index;
pub mod keyword;
pub mod keyword_index;
pub mod passages;
pub mod vector;
pub mod vectors;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result, StorageContext};
use crate::models::embedding::Embedder;
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::{ChunkId, DocumentId};
use crate::text;
pub use fusion::RRF_K;
use fusion::{Fused, fuse};
use index::VectorIndex;
use keyword_index::KeywordIndex;

/// How results are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "Mode.ts")]
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

/// Most results one search returns.
pub const MAX_K: usize = 200;
/// Each component contributes this many candidates (at least k) before fusion.
const CANDIDATES: usize = 100;

/// A component's view of a hit: its 1-based rank and raw score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "ComponentRank.ts")]
pub struct ComponentRank {
    pub rank: usize,
    pub score: f64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub chunk_id: ChunkId,
    pub document_id: DocumentId,
    pub document_name: String,
    pub page: Option<i64>,
    pub ordinal: i64,
    pub text: String,
    /// The fused score (hybrid), or the component's own score.
    pub score: f64,
    pub keyword: Option<ComponentRank>,
    pub vector: Option<ComponentRank>,
    /// Set when the passage was read from a page's image by OCR: the recognizer's confidence.
    pub ocr_confidence: Option<f64>,
}

/// What to search for: the query, how many results, which documents (all ready ones when
/// `None`) and how to rank.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    pub k: usize,
    /// Only these documents (a chat session's), scanned exactly; `None` searches the library.
    pub documents: Option<Vec<DocumentId>>,
    pub mode: Mode,
}

impl SearchRequest {
    /// Results a search returns when the caller does not say.
    pub const DEFAULT_K: usize = 10;

    /// A hybrid search of the whole library for `query`, [`SearchRequest::DEFAULT_K`] results.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest { query: query.into(), k: Self::DEFAULT_K, documents: None, mode: Mode::Hybrid }
    }

    /// The same search with `k` results.
    pub fn k(self, k: usize) -> SearchRequest {
        SearchRequest { k, ..self }
    }

    /// The same search, ranked by `mode`.
    pub fn mode(self, mode: Mode) -> SearchRequest {
        SearchRequest { mode, ..self }
    }

    /// The same search, restricted to `documents`.
    pub fn within(self, documents: Vec<DocumentId>) -> SearchRequest {
        SearchRequest { documents: Some(documents), ..self }
    }
}

/// What a search reads besides the database: the embedding model (vector and hybrid search
/// need it), the vector index (without it every stored vector is scanned) and the keyword index
/// (without it, or while it is behind, FTS5 ranks).
#[derive(Clone, Copy, Default)]
pub struct Searchers<'a> {
    pub embedder: Option<&'a dyn Embedder>,
    pub vectors: Option<&'a VectorIndex>,
    pub keywords: Option<&'a KeywordIndex>,
}

/// Runs `request` with FTS5 ranking the keywords. `embedder` is needed for vector and hybrid
/// search; `index` speeds up library-wide vector search (without it every stored vector is
/// scanned).
pub fn search(
    db: &Database,
    embedder: Option<&dyn Embedder>,
    index: Option<&VectorIndex>,
    request: &SearchRequest,
) -> Result<Vec<Hit>> {
    search_with(db, Searchers { embedder, vectors: index, keywords: None }, request)
}

/// Runs `request` with what `searchers` has.
pub fn search_with(db: &Database, searchers: Searchers<'_>, request: &SearchRequest) -> Result<Vec<Hit>> {
    let Searchers { embedder, vectors: index, keywords } = searchers;
    let SearchRequest { k, mode, .. } = *request;
    let documents = request.documents.as_deref();
    let query = text::required("search query", &request.query, 2_000)?;
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
        let graph = match (&query_vector, index, documents) {
            (Some((v, model_id)), Some(index), None) if index.model_id() == model_id => Some((index, v, None)),
            // Many documents (a large collection): the graph, walking only their chunks.
            (Some((v, model_id)), Some(index), Some(docs)) if index.model_id() == model_id => {
                vector::large_filter(conn, docs)?.map(|ranges| (index, v, Some(ranges)))
            }
            _ => None,
        };
        // The graph is walked on a thread of its own while the keywords are ranked on this one:
        // a hybrid search takes the longer of the two, not their sum.
        std::thread::scope(|scope| {
            let walk = graph.map(|(index, v, ranges)| {
                scope.spawn(move || match ranges {
                    None => index.search(v, candidates),
                    Some(ranges) => index.filtered_search(v, candidates, |id| ranges.contains(id)),
                })
            });
            let keyword = match mode {
                Mode::Vector => Vec::new(),
                _ => keyword::ranking(conn, keywords, &query, documents, candidates)?,
            };
            let vector = match (walk, &query_vector) {
                (Some(walk), _) => walk.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
                // A few documents (a chat's): their stored vectors, exactly.
                (None, Some((v, model_id))) => vector::ranking(conn, v, model_id, documents, candidates)?,
                (None, None) => Vec::new(),
            };
            let fused = fuse(mode, &keyword, &vector, k);
            let mut hits = hydrate(conn, fused)?;
            // The graph's filter goes by id ranges; what is returned is checked by document too.
            if let Some(docs) = documents {
                hits.retain(|h| docs.contains(&h.document_id));
            }
            Ok(hits)
        })
    })
}

/// `AND <column> IN (?2, ?3, …)` for a filter, with its arguments (numbered after the first).
pub(crate) fn document_filter(column: &str, docs: Option<&[DocumentId]>) -> (String, Vec<String>) {
    match docs {
        None => (String::new(), Vec::new()),
        Some(ids) => {
            let marks: Vec<String> = (0..ids.len()).map(|i| format!("?{}", i + 2)).collect();
            let filter =
                if ids.is_empty() { "AND 0".to_owned() } else { format!("AND {column} IN ({})", marks.join(", ")) };
            (filter, ids.iter().map(ToString::to_string).collect())
        }
    }
}

/// Reads the fused hits' chunks. A hit whose chunk is gone or whose document is no longer ready
/// (the index can briefly lag a delete) is left out.
fn hydrate(conn: &Connection, fused: Vec<Fused>) -> Result<Vec<Hit>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.document_id, d.name, c.page, c.ordinal, c.text, c.ocr_confidence FROM chunks c
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1 AND d.status = 'ready'",
        )
        .context("preparing search results")?;
    let mut hits = Vec::with_capacity(fused.len());
    for (chunk_id, score, keyword, vector) in fused {
        let hit = stmt
            .query_row([chunk_id], |r| {
                Ok(Hit {
                    chunk_id: ChunkId(chunk_id),
                    document_id: DocumentId(codec::uuid(r, 0)?),
                    document_name: r.get(1)?,
                    page: r.get(2)?,
                    ordinal: r.get(3)?,
                    text: r.get(4)?,
                    score,
                    keyword,
                    vector,
                    ocr_confidence: r.get(5)?,
                })
            })
            .optional()
            .context("reading a search result")?;
        hits.extend(hit);
    }
    Ok(hits)
}
