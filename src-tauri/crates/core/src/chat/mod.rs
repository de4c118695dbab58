//! The chat turn: a question in, an answer with its sources out.
//!
//! Owns: the turn itself ([`turn`]: store the question, retrieve from the chat's ready documents,
//! build the prompt, ask the backend, store the answer), its typed [`record`] (the answer's
//! metadata), building the prompt within the token budget ([`prompt`]), the language-model
//! backends behind one seam ([`llm`], a file per backend), and the per-session locks and stop
//! flags ([`locks`]). Uses [`crate::sessions`] to store, [`crate::retrieval`] to search, the
//! embedder seam of [`crate::models`], the settings, and reads which of the library's documents
//! are ready (the tokenizer of [`crate::ingest::chunking`] counts tokens). Never writes to the
//! library's documents.

pub mod llm;
pub mod locks;
pub mod prompt;
pub mod record;
pub mod turn;

pub use locks::TurnLocks;
pub use record::{PromptRecord, Retrieval, SourceRecord, Timings, TurnRecord};
pub use turn::{Reply, Turn, TurnEvent};
