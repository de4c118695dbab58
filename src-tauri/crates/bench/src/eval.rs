//! Retrieval quality on a TREC-format test collection (`corpus/*.trec`, `query-text.trec`,
//! `qrels`): ingest every document, run every query in each mode, and score the ranking with
//! nDCG@10 and recall@100 against the relevance judgements.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use hearth_core::ingest::chunking::Chunker;
use hearth_core::ingest::extract::DocType;
use hearth_core::ingest::extract::Parsers;
use hearth_core::ingest::{Pipeline, Source};
use hearth_core::models::embedding::Embedder;
use hearth_core::retrieval::index::VectorIndex;
use hearth_core::retrieval::keyword_index::KeywordIndex;
use hearth_core::retrieval::{self, Mode, SearchRequest, Searchers};
use hearth_core::store::Database;
use hearth_core::{DocumentId, Error, Result};
use serde::Serialize;

/// The scores of one search mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeScore {
    pub mode: Mode,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    pub mean_query_ms: f64,
}

/// What an evaluation measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub documents: usize,
    pub queries: usize,
    pub ingest_seconds: f64,
    pub modes: Vec<ModeScore>,
}

/// Ingests the collection in `dir` into `db` and scores every mode.
pub fn run_trec(
    db: &Database,
    embedder: &dyn Embedder,
    chunker: &Chunker,
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report> {
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|source| Error::Io { context: format!("reading {}", path.display()), source })
    };
    let corpus_dir = dir.join("corpus");
    let mut docs = Vec::new();
    let entries = std::fs::read_dir(&corpus_dir)
        .map_err(|source| Error::Io { context: format!("listing {}", corpus_dir.display()), source })?;
    for entry in entries.flatten() {
        if entry.path().extension().is_some_and(|e| e == "trec") {
            docs.extend(tagged(&read(&entry.path())?, "DOC", "DOCNO"));
        }
    }
    let queries = tagged(&read(&dir.join("query-text.trec"))?, "top", "num");
    let qrels = parse_qrels(&read(&dir.join("qrels"))?);
    if docs.is_empty() || queries.is_empty() {
        return Err(Error::InvalidInput(format!("{} holds no TREC documents or queries", dir.display())));
    }

    let started = Instant::now();
    let pipeline = Pipeline {
        db,
        embedder,
        chunker,
        index: None,
        parsers: Parsers::in_process(),
        originals: None,
        options: Default::default(),
    };
    // Identical texts dedup to one document, so a document may stand for several docnos.
    let mut docnos: HashMap<DocumentId, Vec<String>> = HashMap::new();
    for (i, (docno, text)) in docs.iter().enumerate() {
        let source = Source { name: docno, path: None, doc_type: DocType::Text, bytes: text.as_bytes() };
        let added = pipeline.add_bytes(source, &mut |_| {})?;
        docnos.entry(added.document.id).or_default().push(docno.clone());
        progress(i + 1, docs.len());
    }
    let ingest_seconds = started.elapsed().as_secs_f64();
    // Scored as the app searches the whole library: through the vector index.
    let data_dir = db.path().parent().unwrap_or(Path::new("."));
    let (index, _) = VectorIndex::open(db, data_dir, embedder.model_id())?;
    let keywords = KeywordIndex::open(data_dir)?;
    keywords.sync(db)?;
    let searchers = Searchers { embedder: Some(embedder), vectors: Some(&index), keywords: Some(&keywords) };

    let judged: Vec<&(String, String)> = queries.iter().filter(|(qid, _)| qrels.contains_key(qid)).collect();
    let mut modes = Vec::new();
    for mode in [Mode::Keyword, Mode::Vector, Mode::Hybrid] {
        let (mut ndcg, mut recall, mut ms) = (0.0, 0.0, 0.0);
        for (qid, text) in &judged {
            let t = Instant::now();
            let hits = retrieval::search_with(db, searchers, &SearchRequest::new(text.as_str()).k(100).mode(mode))?;
            ms += t.elapsed().as_secs_f64() * 1000.0;
            let mut seen = HashSet::new();
            let ranked: Vec<&str> = hits
                .iter()
                .flat_map(|h| docnos.get(&h.document_id).into_iter().flatten())
                .filter(|d| seen.insert(d.as_str()))
                .map(String::as_str)
                .collect();
            let relevant = &qrels[qid.as_str()];
            ndcg += ndcg_at(&ranked, relevant, 10);
            recall += ranked.iter().take(100).filter(|d| relevant.contains(**d)).count() as f64 / relevant.len() as f64;
        }
        let n = judged.len() as f64;
        modes.push(ModeScore { mode, ndcg_at_10: ndcg / n, recall_at_100: recall / n, mean_query_ms: ms / n });
    }
    Ok(Report { documents: docs.len(), queries: judged.len(), ingest_seconds, modes })
}

/// Binary-relevance nDCG at `k`.
pub fn ndcg_at(ranked: &[&str], relevant: &HashSet<String>, k: usize) -> f64 {
    let gain = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 =
        ranked.iter().take(k).enumerate().filter(|(_, d)| relevant.contains(**d)).map(|(i, _)| gain(i)).sum();
    let ideal: f64 = (0..relevant.len().min(k)).map(gain).sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

/// `(id, text)` of every `<outer>` element: `id` is the `<id_tag>` content, `text` the rest.
fn tagged(source: &str, outer: &str, id_tag: &str) -> Vec<(String, String)> {
    let (open, close) = (format!("<{outer}>"), format!("</{outer}>"));
    let (id_open, id_close) = (format!("<{id_tag}>"), format!("</{id_tag}>"));
    source
        .split(&open)
        .skip(1)
        .filter_map(|block| {
            let block = block.split(&close).next()?;
            let start = block.find(&id_open)? + id_open.len();
            let end = block.find(&id_close)?;
            let id = block[start..end].trim().to_owned();
            let text = block[end + id_close.len()..].replace("<title>", " ").replace("</title>", " ");
            Some((id, text.split_whitespace().collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

/// `qid 0 docno relevance` lines; only relevance > 0 counts.
fn parse_qrels(source: &str) -> HashMap<String, HashSet<String>> {
    let mut qrels: HashMap<String, HashSet<String>> = HashMap::new();
    for line in source.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [qid, _, docno, rel] = fields[..]
            && rel.parse::<i32>().is_ok_and(|r| r > 0)
        {
            qrels.entry(qid.to_owned()).or_default().insert(docno.to_owned());
        }
    }
    qrels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_rewards_relevant_documents_near_the_top() {
        let relevant: HashSet<String> = ["a", "b"].into_iter().map(String::from).collect();
        assert!((ndcg_at(&["a", "b", "c"], &relevant, 10) - 1.0).abs() < 1e-12);
        assert_eq!(ndcg_at(&["c", "d"], &relevant, 10), 0.0);
        let late = ndcg_at(&["c", "a", "b"], &relevant, 10);
        assert!(late > 0.0 && late < 1.0);
        assert_eq!(ndcg_at(&["c", "d", "a"], &relevant, 2), 0.0, "only the top k count");
    }

    #[test]
    fn trec_documents_queries_and_qrels_parse() {
        let docs = tagged(
            "<DOC>\n<DOCNO>7</DOCNO>\nsome  text\nhere\n</DOC>\n<DOC><DOCNO>8</DOCNO>more</DOC>",
            "DOC",
            "DOCNO",
        );
        assert_eq!(docs, vec![("7".into(), "some text here".into()), ("8".into(), "more".into())]);
        let queries = tagged("<top>\n<num>1</num><title>\nMEASUREMENT OF X\n</title>\n</top>", "top", "num");
        assert_eq!(queries, vec![("1".into(), "MEASUREMENT OF X".into())]);
        let qrels = parse_qrels("1 0 1239 1\n1 0 1502 1\n2 0 9 0\n");
        assert_eq!(qrels["1"].len(), 2);
        assert!(!qrels.contains_key("2"));
    }
}
