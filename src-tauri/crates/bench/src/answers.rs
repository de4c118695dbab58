//! How well an answer with no model quotes the sentence that answers (`hearth eval answers`): a
//! question set over real documents, each question with a few words of the sentence that answers
//! it. Retrieval runs as a chat turn's does (hybrid, the top 5 passages of the set's documents),
//! then each way of picking sentences is scored: the lead (the first sentence of the best
//! passage: what a reader of the passage-quoting placeholder saw first), the question's words,
//! and the embedding model against the question (what `chat::llm::extractive` ships). A question
//! counts at 1 when the first quoted sentence holds the answer, at 3 when any quoted one does.

use hearth_core::ingest::chunking::Structure;
use hearth_core::models::embedding::EmbeddingCompute;
use std::path::{Path, PathBuf};
use std::time::Instant;

use hearth_core::chat::llm::CitedPassage;
use hearth_core::chat::llm::extractive::{self, Sentence};
use hearth_core::ingest::extract::Parsers;
use hearth_core::models::embedding::Embedder;
use hearth_core::retrieval::keyword_index::KeywordIndex;
use hearth_core::retrieval::{self, Mode, SearchRequest, Searchers};
use hearth_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::{Scratch, ingest, storage};

/// Passages retrieved per question, as the chat turn's default.
const TOP_N: usize = 5;

/// A question set (JSON).
#[derive(Debug, Deserialize)]
pub struct QuestionSet {
    /// Paths of the documents the questions are about (relative ones from the current directory).
    pub documents: Vec<PathBuf>,
    pub questions: Vec<Question>,
}

/// A question and a few words of the sentence that answers it.
#[derive(Debug, Deserialize)]
pub struct Question {
    pub question: String,
    pub answer: String,
    /// The document and page that answer, when known: hit@5 by page does not depend on how the
    /// text was extracted.
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
}

/// One way of picking sentences, scored.
#[derive(Debug, Clone, Serialize)]
pub struct MethodScore {
    pub method: &'static str,
    /// Share of questions whose first quoted sentence holds the answer.
    pub at_1: f64,
    /// Share whose quoted sentences (at most three) hold it.
    pub at_3: f64,
    pub mean_sentences: f64,
    pub mean_ms: f64,
}

/// What `hearth eval answers` measured.
#[derive(Debug, Clone, Serialize)]
pub struct AnswersReport {
    pub documents: usize,
    pub chunks: usize,
    pub questions: usize,
    /// Share of questions with the answer somewhere in the retrieved passages: the ceiling.
    pub retrieved: f64,
    /// Of the questions with a known page, the share with a retrieved passage from that page of
    /// that document (hit@5).
    pub page_hit_at_5: f64,
    /// The same, for the best passage alone (hit@1).
    pub page_hit_at_1: f64,
    pub questions_with_page: usize,
    /// For each question with a known page, in order: the rank (1-based) of the first passage
    /// from that page among the retrieved ones, if any (for comparing two runs question by question).
    pub page_ranks: Vec<Option<usize>>,
    pub methods: Vec<MethodScore>,
    /// Questions the shipped method (embedding) missed at 1, with what it quoted first.
    pub misses: Vec<Miss>,
}

/// A question the shipped method did not answer first.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub question: String,
    pub answer: String,
    pub quoted: Option<String>,
    pub retrieved: bool,
}

/// Reads the set at `path`, ingests its documents into a scratch database and scores each method.
pub fn answers(path: &Path, structure: Structure, compute: EmbeddingCompute) -> Result<AnswersReport> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::Io { context: format!("reading {}", path.display()), source })?;
    let set: QuestionSet = serde_json::from_str(&text)
        .map_err(|e| Error::Io { context: format!("reading {}", path.display()), source: e.into() })?;
    let scratch = Scratch::with(structure, compute)?;
    let ingested = ingest(
        &scratch.db,
        &scratch.model,
        &scratch.chunker,
        &set.documents,
        true,
        Parsers::in_process(),
        Default::default(),
    )?;
    let documents = scratch.db.read(|c| {
        let mut stmt = c
            .prepare("SELECT id FROM documents WHERE status = 'ready'")
            .map_err(|e| storage("listing documents", e))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| storage("listing documents", e))?
            .filter_map(|r| r.ok())
            .filter_map(|id| hearth_core::DocumentId::parse(&id).ok())
            .collect::<Vec<_>>();
        Ok(ids)
    })?;

    type Pick<'a> = Box<dyn Fn(&str, &[CitedPassage]) -> Result<Vec<Sentence>> + 'a>;
    let embedder: &dyn Embedder = &scratch.model;
    let methods: Vec<(&'static str, Pick)> = vec![
        (
            "lead of the best passage",
            Box::new(|_, sources| Ok(extractive::sentences(sources).into_iter().take(1).collect())),
        ),
        ("question's words", Box::new(|q, sources| extractive::best_sentences(q, sources, None))),
        (
            "embedding model (shipped)",
            Box::new(move |q, sources| extractive::best_sentences(q, sources, Some(embedder))),
        ),
    ];
    let mut scores = vec![(0usize, 0usize, 0usize, 0f64); methods.len()];
    let (mut retrieved, mut misses) = (0usize, Vec::new());
    let (mut with_page, mut page_hits, mut page_firsts) = (0usize, 0usize, 0usize);
    let mut page_ranks = Vec::new();
    // Keywords ranked as a chat ranks them: by the keyword index, caught up after the ingest.
    let data_dir = scratch.db.path().parent().unwrap_or(std::path::Path::new("."));
    let keywords = KeywordIndex::open(data_dir)?;
    keywords.sync(&scratch.db)?;
    for q in &set.questions {
        let request = SearchRequest::new(&q.question).k(TOP_N).mode(Mode::Hybrid).within(documents.clone());
        let searchers = Searchers { embedder: Some(embedder), vectors: None, keywords: Some(&keywords) };
        let hits = retrieval::search_with(&scratch.db, searchers, &request)?;
        let sources: Vec<CitedPassage> = hits
            .iter()
            .enumerate()
            .map(|(i, h)| CitedPassage {
                number: i + 1,
                document_name: h.document_name.clone(),
                page: h.page,
                text: h.text.clone(),
            })
            .collect();
        let found = sources.iter().any(|s| holds(&s.text, &q.answer));
        if let (Some(document), Some(page)) = (&q.document, q.page) {
            with_page += 1;
            let on_page = |h: &retrieval::Hit| &h.document_name == document && h.page == Some(page);
            page_hits += usize::from(hits.iter().any(on_page));
            page_firsts += usize::from(hits.first().is_some_and(on_page));
            page_ranks.push(hits.iter().position(on_page).map(|i| i + 1));
        }
        retrieved += usize::from(found);
        for (i, (name, pick)) in methods.iter().enumerate() {
            let started = Instant::now();
            let quoted = pick(&q.question, &sources)?;
            scores[i].3 += started.elapsed().as_secs_f64() * 1000.0;
            let first = quoted.first().is_some_and(|s| holds(&s.text, &q.answer));
            scores[i].0 += usize::from(first);
            scores[i].1 += usize::from(quoted.iter().any(|s| holds(&s.text, &q.answer)));
            scores[i].2 += quoted.len();
            if name.ends_with("(shipped)") && !first {
                misses.push(Miss {
                    question: q.question.clone(),
                    answer: q.answer.clone(),
                    quoted: quoted.first().map(|s| s.text.clone()),
                    retrieved: found,
                });
            }
        }
    }
    let n = set.questions.len().max(1) as f64;
    Ok(AnswersReport {
        documents: documents.len(),
        chunks: ingested.chunks,
        questions: set.questions.len(),
        retrieved: retrieved as f64 / n,
        page_hit_at_5: page_hits as f64 / with_page.max(1) as f64,
        page_hit_at_1: page_firsts as f64 / with_page.max(1) as f64,
        questions_with_page: with_page,
        page_ranks,
        methods: methods
            .iter()
            .zip(scores)
            .map(|((method, _), (at_1, at_3, sentences, ms))| MethodScore {
                method,
                at_1: at_1 as f64 / n,
                at_3: at_3 as f64 / n,
                mean_sentences: sentences as f64 / n,
                mean_ms: ms / n,
            })
            .collect(),
        misses,
    })
}

/// Whether `text` holds `answer`, ignoring case and how whitespace breaks lines.
fn holds(text: &str, answer: &str) -> bool {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    flat(text).contains(&flat(answer))
}
