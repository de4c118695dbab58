//! Reciprocal rank fusion: a hybrid search's keyword and vector rankings made one.

use std::collections::HashMap;

use super::{ComponentRank, Mode};

/// Rank constant of reciprocal rank fusion (Cormack et al.): 60 damps the top ranks' weight.
pub const RRF_K: f64 = 60.0;
/// A fused hit: chunk id, score, and each component's rank.
pub(crate) type Fused = (i64, f64, Option<ComponentRank>, Option<ComponentRank>);

pub(crate) fn fuse(mode: Mode, keyword: &[(i64, f64)], vector: &[(i64, f64)], k: usize) -> Vec<Fused> {
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
