/// Every command the shell registers. Each gets an `allow-…` permission of its own, so the
/// window's capability (`capabilities/default.json`) can list exactly the ones the UI calls; a
/// command left out there is refused at the IPC boundary.
const COMMANDS: &[&str] = &[
    "create_session",
    "list_sessions",
    "get_session",
    "rename_session",
    "delete_session",
    "add_message",
    "list_messages",
    "send_message",
    "retry_turn",
    "stop_turn",
    "get_settings",
    "save_settings",
    "test_llm_connection",
    "add_documents",
    "list_documents",
    "get_document",
    "get_passage",
    "get_cited_passage",
    "first_chunk_on_page",
    "delete_document",
    "cancel_document",
    "retry_document",
    "rebuild_index",
    "search",
    "attach_documents",
    "detach_document",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("the Tauri build step");
}
