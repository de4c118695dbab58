//! Collections (named sets of library documents) and what a chat searches (its scope).

mod common;

use hearth_core::collections;
use hearth_core::sessions::{self, NewSession, Scope};
use hearth_core::{DocumentId, Error};

#[test]
fn collections_hold_documents_by_name_and_lose_deleted_documents() {
    let (_dir, db) = common::temp_db();
    let a = common::insert_document(&db, "a.md");
    let b = common::insert_document(&db, "b.md");
    let r = collections::create(&db, " R manuals ", &[a, b, a]).unwrap();
    assert_eq!(r.name, "R manuals");
    assert_eq!(r.document_ids, vec![a, b], "in order, without duplicates");
    assert_eq!(collections::find(&db, "r MANUALS").unwrap().id, r.id, "found by name, ignoring case");
    assert_eq!(collections::find(&db, &r.id.to_string()).unwrap().name, "R manuals", "or by id");
    assert!(matches!(collections::find(&db, "Tax").unwrap_err(), Error::NotFound { .. }));

    let err = collections::create(&db, "r manuals", &[]).unwrap_err();
    assert_eq!(err.to_string(), "a collection named \"r manuals\" already exists");
    assert!(matches!(collections::create(&db, "  ", &[]).unwrap_err(), Error::InvalidInput(_)));
    let missing = collections::create(&db, "x", &[DocumentId::new()]).unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }));
    assert_eq!(collections::list(&db).unwrap().len(), 1, "a refused create leaves nothing behind");

    let r = collections::remove(&db, r.id, &[a]).unwrap();
    assert_eq!(r.document_ids, vec![b]);
    let r = collections::add(&db, r.id, &[a, b]).unwrap();
    assert_eq!(r.document_ids.len(), 2);
    collections::create(&db, "Tax", &[]).unwrap();
    assert!(matches!(collections::rename(&db, r.id, "TAX").unwrap_err(), Error::InvalidInput(_)));
    assert_eq!(collections::rename(&db, r.id, "r manuals").unwrap().name, "r manuals", "its own name, new case");
    let names: Vec<_> = collections::list(&db).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["r manuals", "Tax"], "by name");

    hearth_core::ingest::documents::delete(&db, a).unwrap();
    assert_eq!(collections::get(&db, r.id).unwrap().document_ids, vec![b], "a deleted document leaves it");
}

#[test]
fn a_new_chat_searches_the_library_and_one_with_documents_searches_them() {
    let (_dir, db) = common::temp_db();
    let a = common::insert_document(&db, "a.md");
    let open = sessions::create(&db, NewSession::default()).unwrap();
    assert_eq!(open.scope, Scope::Library);
    assert_eq!(sessions::scope::documents(&db, &open).unwrap(), None, "the whole library");
    let chosen = sessions::create(&db, NewSession { document_ids: vec![a], ..Default::default() }).unwrap();
    assert_eq!(chosen.scope, Scope::Documents);
    assert_eq!(sessions::scope::documents(&db, &chosen).unwrap(), Some(vec![a]));
    let explicit =
        sessions::create(&db, NewSession { document_ids: vec![a], scope: Some(Scope::Library), ..Default::default() })
            .unwrap();
    assert_eq!((explicit.scope, explicit.rag_document_ids), (Scope::Library, vec![a]), "attached and library-wide");
}

#[test]
fn a_collection_scope_searches_the_collection_and_the_chats_own_documents() {
    let (_dir, db) = common::temp_db();
    let [a, b, own] = ["a.md", "b.md", "own.md"].map(|n| common::insert_document(&db, n));
    let c = collections::create(&db, "Tax", &[a, b]).unwrap();
    let chat = sessions::create(&db, NewSession { document_ids: vec![own, a], ..Default::default() }).unwrap();
    let chat = sessions::scope::set(&db, chat.id, Scope::Collection(c.id)).unwrap();
    assert_eq!(chat.scope, Scope::Collection(c.id));
    assert_eq!(sessions::scope::documents(&db, &chat).unwrap(), Some(vec![a, b, own]));
    assert_eq!(sessions::get(&db, chat.id).unwrap().last_updated_at, chat.last_updated_at, "not activity");

    let gone = hearth_core::CollectionId::new();
    assert!(matches!(sessions::scope::set(&db, chat.id, Scope::Collection(gone)).unwrap_err(), Error::NotFound { .. }));
    let refused = NewSession { scope: Some(Scope::Collection(gone)), ..Default::default() };
    assert!(matches!(sessions::create(&db, refused).unwrap_err(), Error::NotFound { .. }));
    assert_eq!(sessions::get(&db, chat.id).unwrap().scope, Scope::Collection(c.id), "a refused change changes nothing");

    collections::delete(&db, c.id).unwrap();
    assert_eq!(sessions::get(&db, chat.id).unwrap().scope, Scope::Library, "its chats now search the library");
    assert!(matches!(collections::delete(&db, c.id).unwrap_err(), Error::NotFound { .. }));
    assert_eq!(hearth_core::ingest::documents::ready_among(&db, &[a, b]).unwrap(), vec![a, b], "documents stay");
}
