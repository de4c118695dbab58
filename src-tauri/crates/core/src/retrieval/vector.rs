//! Vector search by exact cosine over stored vectors: what a search restricted to a few
//! documents does (the usearch graph serves library-wide search, and a filter so large that
//! scanning its vectors would be slower than walking the graph: [`large_filter`]).

use rusqlite::{Connection, params_from_iter};

use super::{document_filter, vectors};
use crate::error::{Result, StorageContext};
use crate::store::ids::DocumentId;

/// Exact cosine over every stored vector of `model_id` (within the filter), best first.
pub(crate) fn ranking(
    conn: &Connection,
    query: &[f32],
    model_id: &str,
    docs: Option<&[DocumentId]>,
    n: usize,
) -> Result<Vec<(i64, f64)>> {
    let (filter, mut args) = document_filter("d.id", docs);
    // `+v.model_id`: the search goes from the filter's documents to their chunks' vectors; the
    // index on `model_id` (every vector of the model) would make SQLite start from all of them.
    args.insert(0, model_id.to_owned());
    let sql = format!(
        "SELECT v.chunk_id, v.vector FROM chunk_vectors v
         JOIN chunks c ON c.id = v.chunk_id JOIN documents d ON d.id = c.document_id
         WHERE +v.model_id = ?1 AND d.status = 'ready' {filter}"
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

/// Above this many vectors a filtered search walks the graph instead of scanning them (an exact
/// scan reads every vector from SQLite: about 1.5 KB each).
pub(crate) const EXACT_SCAN_LIMIT: i64 = 20_000;

/// The chunk-id ranges of `docs`, when they have more than [`EXACT_SCAN_LIMIT`] chunks. A
/// document's chunks are stored in one transaction, so their ids are one range of its own.
pub(crate) fn large_filter(conn: &Connection, docs: &[DocumentId]) -> Result<Option<IdRanges>> {
    if docs.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (1..=docs.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "SELECT MIN(id), MAX(id), COUNT(*) FROM chunks WHERE document_id IN ({}) GROUP BY document_id ORDER BY MIN(id)",
        marks.join(", ")
    );
    let mut stmt = conn.prepare(&sql).context("preparing the filter's ranges")?;
    let rows: Vec<(i64, i64, i64)> = stmt
        .query_map(params_from_iter(docs.iter().map(ToString::to_string)), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .context("reading the filter's ranges")?
        .collect::<rusqlite::Result<_>>()
        .context("reading the filter's ranges")?;
    let total: i64 = rows.iter().map(|r| r.2).sum();
    Ok((total > EXACT_SCAN_LIMIT).then(|| IdRanges(rows.into_iter().map(|(lo, hi, _)| (lo, hi)).collect())))
}

/// Sorted, disjoint, inclusive ranges of chunk ids.
pub(crate) struct IdRanges(Vec<(i64, i64)>);

impl IdRanges {
    pub(crate) fn contains(&self, id: i64) -> bool {
        let at = self.0.partition_point(|&(lo, _)| lo <= id);
        at > 0 && id <= self.0[at - 1].1
    }
}
