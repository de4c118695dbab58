//! Chats that can leave the app and come back: exported as Markdown (to read: the conversation,
//! citations as footnotes with document, page and the quoted passage) or as JSON (everything,
//! each answer's record included), and a JSON export imported as new chats.
//!
//! An import is checked whole before anything is written, and written in one transaction: a
//! malformed or hostile file is refused with the reason and changes nothing. Ids are new;
//! documents are linked again by content hash when the library has them, and listed as missing
//! otherwise. An imported chat answers with this machine's chosen model: a model named in a file
//! (a server's address) is never taken from it, so an import cannot send questions elsewhere.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::messages::{self, ChatMessage, Role};
use super::{Scope, Session, limits};
use crate::chat::TurnRecord;
use crate::chat::record::citation_marks;
use crate::error::{Error, Result, StorageContext};
use crate::store::codec;
use crate::store::ids::{DocumentId, SessionId};
use crate::store::{Database, Page};
use crate::text;

/// What an export file says it is.
pub const FORMAT: &str = "hearth-chats";
/// The export format's version; an import refuses a newer one.
pub const VERSION: u32 = 1;
/// Largest file an import reads.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// Most messages in one imported chat.
pub const MAX_IMPORT_MESSAGES: usize = 100_000;
/// Most chats in one import.
pub const MAX_IMPORT_CHATS: usize = 10_000;

/// An export: one chat or many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatExport {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub chats: Vec<ExportedChat>,
}

/// A chat as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedChat {
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_updated_at: DateTime<Utc>,
    /// The model that answered, by name (for the reader; an import does not use it).
    pub llm_model_name: String,
    #[serde(default)]
    pub metadata_tags: Vec<String>,
    /// Whether the tags are the person's (else they were made from what the chat is about).
    #[serde(default)]
    pub tags_by_person: bool,
    /// `library` or `documents` (a collection is exported as the whole library: collections
    /// stay in their library).
    pub scope: String,
    /// The chat's own documents.
    #[serde(default)]
    pub documents: Vec<ExportedDocument>,
    pub messages: Vec<ExportedMessage>,
}

/// A document a chat had, by content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedDocument {
    /// Its id in the exporting library (records name it).
    pub id: DocumentId,
    pub name: String,
    pub sha256: String,
}

/// A message as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedMessage {
    pub timestamp: DateTime<Utc>,
    pub role: Role,
    pub content: String,
    /// An answer's record (see [`TurnRecord`]), or `{}`.
    #[serde(default = "empty_object")]
    pub metadata: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

/// What an import made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    pub sessions: Vec<Session>,
    /// Documents the chats had that this library does not (by name), once each.
    pub missing_documents: Vec<String>,
}

/// The chats `ids` as an export (in that order).
pub fn export(db: &Database, ids: &[SessionId]) -> Result<ChatExport> {
    let chats = ids.iter().map(|id| export_chat(db, *id)).collect::<Result<_>>()?;
    Ok(ChatExport { format: FORMAT.into(), version: VERSION, exported_at: codec::now(), chats })
}

/// Every chat, most recently active first.
pub fn export_all(db: &Database) -> Result<ChatExport> {
    let ids: Vec<SessionId> = db.read(|conn| {
        let mut stmt = conn
            .prepare("SELECT id FROM sessions ORDER BY last_updated_at DESC, created_at DESC, id")
            .context("listing chats to export")?;
        let ids = stmt
            .query_map([], |row| codec::uuid(row, 0).map(SessionId))
            .context("listing chats to export")?
            .collect::<rusqlite::Result<_>>()
            .context("reading chats to export")?;
        Ok(ids)
    })?;
    export(db, &ids)
}

fn export_chat(db: &Database, id: SessionId) -> Result<ExportedChat> {
    let session = super::get(db, id)?;
    let messages = all_messages(db, id)?;
    let documents = db.read(|conn| {
        let mut stmt = conn
            .prepare_cached("SELECT name, sha256 FROM documents WHERE id = ?1")
            .context("preparing a chat's documents")?;
        let mut found = Vec::new();
        for doc in &session.rag_document_ids {
            let row: Option<(String, String)> =
                stmt.query_row([doc], |r| Ok((r.get(0)?, r.get(1)?))).optional().context("reading a document")?;
            if let Some((name, sha256)) = row {
                found.push(ExportedDocument { id: *doc, name, sha256 });
            }
        }
        Ok(found)
    })?;
    Ok(ExportedChat {
        name: session.name,
        created_at: session.created_at,
        last_updated_at: session.last_updated_at,
        llm_model_name: session.llm_model_name,
        metadata_tags: session.metadata_tags,
        tags_by_person: session.tags_by_person,
        scope: match session.scope {
            Scope::Documents => "documents",
            _ => "library",
        }
        .into(),
        documents,
        messages: messages
            .into_iter()
            .map(|m| ExportedMessage { timestamp: m.timestamp, role: m.role, content: m.content, metadata: m.metadata })
            .collect(),
    })
}

fn all_messages(db: &Database, id: SessionId) -> Result<Vec<ChatMessage>> {
    const PAGE: i64 = 1000;
    let mut all = Vec::new();
    loop {
        let page = messages::list(db, id, Page::new(PAGE, all.len() as i64)?)?;
        let done = (page.len() as i64) < PAGE;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// An export as Markdown, to read: each chat's name, its messages in order, and each answer's
/// citations `[n]` as footnotes naming the document and page and quoting the passage.
pub fn markdown(export: &ChatExport) -> String {
    export.chats.iter().map(chat_markdown).collect::<Vec<_>>().join("\n\n---\n\n")
}

fn chat_markdown(chat: &ExportedChat) -> String {
    let mut out = format!(
        "# {}\n\n_Exported from Hearth · {} messages · answered by {} · {}_\n",
        one_line(&chat.name),
        chat.messages.len(),
        one_line(&chat.llm_model_name),
        chat.last_updated_at.format("%Y-%m-%d %H:%M UTC")
    );
    let mut answers = 0;
    for message in &chat.messages {
        let who = match message.role {
            Role::User => "You",
            Role::Assistant => "Hearth",
            Role::System => "System",
        };
        out.push_str(&format!("\n**{who}** · {}\n\n", message.timestamp.format("%Y-%m-%d %H:%M")));
        let record = (message.role == Role::Assistant)
            .then(|| serde_json::from_value::<TurnRecord>(message.metadata.clone()).ok())
            .flatten();
        match record.filter(|r| !r.sources.is_empty()) {
            Some(record) => {
                answers += 1;
                let label = |n: usize| format!("a{answers}-{n}");
                out.push_str(&cite_as_footnotes(&message.content, &record, &label));
                out.push('\n');
                for source in record.sources.iter().filter(|s| s.n.is_some()) {
                    let n = source.n.unwrap_or_default();
                    let page = source.page.map(|p| format!(", page {p}")).unwrap_or_default();
                    out.push_str(&format!(
                        "\n[^{}]: {}{page}: “{}”",
                        label(n),
                        one_line(&source.document_name),
                        one_line(&source.snippet)
                    ));
                }
                out.push('\n');
            }
            None => {
                out.push_str(&message.content);
                out.push('\n');
            }
        }
    }
    out
}

/// `content` with each citation `[n]` of a numbered source written as a footnote reference.
fn cite_as_footnotes(content: &str, record: &TurnRecord, label: &dyn Fn(usize) -> String) -> String {
    let cited: Vec<usize> = record.sources.iter().filter_map(|s| s.n).collect();
    let mut out = String::with_capacity(content.len());
    let mut copied = 0;
    for (at, n) in citation_marks(content).into_iter().filter(|(_, n)| cited.contains(n)) {
        out.push_str(&content[copied..at.start]);
        out.push_str(&format!("[^{}]", label(n)));
        copied = at.end;
    }
    out.push_str(&content[copied..]);
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Imports an export file's bytes as new chats. The whole file is checked first (format,
/// version, sizes, names, roles, contents, records); then every chat is written in one
/// transaction, with new ids, its documents linked again by content hash.
pub fn import(db: &Database, bytes: &[u8]) -> Result<Imported> {
    let refuse = |why: String| Error::InvalidInput(format!("not a Hearth chat export this version can read: {why}"));
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(refuse(format!("it is {} bytes; the limit is {MAX_IMPORT_BYTES}", bytes.len())));
    }
    let export: ChatExport = serde_json::from_slice(bytes).map_err(|e| refuse(e.to_string()))?;
    if export.format != FORMAT {
        return Err(refuse(format!("its format is {:?}, not {FORMAT:?}", export.format)));
    }
    if export.version > VERSION {
        return Err(refuse(format!("it is version {}, newer than this Hearth's {VERSION}", export.version)));
    }
    if export.chats.is_empty() || export.chats.len() > MAX_IMPORT_CHATS {
        return Err(refuse(format!("it holds {} chats (1 to {MAX_IMPORT_CHATS} can be imported)", export.chats.len())));
    }
    for (i, chat) in export.chats.iter().enumerate() {
        check_chat(chat).map_err(|e| refuse(format!("chat {} ({:?}): {e}", i + 1, text::quote(&chat.name, 40))))?;
    }
    db.write(|tx| {
        let mut missing: Vec<String> = Vec::new();
        let mut sessions = Vec::new();
        for chat in &export.chats {
            let mut found: HashMap<String, DocumentId> = HashMap::new();
            for doc in &chat.documents {
                let local = tx
                    .query_row("SELECT id FROM documents WHERE sha256 = ?1", [&doc.sha256], |r| codec::uuid(r, 0))
                    .optional()
                    .context("finding a document by content")?;
                match local {
                    Some(id) => {
                        found.insert(doc.id.to_string(), DocumentId(id));
                    }
                    None if !missing.contains(&doc.name) => missing.push(doc.name.clone()),
                    None => {}
                }
            }
            let id = SessionId::new();
            let scope = if chat.scope == "documents" { Scope::Documents } else { Scope::Library };
            tx.execute(
                "INSERT INTO sessions (id, name, created_at, last_updated_at, llm_model_name, metadata_tags, scope,
                                       tags_by_person)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    chat.name.trim(),
                    codec::to_db(chat.created_at),
                    codec::to_db(chat.last_updated_at),
                    chat.llm_model_name.trim(),
                    serde_json::to_string(&chat.metadata_tags).expect("tags serialize"),
                    scope.kind(),
                    chat.tags_by_person
                ],
            )
            .context("importing a chat")?;
            let own: Vec<&DocumentId> = chat.documents.iter().filter_map(|d| found.get(&d.id.to_string())).collect();
            for (position, doc) in own.iter().enumerate() {
                tx.execute(
                    "INSERT OR IGNORE INTO session_documents (session_id, document_id, position, attached_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, doc, position as i64, codec::to_db(chat.created_at)],
                )
                .context("linking an imported chat's document")?;
            }
            for message in &chat.messages {
                tx.execute(
                    "INSERT INTO chat_messages (session_id, timestamp, role, content, metadata) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        id,
                        codec::to_db(message.timestamp),
                        message.role.as_str(),
                        message.content,
                        relinked(&message.metadata, &found).to_string()
                    ],
                )
                .context("importing a message")?;
            }
            sessions.push(super::load(tx, id)?);
        }
        Ok(Imported { sessions, missing_documents: missing })
    })
}

fn check_chat(chat: &ExportedChat) -> Result<()> {
    text::required("name", &chat.name, limits::MAX_NAME_CHARS)?;
    text::at_most("model name", chat.llm_model_name.chars().count(), limits::MAX_MODEL_NAME_CHARS, "characters")?;
    super::tags(&chat.metadata_tags)?;
    if !["library", "documents", "collection"].contains(&chat.scope.as_str()) {
        return Err(Error::invalid(format!("unknown scope {:?}", text::quote(&chat.scope, 40))));
    }
    if chat.documents.len() > limits::MAX_SESSION_DOCUMENTS {
        return Err(Error::invalid(format!(
            "{} documents; a chat has at most {}",
            chat.documents.len(),
            limits::MAX_SESSION_DOCUMENTS
        )));
    }
    if chat.messages.len() > MAX_IMPORT_MESSAGES {
        return Err(Error::invalid(format!("{} messages; the limit is {MAX_IMPORT_MESSAGES}", chat.messages.len())));
    }
    for (i, message) in chat.messages.iter().enumerate() {
        messages::check(&message.content, &message.metadata)
            .map_err(|e| Error::invalid(format!("message {}: {e}", i + 1)))?;
    }
    Ok(())
}

/// `metadata` with every id of the exporting library's documents replaced by this library's
/// (a record names its sources' documents); ids of documents not here stay, and read as gone.
fn relinked(metadata: &serde_json::Value, found: &HashMap<String, DocumentId>) -> serde_json::Value {
    match metadata {
        serde_json::Value::String(s) => match found.get(s) {
            Some(local) => serde_json::Value::String(local.to_string()),
            None => metadata.clone(),
        },
        serde_json::Value::Array(items) => items.iter().map(|v| relinked(v, found)).collect(),
        serde_json::Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), relinked(v, found))).collect(),
        _ => metadata.clone(),
    }
}
