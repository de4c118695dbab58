//! `hearth sessions export` and `hearth sessions import`.

use std::io::Write;
use std::path::{Path, PathBuf};

use hearth_core::sessions::transfer;
use hearth_core::{Database, Error, Result, SessionId};

use crate::args::ExportFormat;
use crate::output::Out;

/// Exports one chat, or all of them (`id` is none), to `output` or standard output.
pub fn export(
    db: &Database,
    out: &Out,
    id: Option<SessionId>,
    format: ExportFormat,
    output: Option<PathBuf>,
) -> Result<()> {
    let export = match id {
        Some(id) => transfer::export(db, &[id])?,
        None => transfer::export_all(db)?,
    };
    let text = match format {
        ExportFormat::Md => transfer::markdown(&export),
        ExportFormat::Json => serde_json::to_string_pretty(&export).expect("an export serializes") + "\n",
    };
    match output {
        Some(path) => {
            std::fs::write(&path, text)
                .map_err(|source| Error::Io { context: format!("writing {}", path.display()), source })?;
            out.done(&format!("exported {} chat(s) to {}", export.chats.len(), path.display()))
        }
        None => {
            // A closed pipe (`hearth … | head`) is not an error worth reporting.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Ok(())
        }
    }
}

/// Imports a JSON export's chats.
pub fn import(db: &Database, out: &Out, file: &Path) -> Result<()> {
    let bytes =
        std::fs::read(file).map_err(|source| Error::Io { context: format!("reading {}", file.display()), source })?;
    let imported = transfer::import(db, &bytes)?;
    out.imported(&imported)
}
