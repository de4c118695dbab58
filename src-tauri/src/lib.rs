//! Hearth's desktop shell: the only crate that knows Tauri. Commands are thin adapters over
//! `hearth-core`; errors cross the boundary as [`error::IpcError`].

mod commands;
pub mod dto;
pub mod error;
mod state;

#[cfg(test)]
mod bindings_test;

use tauri::{Emitter, Manager};

/// The event that carries [`dto::DocumentProgressDto`] as documents move through the queue.
pub const PROGRESS_EVENT: &str = "document-progress";

/// Starts the desktop app.
pub fn run() {
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
            if let Some(library) = state.library() {
                let handle = app.handle().clone();
                library.spawn_worker(move |progress| {
                    // A window that is closing may miss an update; the document list is the truth.
                    let _ = handle.emit(PROGRESS_EVENT, dto::DocumentProgressDto::from(progress));
                })?;
            }
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sessions::create_session,
            commands::sessions::list_sessions,
            commands::sessions::get_session,
            commands::sessions::rename_session,
            commands::sessions::delete_session,
            commands::messages::add_message,
            commands::messages::list_messages,
            commands::chat::send_message,
            commands::chat::retry_turn,
            commands::chat::stop_turn,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::test_llm_connection,
            commands::documents::add_documents,
            commands::documents::list_documents,
            commands::documents::get_document,
            commands::passages::get_passage,
            commands::passages::get_cited_passage,
            commands::passages::first_chunk_on_page,
            commands::documents::delete_document,
            commands::documents::cancel_document,
            commands::documents::retry_document,
            commands::documents::rebuild_index,
            commands::documents::search,
            commands::documents::attach_documents,
            commands::documents::detach_document,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
