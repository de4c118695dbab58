//! Backups of the library's database: one written on request (the window's "Back up now",
//! `hearth backup`), and the automatic ones the app keeps (see `settings::BackupSettings`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::Engine;
use crate::error::Result;
use crate::store::backup::{self, BackupInfo};
use crate::store::settings;

/// How often the app looks whether an automatic backup is due.
const CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

impl Engine {
    /// Writes a consistent copy of the database to `to` while everything keeps working.
    pub fn backup_to(&self, to: &Path) -> Result<BackupInfo> {
        self.db.backup_to(to)
    }

    /// Writes an automatic backup to `backups/` if one is due, and deletes those past the
    /// number kept.
    pub fn automatic_backup(&self) -> Result<Option<BackupInfo>> {
        let wanted = settings::backups(&self.db)?;
        let every = Duration::from_secs(u64::from(wanted.every_hours) * 3600);
        backup::automatic(&self.db, &self.data_dir, wanted.keep, every)
    }

    /// Keeps the automatic backups on a thread of its own: at start, then every quarter hour.
    pub fn spawn_backups(self: &Arc<Self>) {
        let engine = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("hearth-backups".into())
            .spawn(move || {
                loop {
                    let Some(engine) = engine.upgrade() else { return };
                    match engine.automatic_backup() {
                        Ok(Some(info)) => tracing::info!(path = %info.path.display(), "automatic backup written"),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "the automatic backup failed"),
                    }
                    drop(engine);
                    std::thread::sleep(CHECK_EVERY);
                }
            })
            .expect("a thread can be started");
    }
}
