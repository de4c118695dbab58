//! Tags for a chat from what it is about, computed here with no model: the words of its
//! questions and of the passages that answered them, ranked by how often the chat uses them
//! against how many of the library's passages hold them (a word in every document says nothing
//! about a chat). The chat's `metadata_tags` holds them; tags the person set are theirs, and
//! never overwritten (`tags_by_person`).

use std::collections::HashMap;

use rusqlite::params;

use super::Session;
use super::messages::{self, Role};
use crate::chat::TurnRecord;
use crate::chat::record::citation_marks;
use crate::error::{Error, Result, StorageContext};
use crate::retrieval::keyword::is_stop_word;
use crate::store::ids::SessionId;
use crate::store::{Database, Page};
use crate::text;

/// Most tags a chat gets on its own.
pub const MAX_AUTO_TAGS: usize = 5;

/// Words that say nothing about what a chat is about, though no stop word list has them.
const VAGUE: &[&str] = &[
    "also",
    "answer",
    "any",
    "document",
    "documents",
    "each",
    "every",
    "explain",
    "get",
    "give",
    "good",
    "like",
    "make",
    "many",
    "more",
    "most",
    "much",
    "need",
    "one",
    "only",
    "other",
    "page",
    "please",
    "same",
    "say",
    "says",
    "some",
    "such",
    "tell",
    "thing",
    "things",
    "use",
    "used",
    "using",
    "very",
    "want",
    "way",
    "well",
    "work",
];

/// How much a word of a question counts against one of a passage that answered it.
const QUESTION_WEIGHT: f64 = 3.0;

/// Up to [`MAX_AUTO_TAGS`] tags for the chat, best first.
pub fn suggest(db: &Database, id: SessionId) -> Result<Vec<String>> {
    let messages = messages::list(db, id, Page::new(1000, 0)?)?;
    let mut counts: HashMap<String, (f64, HashMap<String, usize>)> = HashMap::new();
    let mut count = |text: &str, weight: f64| {
        for word in text::words(text) {
            let lower = word.to_lowercase();
            if lower.chars().count() < 3
                || !lower.chars().any(char::is_alphabetic)
                || lower.chars().any(|c| !c.is_alphanumeric() && c != '-')
                || is_stop_word(&lower)
                || VAGUE.contains(&lower.as_str())
            {
                continue;
            }
            let entry = counts.entry(stem(&lower)).or_default();
            entry.0 += weight;
            *entry.1.entry(lower).or_default() += 1;
        }
    };
    let mut cited: Vec<i64> = Vec::new();
    for message in &messages {
        match message.role {
            Role::User => count(&message.content, QUESTION_WEIGHT),
            // Only the passages the answer cites (`[n]` in its text) answered the question.
            Role::Assistant => {
                if let Some(record) = TurnRecord::of(message) {
                    let numbers: Vec<usize> = citation_marks(&message.content).into_iter().map(|(_, n)| n).collect();
                    cited.extend(
                        record
                            .sources
                            .iter()
                            .filter(|s| s.n.is_some_and(|n| numbers.contains(&n)))
                            .map(|s| s.chunk_id.0),
                    );
                }
            }
            Role::System => {}
        }
    }
    let passages: Vec<String> = db.read(|conn| {
        let mut stmt =
            conn.prepare_cached("SELECT text FROM chunks WHERE id = ?1").context("reading cited passages")?;
        let mut texts = Vec::new();
        for id in &cited {
            if let Ok(text) = stmt.query_row([id], |r| r.get::<_, String>(0)) {
                texts.push(text);
            }
        }
        Ok(texts)
    })?;
    for passage in &passages {
        count(passage, 1.0);
    }
    // The most used words first; each is then weighed by how rare it is in the library.
    let mut candidates: Vec<(String, f64, String)> = counts
        .into_iter()
        .map(|(stem, (weight, forms))| {
            let shown = forms.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|f| f.0);
            (stem, weight, shown.unwrap_or_default())
        })
        .collect();
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    candidates.truncate(40);
    let scored: Vec<(f64, String)> = db.read(|conn| {
        let chunks: f64 = conn
            .query_row("SELECT COUNT(*) FROM chunks", [], |r| r.get::<_, i64>(0))
            .context("counting passages")? as f64;
        let mut stmt = conn
            .prepare_cached("SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?1")
            .context("preparing the word counts")?;
        let mut scored = Vec::new();
        for (_, weight, shown) in &candidates {
            let holding: f64 =
                stmt.query_row([format!("\"{shown}\"")], |r| r.get::<_, i64>(0)).context("counting a word")? as f64;
            // A word no passage holds (only asked about) still counts, as a rare one.
            let rarity = ((chunks + 1.0) / (holding + 1.0)).ln() + 1.0;
            scored.push((weight * rarity, shown.clone()));
        }
        Ok(scored)
    })?;
    let mut scored = scored;
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(scored.into_iter().take(MAX_AUTO_TAGS).map(|(_, word)| word).collect())
}

/// Gives the chat its suggested tags, unless the person set its tags. Returns its tags.
pub fn refresh(db: &Database, id: SessionId) -> Result<Vec<String>> {
    let suggested = suggest(db, id)?;
    db.write(|tx| {
        tx.execute(
            "UPDATE sessions SET metadata_tags = ?2 WHERE id = ?1 AND tags_by_person = 0",
            params![id, serde_json::to_string(&suggested).expect("tags serialize")],
        )
        .context("tagging a chat")?;
        Ok(super::load(tx, id)?.metadata_tags)
    })
}

/// The person's tags for the chat: they replace its tags, and are never changed by
/// [`refresh`]. An empty list gives the chat back to automatic tags.
pub fn set(db: &Database, id: SessionId, tags: &[String]) -> Result<Session> {
    let tags = super::tags(tags)?;
    db.write(|tx| {
        let changed = tx
            .execute(
                "UPDATE sessions SET metadata_tags = ?2, tags_by_person = ?3 WHERE id = ?1",
                params![id, serde_json::to_string(&tags).expect("tags serialize"), !tags.is_empty()],
            )
            .context("setting a chat's tags")?;
        if changed == 0 {
            return Err(Error::not_found("session", id));
        }
        super::load(tx, id)
    })
}

/// A crude stem, so a plural and its singular are one tag ("mites", "mite").
fn stem(word: &str) -> String {
    let trimmed = word.strip_suffix("ies").map(|w| format!("{w}y")).or_else(|| {
        (word.len() > 4 && word.ends_with('s') && !word.ends_with("ss")).then(|| word[..word.len() - 1].to_owned())
    });
    trimmed.unwrap_or_else(|| word.to_owned())
}
