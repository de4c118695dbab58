//! Row codecs: how timestamps, ids and JSON are written to and read from SQLite columns.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// The current time, UTC, at the precision stored (microseconds), so that what a call returns
/// equals what a later read gives back.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Fixed width (microseconds, `Z`), so that SQLite's text ordering is time ordering.
pub(crate) fn to_db(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads column `idx` as a stored timestamp; a malformed one is a conversion error, not a panic.
pub(crate) fn timestamp(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(|e| conversion(idx, e))
}

/// Reads column `idx` as a UUID stored as text.
pub(crate) fn uuid(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<uuid::Uuid> {
    let text: String = row.get(idx)?;
    uuid::Uuid::parse_str(&text).map_err(|e| conversion(idx, e))
}

/// A column whose stored value does not convert: an error, never a panic.
pub(crate) fn conversion(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// Reads column `idx` as stored JSON.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| conversion(idx, e))
}
