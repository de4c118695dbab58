//! Hearth's desktop shell: the only crate that knows Tauri. Commands are thin adapters over
//! `hearth-core`; errors cross the boundary as [`error::IpcError`].

#[macro_use]
mod commands;
pub mod dto;
pub mod error;
mod state;

#[cfg(test)]
mod bindings_test;
#[cfg(test)]
mod commands_test;

use hearth_core::ingest::extract::{PARSE_TIMEOUT, WorkerCommand};
use tauri::{Emitter, Manager};

/// The event that carries [`dto::DocumentProgressDto`] as documents move through the queue.
pub const PROGRESS_EVENT: &str = "document-progress";
/// The event the worker sends as it embeds the library again for a new embedding model.
pub const REEMBED_EVENT: &str = "reembed-progress";
/// The event a scan of a watched folder sends when it changed the library.
pub const LIBRARY_CHANGED_EVENT: &str = "library-changed";

/// The argument that starts this executable as the engine's document reader.
const PARSER_WORKER_ARG: &str = "--parser-worker";

/// Starts the engine's background work for the window: the ingestion worker (and re-embedding),
/// the parser process, freeing an idle chat model, automatic backups and watched folders.
fn start(app: &tauri::AppHandle, engine: &std::sync::Arc<hearth_core::Engine>) -> hearth_core::Result<()> {
    let handle = app.clone();
    let reembed_handle = app.clone();
    engine.spawn_worker(
        move |progress| {
            // A window that is closing may miss an update; the document list is the truth.
            let _ = handle.emit(PROGRESS_EVENT, dto::DocumentProgressDto::from(progress));
        },
        move |progress| {
            let _ = reembed_handle.emit(REEMBED_EVENT, dto::ReembeddingDto::from(progress));
        },
    )?;
    // Documents are parsed in a child process of this executable (see `run`).
    match std::env::current_exe() {
        Ok(program) => {
            let command = WorkerCommand::new(program, &[PARSER_WORKER_ARG]);
            engine.use_parser_worker(command, PARSE_TIMEOUT);
        }
        Err(e) => tracing::warn!(error = %e, "documents are parsed in the app's process"),
    }
    // Frees a GGUF model left unused for the idle setting's minutes.
    engine.spawn_idle_unloader(std::time::Duration::from_secs(30));
    // Writes the automatic backups (one a day, three kept, by default).
    engine.spawn_backups();
    // Keeps watched folders in sync (and finds what changed while the app was closed).
    let handle = app.clone();
    engine.spawn_folder_watcher(move |scan| {
        let _ = handle.emit(LIBRARY_CHANGED_EVENT, dto::FolderScanDto::from(scan));
    })?;
    Ok(())
}

/// Starts the desktop app.
pub fn run() {
    // The same executable, started by the engine as its document reader: no window.
    if std::env::args().nth(1).as_deref() == Some(PARSER_WORKER_ARG) {
        std::process::exit(match hearth_core::ingest::extract::worker::serve() {
            Ok(()) => 0,
            Err(_) => 1,
        });
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| "info,refinery_core=warn".into()),
        )
        .init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let state = state::AppState::open(app.path().resource_dir().ok().as_deref());
            if let Some(engine) = state.engine() {
                start(app.handle(), &engine)?;
            }
            app.manage(state);
            Ok(())
        })
        .invoke_handler(hearth_commands!(handler))
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
