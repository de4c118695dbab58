//! The library's documents, from a dropped file to searchable chunks.
//!
//! Owns: the `documents` and `chunks` tables ([`documents`]), the durable queue ([`queue`]),
//! processing one document ([`pipeline`]), folders given where files are expected
//! ([`folders`]), reading each format ([`extract`]) and copies of added PDFs ([`originals`]), splitting text into sections at its headings
//! ([`sections`]) and into chunks ([`chunking`]). Uses [`crate::store`], the embedder seam of [`crate::models`], and adds ready
//! documents' vectors to [`crate::retrieval`]'s index. Never decides when work runs: the
//! engine's worker (or the CLI, through the engine) drives the queue.
//!
//! Adding a document goes through a durable queue in SQLite. Adding a file records it
//! as `queued` (after the checks that need no model); [`Pipeline::process`] then takes it
//! through `extracting` and `embedding` to `ready`, or to `failed` with a reason. A document
//! becomes `ready` in the same transaction that stores its chunks and vectors, so it is never
//! visible as ready with anything missing; interrupted work is put back in the queue on start.

pub mod chunking;
pub mod documents;
pub mod extract;
pub mod folders;
pub mod lease;
pub mod originals;
pub mod pipeline;
pub mod queue;
pub mod sections;
pub mod watched;

pub use pipeline::{BATCH_TOKENS, Pipeline};
pub use queue::{
    Added, MAX_FILE_BYTES, Progress, Source, enqueue, enqueue_file, enqueue_paths, give_up, next_queued,
    resume_interrupted,
};
