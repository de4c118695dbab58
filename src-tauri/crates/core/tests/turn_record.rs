//! The turn record is one typed struct. Answers stored before it existed (by the code of the
//! 2026-11-25 release: `tests/fixtures/db/before-turn-record.db`, made with that build's CLI —
//! two documents, a chat with two answers citing them, a chat without documents, and an
//! assistant message added by hand) must still open, read as records, and cite their passages.

mod common;

use hearth_core::chat::{Retrieval, TurnRecord};
use hearth_core::retrieval::passages;
use hearth_core::sessions::messages::{self, Role};
use hearth_core::sessions::{self};
use hearth_core::store::Page;

/// A copy of the stored database in a temporary directory (opening it may write to it).
fn stored_before() -> (tempfile::TempDir, hearth_core::Database) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::fixture("db/before-turn-record.db"), dir.path().join("hearth.db")).unwrap();
    let db = hearth_core::open(dir.path()).expect("the earlier database opens");
    (dir, db)
}

#[test]
fn answers_stored_before_the_typed_record_open_with_their_record_and_citations() {
    let (_dir, db) = stored_before();
    let chats = sessions::list(&db, Page::new(10, 0).unwrap()).unwrap();
    let by_name = |name: &str| chats.items.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{name}"));

    let bees = by_name("Bees and tides");
    let stored = messages::list(&db, bees.id, Page::new(100, 0).unwrap()).unwrap();
    assert_eq!(
        stored.iter().map(|m| m.role).collect::<Vec<_>>(),
        [Role::User, Role::Assistant, Role::User, Role::Assistant]
    );
    let first = TurnRecord::of(&stored[1]).expect("the first answer reads as a record");
    assert_eq!((first.backend.as_str(), first.question_id), ("placeholder", stored[0].id));
    assert!(matches!(&first.retrieval, Retrieval::Searched { documents, .. } if documents.len() == 2));
    let source = &first.sources[0];
    assert_eq!((source.n, source.document_name.as_str(), source.page), (Some(1), "beekeeping.pdf", Some(3)));
    assert!(first.prompt.tokens.total > 0 && first.prompt.messages.len() == 2);
    let second = TurnRecord::of(&stored[3]).expect("the second answer reads as a record");
    assert_eq!(second.sources[0].document_name, "tides.docx");
    assert_eq!(second.history_used, [stored[0].id, stored[1].id]);

    // Nothing about the stored shape changed: the record writes back exactly what was stored,
    // so the CLI's `--json` and people's scripts read the same fields.
    for answer in [&stored[1], &stored[3]] {
        assert_eq!(serde_json::to_value(TurnRecord::of(answer).unwrap()).unwrap(), answer.metadata);
    }

    // The citation still opens its passage, with the question's words marked.
    let passage =
        passages::cited(&db, source.chunk_id, source.document_id, &source.snippet, &stored[0].content).unwrap();
    assert_eq!(passage.chunk.id, source.chunk_id);
    assert!(passage.runs.iter().any(|r| r.matched && r.text.to_lowercase().starts_with("mite")), "{:?}", passage.runs);

    let empty = by_name("No documents");
    let stored = messages::list(&db, empty.id, Page::new(100, 0).unwrap()).unwrap();
    let record = TurnRecord::of(&stored[1]).unwrap();
    assert_eq!(record.retrieval, Retrieval::Skipped { skipped: "the chat has no documents".into() });
    assert!(record.sources.is_empty());
    assert_eq!(stored[2].content, "a note added by hand");
    assert_eq!(TurnRecord::of(&stored[2]), None, "a message no turn wrote has no record");
    assert_eq!(TurnRecord::of(&stored[0]), None, "nor has a question");
}

#[test]
fn metadata_that_is_not_a_record_is_no_record_rather_than_an_error() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, Default::default()).unwrap();
    let odd = messages::NewMessage {
        content: "from a script".into(),
        role: Some(Role::Assistant),
        metadata: Some(serde_json::json!({ "sources": [1, 2] })),
    };
    let message = messages::add(&db, session.id, odd).unwrap();
    assert_eq!(TurnRecord::of(&message), None);
}
