//! Building a turn's prompt within a token budget: system instructions with the numbered
//! sources, recent history, the new message. When it does not fit, the oldest history goes
//! first, then the lowest-ranked sources; what was dropped is recorded.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::llm::{CitedPassage, PromptMessage, PromptRole};
use crate::error::{Error, Result};
use crate::ingest::chunking::Chunker;
use crate::sessions::messages::{ChatMessage, Role};
use crate::store::ids::ChunkId;

/// Tokens a chat template spends around each message (role markers, separators).
const MESSAGE_OVERHEAD_TOKENS: usize = 4;

/// Counts tokens. The embedding model's tokenizer stands in for the chat model's, whose
/// tokenizer Hearth does not have: WordPiece counts run close to BPE counts for English.
pub trait TokenCounter {
    fn count(&self, text: &str) -> Result<usize>;
    /// Which tokenizer counts, as the inspector says it.
    fn name(&self) -> &str;
}

impl TokenCounter for Chunker {
    fn count(&self, text: &str) -> Result<usize> {
        Chunker::count(self, text)
    }

    fn name(&self) -> &str {
        "the embedding model's WordPiece tokenizer, standing in for the chat model's"
    }
}

/// A rough count (a token is about four characters of English) for when the tokenizer files
/// are missing: a chat without documents still works then.
pub struct Estimate;

impl TokenCounter for Estimate {
    fn count(&self, text: &str) -> Result<usize> {
        Ok(text.chars().count().div_ceil(4))
    }

    fn name(&self) -> &str {
        "an estimate (four characters a token): no tokenizer is available"
    }
}

/// A retrieved passage, best first, as the prompt will cite it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub chunk_id: ChunkId,
    pub document_name: String,
    pub page: Option<i64>,
    pub text: String,
}

/// The prompt and what went into it.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub messages: Vec<PromptMessage>,
    /// How many of the candidates (the best ones) are in the prompt, numbered 1…n.
    #[serde(skip)]
    pub sources_used: usize,
    pub tokens: TokenCounts,
    /// Chunk ids of sources left out for the budget, best first.
    pub dropped_sources: Vec<ChunkId>,
    /// Ids of history messages left out for the budget, oldest first.
    pub dropped_history: Vec<i64>,
    /// Ids of history messages sent, oldest first.
    pub history_used: Vec<i64>,
}

/// Where the prompt's tokens went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export_to = "TokenCounts.ts")]
pub struct TokenCounts {
    pub budget: usize,
    pub instructions: usize,
    pub sources: usize,
    pub history: usize,
    pub message: usize,
    pub total: usize,
}

/// The numbered passages the prompt cites.
pub fn cited(candidates: &[Candidate]) -> Vec<CitedPassage> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| CitedPassage {
            number: i + 1,
            document_name: c.document_name.clone(),
            page: c.page,
            text: c.text.clone(),
        })
        .collect()
}

/// One source as the prompt shows it: `[n] name, page p: text`.
pub fn source_line(passage: &CitedPassage) -> String {
    let page = passage.page.map(|p| format!(", page {p}")).unwrap_or_default();
    format!("[{}] {}{page}: {}", passage.number, passage.document_name, passage.text.trim())
}

/// Builds the prompt for `message` within `budget` tokens.
pub fn build(
    counter: &dyn TokenCounter,
    instructions: &str,
    candidates: &[Candidate],
    history: &[ChatMessage],
    message: &str,
    budget: usize,
) -> Result<Built> {
    let instructions_tokens = counter.count(instructions)? + MESSAGE_OVERHEAD_TOKENS;
    let message_tokens = counter.count(message)? + MESSAGE_OVERHEAD_TOKENS;
    if instructions_tokens + message_tokens > budget {
        return Err(Error::invalid(format!(
            "the message is too long for the model's context: {message_tokens} tokens with the instructions' \
             {instructions_tokens}, and the budget is {budget}"
        )));
    }
    let passages = cited(candidates);
    let source_tokens: Vec<usize> =
        passages.iter().map(|p| counter.count(&source_line(p)).map(|n| n + 2)).collect::<Result<_>>()?;
    let history_tokens: Vec<usize> = history
        .iter()
        .map(|m| counter.count(&m.content).map(|n| n + MESSAGE_OVERHEAD_TOKENS))
        .collect::<Result<_>>()?;

    let (mut first_history, mut sources) = (0, passages.len());
    let total = |first: usize, sources: usize| {
        instructions_tokens
            + message_tokens
            + source_tokens[..sources].iter().sum::<usize>()
            + history_tokens[first..].iter().sum::<usize>()
    };
    while total(first_history, sources) > budget && first_history < history.len() {
        first_history += 1;
    }
    while total(first_history, sources) > budget && sources > 0 {
        sources -= 1;
    }

    let mut system = instructions.trim().to_owned();
    if sources > 0 {
        system.push_str("\n\nSources:\n");
        system.push_str(&passages[..sources].iter().map(source_line).collect::<Vec<_>>().join("\n\n"));
    }
    let mut messages = vec![PromptMessage { role: PromptRole::System, content: system }];
    messages.extend(history[first_history..].iter().map(|m| PromptMessage {
        role: if m.role == Role::Assistant { PromptRole::Assistant } else { PromptRole::User },
        content: m.content.clone(),
    }));
    messages.push(PromptMessage { role: PromptRole::User, content: message.to_owned() });
    Ok(Built {
        messages,
        sources_used: sources,
        tokens: TokenCounts {
            budget,
            instructions: instructions_tokens,
            sources: source_tokens[..sources].iter().sum(),
            history: history_tokens[first_history..].iter().sum(),
            message: message_tokens,
            total: total(first_history, sources),
        },
        dropped_sources: candidates[sources..].iter().map(|c| c.chunk_id).collect(),
        dropped_history: history[..first_history].iter().map(|m| m.id).collect(),
        history_used: history[first_history..].iter().map(|m| m.id).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One token a word: budgets in tests are easy to reason about.
    struct Words;

    impl TokenCounter for Words {
        fn count(&self, text: &str) -> Result<usize> {
            Ok(text.split_whitespace().count())
        }

        fn name(&self) -> &str {
            "words"
        }
    }

    fn candidate(id: i64, words: usize) -> Candidate {
        Candidate { chunk_id: ChunkId(id), document_name: "d.txt".into(), page: Some(id), text: "word ".repeat(words) }
    }

    fn message(id: i64, words: usize) -> ChatMessage {
        ChatMessage {
            id,
            session_id: crate::store::ids::SessionId(uuid::Uuid::nil()),
            timestamp: chrono::Utc::now(),
            role: if id % 2 == 1 { Role::User } else { Role::Assistant },
            content: "word ".repeat(words),
            metadata: serde_json::json!({}),
        }
    }

    #[test]
    fn everything_fits_in_a_large_budget() {
        let built =
            build(&Words, "be brief", &[candidate(7, 10)], &[message(1, 5), message(2, 5)], "q?", 1000).unwrap();
        assert_eq!(built.messages.len(), 4);
        assert_eq!(built.messages[0].role, PromptRole::System);
        assert!(built.messages[0].content.contains("[1] d.txt, page 7: word"), "{}", built.messages[0].content);
        assert_eq!((built.sources_used, built.history_used.clone()), (1, vec![1, 2]));
        assert!(built.dropped_sources.is_empty() && built.dropped_history.is_empty());
        let t = built.tokens;
        assert_eq!(t.total, t.instructions + t.sources + t.history + t.message);
    }

    #[test]
    fn the_oldest_history_goes_first_then_the_lowest_ranked_sources() {
        let sources = [candidate(10, 40), candidate(11, 40), candidate(12, 40)];
        let history = [message(1, 30), message(2, 30), message(3, 30), message(4, 30)];
        // instructions 2+4, message 1+4, sources 3 × (1 + 4 + 40 + 2) = 141, history 4 × 34 = 136.
        let built = build(&Words, "be brief", &sources, &history, "q?", 11 + 141 + 68).unwrap();
        assert_eq!((built.dropped_history, built.history_used), (vec![1, 2], vec![3, 4]));
        assert!(built.dropped_sources.is_empty());

        let built = build(&Words, "be brief", &sources, &history, "q?", 11 + 100).unwrap();
        assert_eq!(built.dropped_history, vec![1, 2, 3, 4], "all history goes before any source");
        assert_eq!((built.sources_used, built.dropped_sources), (2, vec![ChunkId(12)]));
        assert!(built.tokens.total <= 111);
    }

    #[test]
    fn a_message_that_cannot_fit_is_refused() {
        let err = build(&Words, "be brief", &[], &[], &"word ".repeat(500), 100).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
}
