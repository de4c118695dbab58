//! The answer when no language model is connected: the one to three sentences of the retrieved
//! passages that best answer the question, each cited `[n]`, under one short line saying that a
//! model can be connected. Sentences are ranked with the embedding model against the question
//! (by shared words when the embedding model is unavailable), so the answer is the passage's own
//! words, checkable against its page, and never invented.

use std::collections::HashSet;

use unicode_segmentation::UnicodeSegmentation;

use super::{CitedPassage, Completion, Finish, LlmBackend, LlmRequest, PromptRole};
use crate::error::Result;
use crate::models::embedding::Embedder;
use crate::text::quote;

/// The backend's name in the turn record: the window shows a link to Models under such answers,
/// and the turn never sends them back to a model as history.
pub const EXTRACTIVE: &str = "extractive";

/// The line above the sentences. Short on purpose: it is in every such answer.
pub const HEADLINE: &str = "No language model is connected, so here are the sentences from your documents that best \
                            answer the question:";

/// What a chat without ready documents gets.
pub const NO_SOURCES: &str = "No language model is connected, and this chat has no ready documents to quote from. \
                              Add documents to the chat, or connect a model in Models.";

/// At most this many sentences answer.
const MAX_SENTENCES: usize = 3;
/// Sentences after the first are kept only while they score within this much of the best
/// (cosine similarity), so a weak sentence does not pad a good answer.
const EMBEDDING_MARGIN: f32 = 0.08;
/// The same, as a share of the best score, for word overlap.
const OVERLAP_SHARE: f32 = 0.6;
/// Sentences considered, at most (embedding them is the backend's whole cost).
const MAX_CANDIDATES: usize = 160;
/// A sentence shorter than this many words says too little to be an answer on its own
/// (headings, captions, page furniture).
const MIN_WORDS: usize = 4;
/// A longer sentence is quoted up to here, with an ellipsis.
const MAX_SENTENCE_CHARS: usize = 400;

/// Quotes the best sentences of the sources (see the module docs).
pub struct Extractive<'a> {
    /// Ranks sentences by meaning; `None` ranks them by the question's words they contain.
    pub embedder: Option<&'a dyn Embedder>,
}

/// A sentence of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The source's number, as cited.
    pub source: usize,
    pub text: String,
}

impl LlmBackend for Extractive<'_> {
    fn name(&self) -> &str {
        EXTRACTIVE
    }

    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion> {
        let question =
            request.messages.iter().rev().find(|m| m.role == PromptRole::User).map_or("", |m| m.content.as_str());
        let best = best_sentences(question, request.sources, self.embedder)?;
        let text = if best.is_empty() {
            NO_SOURCES.to_owned()
        } else {
            let lines: Vec<String> = best.iter().map(|s| format!("{} [{}]", s.text, s.source)).collect();
            format!("{HEADLINE}\n\n{}", lines.join("\n\n"))
        };
        let finish = if on_token(&text) { Finish::Complete } else { Finish::Stopped };
        Ok(Completion { text, finish, generation: None })
    }
}

/// The one to three sentences of `sources` that best answer `question`, best first.
pub fn best_sentences(
    question: &str,
    sources: &[CitedPassage],
    embedder: Option<&dyn Embedder>,
) -> Result<Vec<Sentence>> {
    let candidates = sentences(sources);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    // Adding the question's words to the embedding's score was measured and did not help
    // (`hearth eval answers`, BENCHMARKS.md).
    let (scores, margin) = match embedder {
        Some(embedder) => (by_meaning(embedder, question, &candidates)?, Margin::Below(EMBEDDING_MARGIN)),
        None => (by_words(question, &candidates), Margin::Share(OVERLAP_SHARE)),
    };
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    // Best first; among equals, the earlier source and sentence (the better retrieval rank).
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let best = scores[order[0]];
    let mut picked: Vec<Sentence> = Vec::new();
    for i in order {
        if picked.len() == MAX_SENTENCES || !margin.keeps(best, scores[i]) {
            break;
        }
        let sentence = &candidates[i];
        if !picked.iter().any(|p| p.text == sentence.text) {
            picked.push(sentence.clone());
        }
    }
    Ok(picked)
}

/// How far below the best score another sentence may be.
enum Margin {
    Below(f32),
    Share(f32),
}

impl Margin {
    fn keeps(&self, best: f32, score: f32) -> bool {
        match *self {
            Margin::Below(d) => score >= best - d,
            Margin::Share(s) => score > 0.0 && score >= best * s,
        }
    }
}

/// The sources' sentences worth quoting, in source order, whitespace made single.
pub fn sentences(sources: &[CitedPassage]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for source in sources {
        for block in blocks(&source.text) {
            for sentence in block.unicode_sentences() {
                if sentence.unicode_words().count() < MIN_WORDS || !sentence.chars().any(char::is_alphabetic) {
                    continue;
                }
                // `quote` puts the sentence on one line.
                let text = quote(sentence, MAX_SENTENCE_CHARS);
                out.push(Sentence { source: source.number, text });
                if out.len() == MAX_CANDIDATES {
                    return out;
                }
            }
        }
    }
    out
}

/// A heading is a line of at most this many words.
const HEADING_WORDS: usize = 8;

/// The passage's text as runs of prose: lines joined (extracted PDF text breaks every line, often
/// mid-sentence), without headings (a short line alone, without end punctuation, followed by one
/// that starts with a capital), so a title neither runs into the sentence after it nor is quoted.
fn blocks(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut blocks = vec![String::new()];
    for (i, line) in lines.iter().enumerate() {
        let current = blocks.last_mut().expect("there is always a block");
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
        let next_is_capital = lines.get(i + 1).and_then(|l| l.chars().next()).is_some_and(char::is_uppercase);
        let ends_sentence = line.ends_with(['.', '!', '?', ':', ';']);
        if !ends_sentence && next_is_capital && line.split_whitespace().count() <= HEADING_WORDS {
            // A short line alone is a heading: a title answers nothing, so it is left out. After
            // other lines it ends their run.
            if current.as_str() == *line {
                current.clear();
            } else {
                blocks.push(String::new());
            }
        }
    }
    blocks
}

/// Sentences embedded in one call: sorted by length and batched, so a short sentence is not padded
/// to the longest (measured: see BENCHMARKS.md).
const EMBED_BATCH: usize = 16;

/// Cosine similarity of each sentence with the question.
fn by_meaning(embedder: &dyn Embedder, question: &str, sentences: &[Sentence]) -> Result<Vec<f32>> {
    let asked = embedder.embed(&[question])?.pop().expect("the question was embedded");
    let mut by_length: Vec<usize> = (0..sentences.len()).collect();
    by_length.sort_by_key(|&i| sentences[i].text.len());
    let mut scores = vec![0.0; sentences.len()];
    for batch in by_length.chunks(EMBED_BATCH) {
        let texts: Vec<&str> = batch.iter().map(|&i| sentences[i].text.as_str()).collect();
        for (&i, vector) in batch.iter().zip(embedder.embed(&texts)?) {
            scores[i] = cosine(&asked, &vector);
        }
    }
    Ok(scores)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 { 0.0 } else { dot / denominator }
}

/// How many of the question's words each sentence holds, over the root of its length (so a
/// long sentence does not win by size alone).
fn by_words(question: &str, sentences: &[Sentence]) -> Vec<f32> {
    let wanted: HashSet<String> = words(question).filter(|w| w.chars().count() > 2).collect();
    sentences
        .iter()
        .map(|s| {
            let all: Vec<String> = words(&s.text).collect();
            let hits = all.iter().collect::<HashSet<_>>().iter().filter(|w| wanted.contains(w.as_str())).count();
            hits as f32 / (all.len().max(1) as f32).sqrt()
        })
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words().map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(number: usize, text: &str) -> CitedPassage {
        CitedPassage { number, document_name: "d.txt".into(), page: None, text: text.into() }
    }

    #[test]
    fn sentences_run_across_line_breaks_and_headings_and_fragments_are_left_out() {
        let found = sentences(&[
            source(1, "Tides\nThe moon pulls the sea toward it. Twice a day the\n\nwater rises."),
            source(2, "Page 3\n\n— 12 —\nSpring and neap tides\nSpring tides come at the full and new moon."),
        ]);
        let texts: Vec<(usize, &str)> = found.iter().map(|s| (s.source, s.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (1, "The moon pulls the sea toward it."),
                (1, "Twice a day the water rises."),
                (2, "Spring tides come at the full and new moon.")
            ]
        );
    }

    #[test]
    fn without_the_embedding_model_the_sentence_sharing_the_question_words_wins() {
        let sources = [
            source(1, "Bees make honey in the summer months. Hives need water nearby."),
            source(2, "Treat the hive against varroa mites in late summer, after the honey harvest."),
        ];
        let best = best_sentences("When should I treat against varroa mites?", &sources, None).unwrap();
        assert_eq!(best[0], Sentence { source: 2, text: sources[1].text.clone() });
        assert!(best.len() <= MAX_SENTENCES);
    }

    #[test]
    fn no_sentence_worth_quoting_gives_no_answer_sentences() {
        assert!(best_sentences("anything?", &[source(1, "Index\n12\nSee p. 4")], None).unwrap().is_empty());
        assert!(best_sentences("anything?", &[], None).unwrap().is_empty());
    }
}
