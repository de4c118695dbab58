//! Vector search by exact cosine over stored vectors: what a search restricted to a few
//! documents does (the usearch graph serves library-wide search).

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
