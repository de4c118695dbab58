//! The `chat_messages` table.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::limits;
use crate::error::{Error, Result, StorageContext};
use crate::store::codec;
use crate::store::ids::SessionId;
use crate::store::{Database, Page};
use crate::text;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "Role.ts")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    /// The stored (and wire) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Role> {
        match s {
            "system" => Ok(Role::System),
            "user" => Ok(Role::User),
            "assistant" => Ok(Role::Assistant),
            other => Err(Error::invalid(format!("unknown role {other:?}: use user, assistant or system"))),
        }
    }
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    pub id: i64,
    pub session_id: SessionId,
    pub timestamp: DateTime<Utc>,
    pub role: Role,
    pub content: String,
    /// A JSON object; `{}` when there is nothing to say.
    pub metadata: serde_json::Value,
}

/// A message to add.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub content: String,
    /// Defaults to `user`.
    pub role: Option<Role>,
    /// Must be a JSON object when given.
    pub metadata: Option<serde_json::Value>,
}

/// Adds a message and marks the session active, in one transaction.
pub fn add(db: &Database, session_id: SessionId, new: NewMessage) -> Result<ChatMessage> {
    let role = new.role.unwrap_or(Role::User);
    let content = content(&new.content)?;
    let metadata = metadata(new.metadata)?;
    let at = codec::now();
    db.write(|tx| {
        super::ensure_exists(tx, session_id)?;
        tx.execute(
            "INSERT INTO chat_messages (session_id, timestamp, role, content, metadata) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![session_id.to_string(), codec::to_db(at), role.as_str(), content, metadata.to_string()],
        )
        .context("storing a message")?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE sessions SET last_updated_at = ?2 WHERE id = ?1",
            params![session_id.to_string(), codec::to_db(at)],
        )
        .context("marking the session active")?;
        Ok(ChatMessage { id, session_id, timestamp: at, role, content, metadata })
    })
}

/// Lists a session's messages in order (timestamp, then id).
pub fn list(db: &Database, session_id: SessionId, page: Page) -> Result<Vec<ChatMessage>> {
    db.read(|conn| {
        let exists: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1)", [session_id.to_string()], |row| {
                row.get(0)
            })
            .context("looking up a session")?;
        if !exists {
            return Err(Error::not_found("session", session_id));
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, session_id, timestamp, role, content, metadata FROM chat_messages
                 WHERE session_id = ?1 ORDER BY timestamp, id LIMIT ?2 OFFSET ?3",
            )
            .context("preparing the message list")?;
        let messages = stmt
            .query_map(params![session_id.to_string(), page.limit, page.offset], message_row)
            .context("listing messages")?
            .collect::<rusqlite::Result<_>>()
            .context("reading messages")?;
        Ok(messages)
    })
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<ChatMessage> {
    let role: String = row.get(3)?;
    Ok(ChatMessage {
        id: row.get(0)?,
        session_id: SessionId(codec::uuid(row, 1)?),
        timestamp: codec::timestamp(row, 2)?,
        role: role.parse().map_err(|e: Error| codec::conversion(3, e))?,
        content: row.get(4)?,
        metadata: codec::json(row, 5)?,
    })
}

/// Checks a message's content and metadata as [`add`] would (for an import, before it writes).
pub(crate) fn check(content_text: &str, metadata_value: &serde_json::Value) -> Result<()> {
    content(content_text)?;
    metadata(Some(metadata_value.clone()))?;
    Ok(())
}

fn content(text: &str) -> Result<String> {
    if text.trim().is_empty() {
        return Err(Error::invalid("message content must not be empty"));
    }
    text::at_most("message", text.chars().count(), limits::MAX_CONTENT_CHARS, "characters")?;
    // Kept as written: leading indentation or trailing newlines can matter (code, poems).
    Ok(text.to_owned())
}

fn metadata(value: Option<serde_json::Value>) -> Result<serde_json::Value> {
    let value = value.unwrap_or_else(|| serde_json::json!({}));
    if !value.is_object() {
        return Err(Error::invalid("message metadata must be a JSON object"));
    }
    text::at_most("message metadata", value.to_string().len(), limits::MAX_METADATA_BYTES, "bytes")?;
    Ok(value)
}

/// The last `limit` user and assistant messages of a session before message `before_id`, oldest
/// first: the history a chat turn sends with a new message.
pub fn history(db: &Database, session_id: SessionId, before_id: i64, limit: usize) -> Result<Vec<ChatMessage>> {
    db.read(|conn| {
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, session_id, timestamp, role, content, metadata FROM chat_messages
                 WHERE session_id = ?1 AND id < ?2 AND role IN ('user', 'assistant')
                 ORDER BY timestamp DESC, id DESC LIMIT ?3",
            )
            .context("preparing the history")?;
        let mut messages: Vec<ChatMessage> = stmt
            .query_map(params![session_id.to_string(), before_id, limit as i64], message_row)
            .context("reading the history")?
            .collect::<rusqlite::Result<_>>()
            .context("reading the history")?;
        messages.reverse();
        Ok(messages)
    })
}
