//! Finding chats by what was said in them: an FTS5 index over the messages
//! (`chat_messages_fts`, kept by triggers), every word of the search required.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::error::{Result, StorageContext};
use crate::store::ids::SessionId;
use crate::text;

/// Words of a snippet shown around the match.
const SNIPPET_WORDS: i64 = 10;

/// The FTS5 expression for "every word of `filter`": each word quoted (so nothing typed is
/// query syntax), the last one also matching words it begins (the search runs as one types).
/// `None` when the filter has no word.
pub fn all_words(filter: &str) -> Option<String> {
    let words: Vec<&str> = text::words(filter).collect();
    let (last, rest) = words.split_last()?;
    let mut terms: Vec<String> = rest.iter().map(|w| format!("\"{w}\"")).collect();
    terms.push(format!("\"{last}\"*"));
    Some(terms.join(" "))
}

/// For each of `sessions`, its best matching message as a few words around the match (`None`
/// when no message matches: the chat was found by its name). One pass over the index for all.
pub fn snippets(conn: &Connection, sessions: &[SessionId], words: &str) -> Result<Vec<Option<String>>> {
    let ids: Vec<String> = sessions.iter().map(ToString::to_string).collect();
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.session_id, snippet(chat_messages_fts, 0, '', '', '…', ?3) FROM chat_messages_fts
             JOIN chat_messages m ON m.id = chat_messages_fts.rowid
             WHERE chat_messages_fts MATCH ?1 AND m.session_id IN (SELECT value FROM json_each(?2))
             ORDER BY bm25(chat_messages_fts)",
        )
        .context("preparing the search in chats")?;
    let json = serde_json::to_string(&ids).expect("ids serialize");
    let mut best: HashMap<String, String> = HashMap::new();
    let rows = stmt
        .query_map(params![words, json, SNIPPET_WORDS], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .context("finding the words in chats")?;
    for row in rows {
        let (session, snippet) = row.context("reading a match")?;
        // Best first: the first snippet of a chat is its best.
        best.entry(session).or_insert_with(|| text::one_line(&snippet));
    }
    Ok(ids.iter().map(|id| best.remove(id)).collect())
}

#[cfg(test)]
mod tests {
    use super::all_words;

    #[test]
    fn every_word_is_required_and_quoted_and_the_last_may_be_unfinished() {
        assert_eq!(all_words("lisbon hotel").as_deref(), Some("\"lisbon\" \"hotel\"*"));
        assert_eq!(all_words("\"a\" OR b*").as_deref(), Some("\"a\" \"OR\" \"b\"*"));
        assert_eq!(all_words(" -- "), None);
    }
}
