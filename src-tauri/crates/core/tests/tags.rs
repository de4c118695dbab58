//! Automatic tags: what chats about the fixture documents are tagged with, the person's tags
//! kept, and chats found by tag.

mod common;

use hearth_core::chat::Turn;
use hearth_core::chat::llm::Extractive;
use hearth_core::sessions::{self, NewSession, tags};
use hearth_core::store::Page;
use hearth_core::{Database, SessionId};

use common::{add, chunker, fixture, model};

fn ask(db: &Database, session: SessionId, question: &str) {
    let backend = Extractive { embedder: Some(model()) };
    let turn = Turn { db, embedder: Some(model()), index: None, keywords: None, counter: chunker(), backend: &backend };
    turn.send(session, question, &mut |_| true).unwrap();
}

fn chat(db: &Database, questions: &[&str]) -> SessionId {
    let id = sessions::create(db, NewSession::default()).unwrap().id;
    for q in questions {
        ask(db, id, q);
    }
    id
}

#[test]
fn chats_are_tagged_with_what_they_are_about_and_the_persons_tags_stay() {
    let (_dir, db) = common::temp_db();
    for f in ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md", "sourdough.txt"] {
        add(&db, &fixture(f));
    }
    let bees = chat(&db, &["When should beekeepers treat for Varroa mites?", "How do the bees get through winter?"]);
    let tides = chat(&db, &["What causes the tides?", "Where are the highest tides in the world?"]);
    let bee_tags = sessions::get(&db, bees).unwrap().metadata_tags;
    let tide_tags = sessions::get(&db, tides).unwrap().metadata_tags;
    assert!(bee_tags.len() <= tags::MAX_AUTO_TAGS && tide_tags.len() <= tags::MAX_AUTO_TAGS);
    assert!(bee_tags.iter().any(|t| t == "varroa"), "{bee_tags:?}");
    assert!(bee_tags.iter().any(|t| t.starts_with("mite")), "{bee_tags:?}");
    assert!(bee_tags.iter().any(|t| t.starts_with("bee")), "{bee_tags:?}");
    assert!(tide_tags.iter().any(|t| t.starts_with("tide")), "{tide_tags:?}");
    for vague in ["when", "should", "what", "the", "how", "get", "where", "world"] {
        assert!(!bee_tags.contains(&vague.to_owned()) && !tide_tags.contains(&vague.to_owned()), "{vague}");
    }
    assert!(bee_tags.iter().all(|t| !tide_tags.contains(t)), "different chats, different tags");

    // Found by a tag.
    let tagged = sessions::list_matching(&db, "#Varroa", Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(tagged.items.iter().map(|s| s.id).collect::<Vec<_>>(), [bees]);

    // The person's tags are theirs: a new question does not change them.
    sessions::tags::set(&db, bees, &["apiary".into(), "spring".into()]).unwrap();
    ask(&db, bees, "How is honey harvested?");
    assert_eq!(sessions::get(&db, bees).unwrap().metadata_tags, ["apiary", "spring"]);
    // Cleared, the chat is tagged automatically again at its next question.
    sessions::tags::set(&db, bees, &[]).unwrap();
    ask(&db, bees, "What do beekeepers do about mites in autumn?");
    let again = sessions::get(&db, bees).unwrap().metadata_tags;
    assert!(again.iter().any(|t| t.starts_with("mite")) && again.len() == tags::MAX_AUTO_TAGS, "{again:?}");
    // Tags given when a chat is made are the person's too.
    let given = sessions::create(&db, NewSession { tags: vec!["work".into()], ..Default::default() }).unwrap().id;
    ask(&db, given, "What causes the tides?");
    assert_eq!(sessions::get(&db, given).unwrap().metadata_tags, ["work"]);
}
