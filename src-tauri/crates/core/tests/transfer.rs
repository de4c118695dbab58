//! Chats exported as Markdown and JSON, and a JSON export imported as new chats.

mod common;

use hearth_core::chat::Turn;
use hearth_core::chat::llm::Extractive;
use hearth_core::sessions::messages::{self, Role};
use hearth_core::sessions::transfer::{self, ChatExport};
use hearth_core::sessions::{self, NewSession, Scope};
use hearth_core::store::Page;
use hearth_core::{Database, Error, SessionId};

use common::{add, chunker, fixture, model};

fn ask(db: &Database, session: SessionId, question: &str) {
    let backend = Extractive { embedder: Some(model()) };
    let turn = Turn { db, embedder: Some(model()), index: None, keywords: None, counter: chunker(), backend: &backend };
    turn.send(session, question, &mut |_| true).unwrap();
}

/// A chat with two documents and two answered questions.
fn bees_chat(db: &Database) -> SessionId {
    let docs = ["beekeeping.pdf", "tides.docx"].map(|f| add(db, &fixture(f)).document.id).to_vec();
    let chat =
        NewSession { name: Some("Bees".into()), document_ids: docs, tags: vec!["hives".into()], ..Default::default() };
    let id = sessions::create(db, chat).unwrap().id;
    ask(db, id, "When should beekeepers treat for Varroa mites?");
    ask(db, id, "What causes the tides?");
    id
}

fn messages_of(db: &Database, id: SessionId) -> Vec<(Role, String)> {
    messages::list(db, id, Page::new(100, 0).unwrap()).unwrap().into_iter().map(|m| (m.role, m.content)).collect()
}

#[test]
fn an_export_imports_as_an_equal_chat_with_new_ids_and_its_documents_found_by_content() {
    let (_a, here) = common::temp_db();
    let original = bees_chat(&here);
    let export = transfer::export(&here, &[original]).unwrap();
    let json = serde_json::to_vec(&export).unwrap();

    // Another library with one of the two documents.
    let (_b, there) = common::temp_db();
    let bees_there = add(&there, &fixture("beekeeping.pdf")).document.id;
    let imported = transfer::import(&there, &json).unwrap();
    assert_eq!(imported.missing_documents, ["tides.docx"]);
    let chat = &imported.sessions[0];
    assert_ne!(chat.id, original);
    let before = sessions::get(&here, original).unwrap();
    assert_eq!(
        (&chat.name, &chat.metadata_tags, chat.created_at, chat.last_updated_at, chat.scope),
        (&before.name, &before.metadata_tags, before.created_at, before.last_updated_at, Scope::Documents)
    );
    assert_eq!(chat.rag_document_ids, [bees_there], "linked again by content");
    assert_eq!(chat.model, None, "it answers with this machine's model");
    assert_eq!(messages_of(&there, chat.id), messages_of(&here, original));

    // Its records name this library's document; a second export equals the first but for ids.
    let answer = &messages::list(&there, chat.id, Page::new(100, 0).unwrap()).unwrap()[1];
    assert_eq!(answer.metadata["sources"][0]["document_id"], bees_there.to_string());
    let again = transfer::export(&there, &[chat.id]).unwrap();
    let strip = |e: &ChatExport| {
        let mut chat = e.chats[0].clone();
        chat.documents.clear();
        chat.messages
            .iter_mut()
            .for_each(|m| m.metadata = serde_json::json!(m.metadata["sources"].as_array().map(|s| s.len())));
        chat
    };
    assert_eq!(strip(&again), strip(&export));
}

#[test]
fn markdown_has_the_conversation_and_citations_as_footnotes() {
    let (_dir, db) = common::temp_db();
    let id = bees_chat(&db);
    let text = transfer::markdown(&transfer::export(&db, &[id]).unwrap());
    assert!(text.starts_with("# Bees\n"), "{text}");
    assert!(text.contains("**You** · ") && text.contains("When should beekeepers treat for Varroa mites?"));
    assert!(text.contains("**Hearth** · "));
    assert!(text.contains("[^a1-1]") && text.contains("[^a2-1]"), "citations are footnote references: {text}");
    let footnote = text.lines().find(|l| l.starts_with("[^a1-1]: ")).expect("a footnote for the first citation");
    assert!(footnote.starts_with("[^a1-1]: beekeeping.pdf, page 3: “"), "{footnote}");
    assert!(!text.contains(" [1]"), "no bare citation left: {text}");
}

#[test]
fn a_malformed_or_hostile_file_is_refused_with_a_reason_and_changes_nothing() {
    let (_dir, db) = common::temp_db();
    let id = bees_chat(&db);
    let good = serde_json::to_value(transfer::export(&db, &[id]).unwrap()).unwrap();
    let with = |path: &str, value: serde_json::Value| {
        let mut v = good.clone();
        *v.pointer_mut(path).unwrap() = value;
        serde_json::to_vec(&v).unwrap()
    };
    let huge = "x".repeat(200_001);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{ not json".to_vec(), "key must be a string"),
        (b"[]".to_vec(), "expected struct ChatExport"),
        (with("/format", "something-else".into()), "its format is"),
        (with("/version", 99.into()), "newer than this Hearth"),
        (with("/chats", serde_json::json!([])), "holds 0 chats"),
        (with("/chats/0/name", "  ".into()), "name must not be empty"),
        (with("/chats/0/messages/0/role", "root".into()), "unknown variant"),
        (with("/chats/0/messages/1/content", huge.into()), "message 2: message is 200001 characters long"),
        (with("/chats/0/messages/1/metadata", serde_json::json!([1, 2])), "metadata must be a JSON object"),
        (with("/chats/0/messages/0/timestamp", "yesterday".into()), "input contains invalid characters"),
        (with("/chats/0/scope", "everything".into()), "unknown scope"),
        (vec![b' '; transfer::MAX_IMPORT_BYTES + 1], "the limit is"),
    ];
    let count = || sessions::list(&db, Page::new(100, 0).unwrap()).unwrap().total;
    for (bytes, why) in cases {
        let err = transfer::import(&db, &bytes).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains(why), "expected {why:?} in: {err}");
        assert_eq!(count(), 1, "nothing imported");
    }
    // A file that names a server as its model does not make the chat talk to it.
    let mut pointed = good.clone();
    pointed["chats"][0]["model_choice"] = "http://evil.example/v1#m".into();
    let imported = transfer::import(&db, &serde_json::to_vec(&pointed).unwrap()).unwrap();
    assert_eq!(imported.sessions[0].model, None);
    assert_eq!(count(), 2);
}
