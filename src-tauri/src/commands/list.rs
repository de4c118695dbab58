// Every command the shell registers, written once. `build.rs` includes this file to give each
// command its own `allow-…` permission, `lib.rs` expands it into Tauri's handler and the list of
// names, and `commands_test` checks the window's capability and the UI's wrappers against it.
// (A plain comment: this file is also included into the build script.)
macro_rules! hearth_commands {
    ($then:ident) => {
        $then! {
            sessions::create_session,
            sessions::list_sessions,
            sessions::get_session,
            sessions::rename_session,
            sessions::delete_session,
            sessions::set_session_scope,
            sessions::export_sessions,
            sessions::import_sessions,
            collections::list_collections,
            collections::create_collection,
            collections::rename_collection,
            collections::add_to_collection,
            collections::remove_from_collection,
            collections::delete_collection,
            messages::add_message,
            messages::list_messages,
            chat::send_message,
            chat::retry_turn,
            chat::stop_turn,
            settings::get_settings,
            settings::save_settings,
            settings::test_llm_connection,
            settings::backup_database,
            documents::add_documents,
            documents::list_documents,
            documents::get_document,
            passages::get_passage,
            passages::get_cited_passage,
            passages::render_page,
            passages::first_chunk_on_page,
            documents::delete_document,
            documents::cancel_document,
            documents::retry_document,
            documents::rebuild_index,
            documents::search,
            documents::attach_documents,
            documents::detach_document,
            models::inspect_model,
            models::find_models,
            models::detect_servers,
            models::use_model,
            models::set_session_model,
            models::add_model_folder,
        }
    };
}
