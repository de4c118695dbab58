//! Hearth's desktop shell: the only crate that knows Tauri. Commands are thin adapters over
//! `hearth-core`; errors cross the boundary as [`error::IpcError`].

mod commands;
pub mod dto;
pub mod error;
mod state;

#[cfg(test)]
mod bindings_test;

/// Starts the desktop app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| "info,refinery_core=warn".into()),
        )
        .init();
    let result = tauri::Builder::default()
        .manage(state::AppState::open())
        .invoke_handler(tauri::generate_handler![
            commands::sessions::create_session,
            commands::sessions::list_sessions,
            commands::sessions::get_session,
            commands::sessions::rename_session,
            commands::sessions::delete_session,
            commands::messages::add_message,
            commands::messages::list_messages,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
