//! The `settings` table: small JSON values under fixed keys, each with a default in code.

use rusqlite::{Connection, OptionalExtension, params};

use crate::columns;
use crate::db::Database;
use crate::error::{Result, StorageContext};
use crate::limits;

/// The model a new session asks for when none is named.
pub const DEFAULT_MODEL_NAME_KEY: &str = "default_model_name";
/// Until a language model is configured, answers come from the placeholder backend.
pub const DEFAULT_MODEL_NAME: &str = "placeholder";

/// The default model name for new sessions.
pub fn default_model_name(conn: &Connection) -> Result<String> {
    let stored: Option<String> = conn
        .query_row("SELECT value ->> '$' FROM settings WHERE key = ?1", [DEFAULT_MODEL_NAME_KEY], |row| row.get(0))
        .optional()
        .context("reading the default model name")?;
    Ok(stored.unwrap_or_else(|| DEFAULT_MODEL_NAME.to_owned()))
}

/// Changes the default model name for sessions created from now on.
pub fn set_default_model_name(db: &Database, name: &str) -> Result<String> {
    let name = limits::required_text("model name", name, limits::MAX_MODEL_NAME_CHARS)?;
    db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, json_quote(?2), ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![DEFAULT_MODEL_NAME_KEY, name, columns::to_db(columns::now())],
        )
        .context("saving the default model name")?;
        Ok(name)
    })
}
