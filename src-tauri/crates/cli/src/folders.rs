//! `hearth folders …`: watched folders, scanned from the command line.

use hearth_core::ingest::queue;
use hearth_core::ingest::watched::Scan;
use hearth_core::{Engine, Result};

use crate::args::FoldersCommand;
use crate::output::Out;

/// Runs a `hearth folders` command. What a scan queues is processed before it returns (the CLI
/// has no background worker).
pub fn run(engine: &Engine, out: &Out, command: FoldersCommand) -> Result<()> {
    match command {
        FoldersCommand::Watch { folder } => {
            let (_, scan) = engine.watch_folder(&folder)?;
            process_queued(engine)?;
            out.scans(&[scan])
        }
        FoldersCommand::List => out.folders(&engine.watched_folders()?),
        FoldersCommand::Scan { folder } => {
            let scans: Vec<Scan> = match folder {
                Some(folder) => vec![engine.scan_folder(&hearth_core::ingest::watched::find(engine.db(), &folder)?)?],
                None => engine.scan_folders()?,
            };
            process_queued(engine)?;
            out.scans(&scans)
        }
        FoldersCommand::Unwatch { folder } => {
            engine.unwatch_folder(&folder)?;
            out.done(&format!("stopped watching {} (its documents stay in the library)", folder.display()))
        }
    }
}

/// Processes every queued document now, as the app's worker would.
fn process_queued(engine: &Engine) -> Result<()> {
    while let Some(id) = queue::next_queued(engine.db())? {
        engine.process(id, &mut |_| {})?;
    }
    Ok(())
}
