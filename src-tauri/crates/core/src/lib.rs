//! Hearth's engine: everything the desktop shell and the `hearth` CLI share. It knows nothing of
//! Tauri: it takes typed arguments and returns domain types. Every call is blocking (SQLite, the
//! models); async callers run it on a blocking thread.
//!
//! The modules follow the pipeline (`docs/architecture.md` has the whole map):
//! - [`store`]: the database handle, migrations, row codecs, ids, paging, paths, settings.
//! - [`sessions`]: chat sessions, their messages and what they search (their scope).
//! - [`collections`]: named sets of library documents a chat can be limited to.
//! - [`ingest`]: the library's documents, from a dropped file to stored chunks (queue, pipeline,
//!   extraction, chunking).
//! - [`models`]: the embedding model and the bundle of parts loaded with it.
//! - [`retrieval`]: keyword, vector and hybrid search, the vector index, passages.
//! - [`chat`]: the chat turn, its record, the prompt and the language-model backends.
//! - [`engine`]: the façade the shell and the CLI drive: one [`Engine`] per data directory.
//! - [`text`], [`error`]: small shared helpers and the one error type.

pub mod chat;
pub mod collections;
pub mod engine;
pub mod error;
pub mod ingest;
pub mod models;
pub mod retrieval;
pub mod sessions;
pub mod store;
pub mod text;

pub use engine::Engine;
pub use error::{Error, ErrorCode, Result};
pub use store::ids::{ChunkId, CollectionId, DocumentId, SessionId};
pub use store::{Database, Health, health, open, settings};
