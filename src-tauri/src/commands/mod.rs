//! Thin adapters from IPC to `hearth-core`, one file per domain.

pub mod chat;
pub mod documents;
pub mod messages;
pub mod passages;
pub mod sessions;
pub mod settings;
