//! Chat sessions: the `sessions` table here, their messages ([`messages`]) and the library
//! documents each one searches ([`documents`]).
//!
//! Owns: creating, listing, renaming and deleting chats, storing messages, attaching documents,
//! and naming a chat after its first question. Uses [`crate::store`] (and checks that attached
//! documents exist in the library's table). Never retrieves, embeds or calls a model: the chat
//! turn ([`crate::chat`]) does that and stores its result here.

pub mod documents;
pub mod limits;
pub mod messages;
pub mod scope;
pub mod search;
pub mod tags;
pub mod transfer;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use crate::error::{Error, Result, StorageContext};
use crate::store::codec;
use crate::store::ids::{CollectionId, DocumentId, SessionId};

use crate::store::model_choice::ModelChoice;
use crate::store::{Database, Page, settings};
use crate::text;
pub use scope::Scope;

/// The name a session gets when none is given.
pub const DEFAULT_SESSION_NAME: &str = "New chat";

/// A chat session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub id: SessionId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_updated_at: DateTime<Utc>,
    /// The model's own name (see [`ModelChoice::name`]).
    pub llm_model_name: String,
    /// Which model answers; `None` for a chat made before chats had their own model (it follows
    /// the language-model settings).
    pub model: Option<ModelChoice>,
    pub metadata_tags: Vec<String>,
    /// Whether the person set the tags (then automatic tagging leaves them alone).
    pub tags_by_person: bool,
    /// The chat's own documents (the files dropped into it, or chosen for it), in the order
    /// they were attached. What is searched is [`Session::scope`]'s: with the whole library an
    /// empty list still means everything.
    pub rag_document_ids: Vec<DocumentId>,
    /// What the chat searches.
    pub scope: Scope,
}

/// What a new session is made from; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub name: Option<String>,
    pub document_ids: Vec<DocumentId>,
    /// The model's name; defaults to the chosen model's (for a server, this names which of its
    /// models answers).
    pub llm_model_name: Option<String>,
    pub tags: Vec<String>,
    /// What it searches; by default its documents when it is given some, else the whole
    /// library.
    pub scope: Option<Scope>,
}

/// One page of sessions, most recently active first, with the total count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPage {
    pub items: Vec<Session>,
    pub total: i64,
    /// For a search, the words of each listed chat's best matching message, in context
    /// (`None` when only its name matched); empty without a search.
    pub found: Vec<Option<String>>,
}

/// Creates a session.
pub fn create(db: &Database, new: NewSession) -> Result<Session> {
    let name = match &new.name {
        Some(name) => text::required("session name", name, limits::MAX_NAME_CHARS)?,
        None => DEFAULT_SESSION_NAME.to_owned(),
    };
    let model = match &new.llm_model_name {
        Some(model) => Some(text::required("model name", model, limits::MAX_MODEL_NAME_CHARS)?),
        None => None,
    };
    let documents = document_ids(&new.document_ids)?;
    let tags = tags(&new.tags)?;
    let scope = new.scope.unwrap_or(if documents.is_empty() { Scope::Library } else { Scope::Documents });
    let id = SessionId::new();
    let now = codec::to_db(codec::now());
    db.write(|tx| {
        let (choice, model) = settings::new_chat_model(tx, model)?;
        if let Scope::Collection(collection) = scope {
            crate::collections::load(tx, collection)?;
        }
        tx.execute(
            "INSERT INTO sessions (id, name, created_at, last_updated_at, llm_model_name, metadata_tags, model_choice,
                                   scope, collection_id, tags_by_person)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id.to_string(),
                name,
                now,
                model,
                serde_json::to_string(&tags).expect("tags serialize"),
                choice.to_string(),
                scope.kind(),
                match scope {
                    Scope::Collection(c) => Some(c),
                    _ => None,
                },
                !tags.is_empty()
            ],
        )
        .context("inserting a session")?;
        for (position, doc) in documents.iter().enumerate() {
            crate::ingest::documents::ensure_exists(tx, *doc)?;
            tx.execute(
                "INSERT INTO session_documents (session_id, document_id, position, attached_at) VALUES (?1, ?2, ?3, ?4)",
                params![id.to_string(), doc.to_string(), position as i64, now],
            )
            .context("attaching a document to a new session")?;
        }
        load(tx, id)
    })
}

/// Lists sessions, most recently active first.
pub fn list(db: &Database, page: Page) -> Result<SessionPage> {
    list_matching(db, "", page)
}

/// Lists the sessions whose name contains `filter` (ASCII letters case-insensitively) or whose
/// messages hold all of its words (full-text, stemmed; the last word may be the start of one, as
/// it is typed), most recently active first, with their total count. An empty filter matches all.
pub fn list_matching(db: &Database, filter: &str, page: Page) -> Result<SessionPage> {
    let filter = filter.trim();
    text::at_most("filter", filter.chars().count(), limits::MAX_NAME_CHARS, "characters")?;
    // The filter is text, never a pattern: LIKE's wildcards in it are escaped.
    let pattern = format!("%{}%", filter.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    // "#bees" lists the chats tagged "bees".
    if let Some(tag) = filter.strip_prefix('#').map(str::trim).filter(|t| !t.is_empty()) {
        return list_tagged(db, tag, page);
    }
    let words = search::all_words(filter);
    let condition = if words.is_some() {
        "name LIKE ?1 ESCAPE '\\' OR id IN (SELECT m.session_id FROM chat_messages_fts f
                                            JOIN chat_messages m ON m.id = f.rowid
                                            WHERE chat_messages_fts MATCH ?2)"
    } else {
        "name LIKE ?1 ESCAPE '\\' AND ?2 IS NULL"
    };
    db.read(|conn| {
        let total = conn
            .query_row(&format!("SELECT COUNT(*) FROM sessions WHERE {condition}"), params![pattern, words], |row| {
                row.get(0)
            })
            .context("counting sessions")?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions
                 WHERE {condition}
                 ORDER BY last_updated_at DESC, created_at DESC, id LIMIT ?3 OFFSET ?4"
            ))
            .context("preparing the session list")?;
        let rows = stmt
            .query_map(params![pattern, words, page.limit, page.offset], session_row)
            .context("listing sessions")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading sessions")?;
        let items = with_documents(conn, rows)?;
        let found = match &words {
            Some(words) => search::snippets(conn, &items.iter().map(|s| s.id).collect::<Vec<_>>(), words)?,
            None => Vec::new(),
        };
        Ok(SessionPage { items, total, found })
    })
}

/// The sessions tagged `tag` (ignoring case), most recently active first.
fn list_tagged(db: &Database, tag: &str, page: Page) -> Result<SessionPage> {
    const TAGGED: &str = "EXISTS (SELECT 1 FROM json_each(sessions.metadata_tags) t WHERE t.value = ?1 COLLATE NOCASE)";
    db.read(|conn| {
        let total = conn
            .query_row(&format!("SELECT COUNT(*) FROM sessions WHERE {TAGGED}"), [tag], |row| row.get(0))
            .context("counting tagged sessions")?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE {TAGGED}
                 ORDER BY last_updated_at DESC, created_at DESC, id LIMIT ?2 OFFSET ?3"
            ))
            .context("preparing the tagged sessions")?;
        let rows = stmt
            .query_map(params![tag, page.limit, page.offset], session_row)
            .context("listing tagged sessions")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading tagged sessions")?;
        let items = with_documents(conn, rows)?;
        Ok(SessionPage { items, total, found: Vec::new() })
    })
}

/// Gets one session.
pub fn get(db: &Database, id: SessionId) -> Result<Session> {
    db.read(|conn| load(conn, id))
}

/// Renames a session. Renaming is not activity: `last_updated_at` stays.
pub fn rename(db: &Database, id: SessionId, name: &str) -> Result<Session> {
    let name = text::required("session name", name, limits::MAX_NAME_CHARS)?;
    db.write(|tx| {
        let changed = tx
            .execute("UPDATE sessions SET name = ?2 WHERE id = ?1", params![id.to_string(), name])
            .context("renaming a session")?;
        if changed == 0 {
            return Err(Error::not_found("session", id));
        }
        load(tx, id)
    })
}

/// Switches the model that answers the session from its next question (`choice` is checked by
/// the caller: the engine reads a file's header first). Not activity: `last_updated_at` stays.
pub fn set_model(db: &Database, id: SessionId, choice: &ModelChoice) -> Result<Session> {
    let name = text::required("model name", &choice.name(), limits::MAX_MODEL_NAME_CHARS)?;
    db.write(|tx| {
        let changed = tx
            .execute(
                "UPDATE sessions SET model_choice = ?2, llm_model_name = ?3 WHERE id = ?1",
                params![id.to_string(), choice.to_string(), name],
            )
            .context("switching a session's model")?;
        if changed == 0 {
            return Err(Error::not_found("session", id));
        }
        load(tx, id)
    })
}

/// Most characters of a name taken from a question.
const TITLE_CHARS: usize = 60;

/// Names a chat still called [`DEFAULT_SESSION_NAME`] after its first question, as chat apps do,
/// so the sidebar is not a column of "New chat". A chat with a name of its own, or with earlier
/// questions, keeps its name. Returns whether it was renamed.
pub fn name_after_first_question(db: &Database, id: SessionId, question: &str) -> Result<bool> {
    let Some(title) = title_of(question) else {
        return Ok(false);
    };
    db.write(|tx| {
        let renamed = tx
            .execute(
                "UPDATE sessions SET name = ?2 WHERE id = ?1 AND name = ?3
                   AND (SELECT COUNT(*) FROM chat_messages WHERE session_id = ?1 AND role = 'user') = 1",
                params![id.to_string(), title, DEFAULT_SESSION_NAME],
            )
            .context("naming a chat after its first question")?;
        Ok(renamed == 1)
    })
}

/// A name from a question: its first line with spaces collapsed, cut at a word to at most
/// [`TITLE_CHARS`] characters (with "…" when cut).
fn title_of(question: &str) -> Option<String> {
    let line = question.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut title = String::new();
    let mut length = 0;
    for word in line.split_whitespace() {
        let space = usize::from(length > 0);
        let next = length + space + word.chars().count();
        if next > TITLE_CHARS {
            if length == 0 {
                title = word.chars().take(TITLE_CHARS).collect();
            }
            return Some(format!("{title}…"));
        }
        if space == 1 {
            title.push(' ');
        }
        title.push_str(word);
        length = next;
    }
    Some(title)
}

/// Deletes a session with all its messages and document links, in one transaction.
pub fn delete(db: &Database, id: SessionId) -> Result<()> {
    db.write(|tx| {
        // Children first and explicitly: the cascade would do it, but this keeps the delete
        // correct even on a connection where foreign keys were left off.
        tx.execute("DELETE FROM chat_messages WHERE session_id = ?1", [id.to_string()])
            .context("deleting a session's messages")?;
        tx.execute("DELETE FROM session_documents WHERE session_id = ?1", [id.to_string()])
            .context("detaching a session's documents")?;
        let removed =
            tx.execute("DELETE FROM sessions WHERE id = ?1", [id.to_string()]).context("deleting a session")?;
        if removed == 0 {
            return Err(Error::not_found("session", id));
        }
        Ok(())
    })
}

/// Fails with `NotFound` unless the session exists; for use inside another write.
pub(crate) fn ensure_exists(tx: &Transaction<'_>, id: SessionId) -> Result<()> {
    let found = tx
        .query_row("SELECT 1 FROM sessions WHERE id = ?1", [id.to_string()], |_| Ok(()))
        .optional()
        .context("looking up a session")?;
    found.ok_or_else(|| Error::not_found("session", id))
}

pub(crate) fn load(conn: &Connection, id: SessionId) -> Result<Session> {
    let session = conn
        .query_row(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"), [id.to_string()], session_row)
        .optional()
        .context("loading a session")?;
    let mut session = session.ok_or_else(|| Error::not_found("session", id))?;
    session.rag_document_ids = attached(conn, id)?;
    Ok(session)
}

/// Listed sessions with their documents (a session row does not hold them).
fn with_documents(conn: &Connection, sessions: Vec<Session>) -> Result<Vec<Session>> {
    sessions
        .into_iter()
        .map(|mut s| {
            s.rag_document_ids = attached(conn, s.id)?;
            Ok(s)
        })
        .collect()
}

fn attached(conn: &Connection, id: SessionId) -> Result<Vec<DocumentId>> {
    let mut stmt = conn
        .prepare_cached("SELECT document_id FROM session_documents WHERE session_id = ?1 ORDER BY position")
        .context("preparing the session's documents")?;
    let ids = stmt
        .query_map([id], |row| codec::uuid(row, 0).map(DocumentId))
        .context("listing a session's documents")?
        .collect::<rusqlite::Result<_>>()
        .context("reading a session's documents")?;
    Ok(ids)
}

/// The columns [`session_row`] reads, in order.
const SESSION_COLUMNS: &str = "id, name, created_at, last_updated_at, llm_model_name, metadata_tags, model_choice, \
     scope, collection_id, tags_by_person";

fn session_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: SessionId(codec::uuid(row, 0)?),
        name: row.get(1)?,
        created_at: codec::timestamp(row, 2)?,
        last_updated_at: codec::timestamp(row, 3)?,
        llm_model_name: row.get(4)?,
        metadata_tags: codec::json(row, 5)?,
        // A choice that no longer reads (written by a newer build) follows the settings.
        model: row.get::<_, Option<String>>(6)?.and_then(|c| c.parse().ok()),
        rag_document_ids: Vec::new(),
        scope: Scope::from_db(
            &row.get::<_, String>(7)?,
            row.get::<_, Option<String>>(8)?.and_then(|c| CollectionId::parse(&c).ok()),
        ),
        tags_by_person: row.get(9)?,
    })
}

fn document_ids(ids: &[DocumentId]) -> Result<Vec<DocumentId>> {
    if ids.len() > limits::MAX_SESSION_DOCUMENTS {
        return Err(Error::invalid(format!(
            "a session can have at most {} documents, got {}",
            limits::MAX_SESSION_DOCUMENTS,
            ids.len()
        )));
    }
    let mut out: Vec<DocumentId> = Vec::with_capacity(ids.len());
    for &id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn tags(tags: &[String]) -> Result<Vec<String>> {
    if tags.len() > limits::MAX_TAGS {
        return Err(Error::invalid(format!("a session can have at most {} tags", limits::MAX_TAGS)));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = text::required("tag", tag, limits::MAX_TAG_CHARS)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}
