//! Thin adapters from IPC to `hearth-core`, one file per domain: each parses its arguments into
//! the engine's types (ids, pages, requests), runs one engine call on a blocking thread, and
//! converts the result to a DTO. The list of commands is in `list.rs`, once.

#[macro_use]
mod list;

pub mod chat;
pub mod collections;
pub mod documents;
pub mod folders;
pub mod messages;
pub mod models;
pub mod passages;
pub mod recovery;
pub mod sessions;
pub mod settings;

/// The names of the listed commands.
#[cfg(test)]
macro_rules! names {
    ($($module:ident::$name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

/// Every command the shell registers, by name (the same list `build.rs` gives permissions).
#[cfg(test)]
pub const COMMANDS: &[&str] = hearth_commands!(names);

/// Tauri's handler for every listed command.
macro_rules! handler {
    ($($module:ident::$name:ident),* $(,)?) => {
        tauri::generate_handler![$(crate::commands::$module::$name),*]
    };
}
