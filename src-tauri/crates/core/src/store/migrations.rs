use rusqlite::Connection;

use crate::error::{Error, Result, StorageContext};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The runner over the migrations embedded from `migrations/` (append-only: never edit an applied
/// file, add a new `V{n}__name.sql`). All pending ones run in one transaction, and a migration
/// whose text differs from the one recorded as applied stops start-up.
pub fn runner() -> refinery::Runner {
    embedded::migrations::runner().set_grouped(true).set_abort_divergent(true).set_abort_missing(true)
}

pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    run_with(runner(), conn)
}

/// Applies `runner`'s migrations to `conn`; public so tests can replay partial or edited histories.
pub fn run_with(runner: refinery::Runner, conn: &mut Connection) -> Result<()> {
    let report = runner.run(conn).map_err(|e| Error::Migration(e.to_string()))?;
    for m in report.applied_migrations() {
        tracing::info!(version = m.version(), name = m.name(), "applied migration");
    }
    Ok(())
}

/// The schema version: the highest applied migration, 0 for an empty database.
pub fn schema_version(conn: &Connection) -> Result<i32> {
    conn.query_row("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", [], |row| row.get(0))
        .context("reading the schema version")
}

/// The newest migration this build knows.
pub fn latest_version() -> i32 {
    runner().get_migrations().iter().map(|m| m.version()).max().unwrap_or(0)
}
