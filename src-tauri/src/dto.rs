//! The shapes that cross the IPC boundary. TypeScript types are generated from these (ts-rs) into
//! `ui/src/lib/api/bindings/`; `bindings_test::bindings_are_fresh` fails when the committed ones are stale.

mod documents;
mod passages;
mod settings;

pub use documents::*;
use hearth_core::chat::TurnRecord;
use hearth_core::collections::Collection;
use hearth_core::sessions::messages::{ChatMessage, Role};
use hearth_core::sessions::{Scope, Session, SessionPage};
use hearth_core::{CollectionId, Error};
pub use passages::*;
use serde::{Deserialize, Serialize};
pub use settings::*;
use ts_rs::TS;

/// A chat session. Timestamps are RFC 3339 UTC.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "SessionDto.ts")]
pub struct SessionDto {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_updated_at: String,
    pub llm_model_name: String,
    /// Which model answers (`extractive`, a GGUF file's path, or `URL#NAME`); null for a chat
    /// made before chats had their own model (it follows the settings).
    pub model_choice: Option<String>,
    pub metadata_tags: Vec<String>,
    /// Whether the person set the tags (else they come from what the chat is about).
    pub tags_by_person: bool,
    /// The chat's own documents (dropped into it or chosen for it), in order. What it searches
    /// is `scope`'s: with the whole library, an empty list still means everything.
    pub rag_document_ids: Vec<String>,
    pub scope: ScopeDto,
}

/// What a chat searches: `library` (every ready document), `documents` (only its own) or
/// `collection` (the collection `collection_id` names, and its own documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "ScopeDto.ts")]
pub struct ScopeDto {
    pub kind: ScopeKind,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
}

/// The kinds of [`ScopeDto`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "ScopeKind.ts")]
pub enum ScopeKind {
    Library,
    Documents,
    Collection,
}

impl From<Scope> for ScopeDto {
    fn from(scope: Scope) -> Self {
        let (kind, collection_id) = match scope {
            Scope::Library => (ScopeKind::Library, None),
            Scope::Documents => (ScopeKind::Documents, None),
            Scope::Collection(id) => (ScopeKind::Collection, Some(id.to_string())),
        };
        ScopeDto { kind, collection_id }
    }
}

impl TryFrom<ScopeDto> for Scope {
    type Error = Error;

    fn try_from(dto: ScopeDto) -> Result<Scope, Error> {
        match (dto.kind, dto.collection_id) {
            (ScopeKind::Library, None) => Ok(Scope::Library),
            (ScopeKind::Documents, None) => Ok(Scope::Documents),
            (ScopeKind::Collection, Some(id)) => Ok(Scope::Collection(CollectionId::parse(&id)?)),
            (ScopeKind::Collection, None) => Err(Error::InvalidInput("a collection scope needs a collection".into())),
            (_, Some(_)) => Err(Error::InvalidInput("only a collection scope names a collection".into())),
        }
    }
}

/// What an import made: the new chats, and the documents they had that this library does not.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "ImportedDto.ts")]
pub struct ImportedDto {
    pub sessions: Vec<SessionDto>,
    pub missing_documents: Vec<String>,
}

impl From<hearth_core::sessions::transfer::Imported> for ImportedDto {
    fn from(i: hearth_core::sessions::transfer::Imported) -> Self {
        ImportedDto {
            sessions: i.sessions.into_iter().map(Into::into).collect(),
            missing_documents: i.missing_documents,
        }
    }
}

/// A named set of library documents.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "CollectionDto.ts")]
pub struct CollectionDto {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// Its documents, in the order they were added.
    pub document_ids: Vec<String>,
}

impl From<Collection> for CollectionDto {
    fn from(c: Collection) -> Self {
        CollectionDto {
            id: c.id.to_string(),
            name: c.name,
            created_at: c.created_at.to_rfc3339(),
            document_ids: c.document_ids.iter().map(ToString::to_string).collect(),
        }
    }
}

impl From<Session> for SessionDto {
    fn from(s: Session) -> Self {
        SessionDto {
            id: s.id.to_string(),
            name: s.name,
            created_at: s.created_at.to_rfc3339(),
            last_updated_at: s.last_updated_at.to_rfc3339(),
            llm_model_name: s.llm_model_name,
            model_choice: s.model.map(|m| m.to_string()),
            metadata_tags: s.metadata_tags,
            tags_by_person: s.tags_by_person,
            rag_document_ids: s.rag_document_ids.iter().map(ToString::to_string).collect(),
            scope: s.scope.into(),
        }
    }
}

/// One page of sessions (most recently active first) and how many there are in all.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "SessionPageDto.ts")]
pub struct SessionPageDto {
    pub items: Vec<SessionDto>,
    #[ts(type = "number")]
    pub total: i64,
    /// For a search: each listed chat's best matching message, as a few words around the match,
    /// by session id (absent when only the name matched).
    pub found: std::collections::BTreeMap<String, String>,
}

impl From<SessionPage> for SessionPageDto {
    fn from(p: SessionPage) -> Self {
        let found = p
            .items
            .iter()
            .zip(p.found)
            .filter_map(|(s, snippet)| snippet.map(|snippet| (s.id.to_string(), snippet)))
            .collect();
        SessionPageDto { items: p.items.into_iter().map(Into::into).collect(), total: p.total, found }
    }
}

/// A stored message.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "ChatMessageDto.ts")]
pub struct ChatMessageDto {
    #[ts(type = "number")]
    pub id: i64,
    pub session_id: String,
    pub timestamp: String,
    pub role: Role,
    pub content: String,
    /// What the chat turn recorded about an answer (its sources, the prompt, timings); null for
    /// questions and for messages no turn wrote.
    pub record: Option<TurnRecord>,
}

impl From<ChatMessage> for ChatMessageDto {
    fn from(m: ChatMessage) -> Self {
        let record = TurnRecord::of(&m);
        ChatMessageDto {
            id: m.id,
            session_id: m.session_id.to_string(),
            timestamp: m.timestamp.to_rfc3339(),
            role: m.role,
            content: m.content,
            record,
        }
    }
}

/// What `create_session` takes; every field may be left out.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(export_to = "CreateSessionRequest.ts", optional_fields)]
pub struct CreateSessionRequest {
    pub name: Option<String>,
    pub rag_document_ids: Option<Vec<String>>,
    pub llm_model_name: Option<String>,
    pub metadata_tags: Option<Vec<String>>,
    /// What it searches (default: its documents when given some, else the whole library).
    pub scope: Option<ScopeDto>,
}

/// What `add_message` takes. `role` is free text so that a wrong one gets INVALID_INPUT, not a
/// deserialization failure.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export_to = "AddMessageRequest.ts")]
pub struct AddMessageRequest {
    pub content: String,
    #[ts(optional)]
    pub role: Option<String>,
}

/// What a running turn reports: the chat's model loading, then the answer piece by piece.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export_to = "TurnEventDto.ts")]
pub enum TurnEventDto {
    /// The chat's GGUF model is loading: `progress` from 0 to 1.
    Loading { model: String, progress: f32 },
    /// A piece of the answer.
    Token { text: String },
}

impl From<hearth_core::chat::TurnEvent<'_>> for TurnEventDto {
    fn from(event: hearth_core::chat::TurnEvent<'_>) -> Self {
        match event {
            hearth_core::chat::TurnEvent::Loading { model, progress } => {
                TurnEventDto::Loading { model: model.to_owned(), progress }
            }
            hearth_core::chat::TurnEvent::Token(text) => TurnEventDto::Token { text: text.to_owned() },
        }
    }
}

/// A finished turn: the stored question and the stored answer (with its record).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "ChatReplyDto.ts")]
pub struct ChatReplyDto {
    pub user: ChatMessageDto,
    pub assistant: ChatMessageDto,
}

impl From<hearth_core::chat::Reply> for ChatReplyDto {
    fn from(r: hearth_core::chat::Reply) -> Self {
        let mut assistant = ChatMessageDto::from(r.assistant);
        assistant.record = Some(r.record);
        ChatReplyDto { user: r.user.into(), assistant }
    }
}
