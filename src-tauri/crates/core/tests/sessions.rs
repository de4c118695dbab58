mod common;

use hearth_core::sessions::limits::MAX_NAME_CHARS;
use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::sessions::{self, DEFAULT_SESSION_NAME, NewSession};
use hearth_core::store::Page;
use hearth_core::{DocumentId, Error, SessionId, settings};

fn named(name: &str) -> NewSession {
    NewSession { name: Some(name.into()), ..Default::default() }
}

fn page(limit: i64, offset: i64) -> Page {
    Page::new(limit, offset).unwrap()
}

#[test]
fn create_fills_defaults_and_round_trips() {
    let (_dir, db) = common::temp_db();
    let s = sessions::create(&db, NewSession::default()).unwrap();
    assert_eq!(s.name, DEFAULT_SESSION_NAME);
    assert_eq!(s.llm_model_name, "extractive", "no model is chosen yet");
    assert_eq!(s.model, Some(hearth_core::store::model_choice::ModelChoice::Extractive));
    assert_eq!(s.created_at, s.last_updated_at);
    assert!(s.rag_document_ids.is_empty());
    assert_eq!(s.id.0.get_version_num(), 4);
    assert_eq!(sessions::get(&db, s.id).unwrap(), s);
}

#[test]
fn create_keeps_documents_in_order_without_duplicates_and_tags() {
    let (_dir, db) = common::temp_db();
    let a = common::insert_document(&db, "a.txt");
    let b = common::insert_document(&db, "b.txt");
    let s = sessions::create(
        &db,
        NewSession {
            name: Some("  Papers  ".into()),
            document_ids: vec![a, b, a],
            llm_model_name: Some("llama3.2".into()),
            tags: vec!["work".into(), "work".into(), "ml".into()],
            scope: None,
        },
    )
    .unwrap();
    assert_eq!(s.name, "Papers");
    assert_eq!(s.llm_model_name, "llama3.2");
    assert_eq!(s.rag_document_ids, vec![a, b]);
    assert_eq!(s.metadata_tags, vec!["work", "ml"]);
    assert_eq!(sessions::get(&db, s.id).unwrap(), s);
}

#[test]
fn a_servers_default_model_name_comes_from_settings() {
    let (_dir, db) = common::temp_db();
    let server = settings::LlmSettings { backend: settings::LlmBackendKind::OpenAiCompatible, ..Default::default() };
    settings::set_llm(&db, server).unwrap();
    assert_eq!(sessions::create(&db, NewSession::default()).unwrap().llm_model_name, settings::DEFAULT_MODEL_NAME);
    settings::set_default_model_name(&db, "qwen2.5:7b").unwrap();
    let s = sessions::create(&db, NewSession::default()).unwrap();
    assert_eq!(s.llm_model_name, "qwen2.5:7b");
    assert_eq!(s.model.unwrap().to_string(), "http://127.0.0.1:8080/v1#qwen2.5:7b");
}

#[test]
fn list_is_most_recently_active_first_and_paginates_with_total() {
    let (_dir, db) = common::temp_db();
    let ids: Vec<SessionId> = (0..5).map(|i| sessions::create(&db, named(&format!("s{i}"))).unwrap().id).collect();
    // A message makes s1 the most recently active, ahead of the newer s2..s4.
    messages::add(&db, ids[1], NewMessage { content: "hello".into(), ..Default::default() }).unwrap();
    let all = sessions::list(&db, page(10, 0)).unwrap();
    assert_eq!(all.total, 5);
    let names: Vec<_> = all.items.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["s1", "s4", "s3", "s2", "s0"]);

    let second = sessions::list(&db, page(2, 2)).unwrap();
    assert_eq!(second.total, 5);
    assert_eq!(second.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s3", "s2"]);
    let past_end = sessions::list(&db, page(2, 10)).unwrap();
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total, 5);
}

#[test]
fn rename_changes_only_the_name() {
    let (_dir, db) = common::temp_db();
    let s = sessions::create(&db, named("old")).unwrap();
    let renamed = sessions::rename(&db, s.id, " new name ").unwrap();
    assert_eq!(renamed.name, "new name");
    assert_eq!(renamed.last_updated_at, s.last_updated_at, "renaming is not activity");
    assert_eq!(sessions::get(&db, s.id).unwrap().name, "new name");
}

#[test]
fn delete_removes_the_session_its_messages_and_documents_only() {
    let (_dir, db) = common::temp_db();
    let doc = common::insert_document(&db, "a.txt");
    let doomed = sessions::create(&db, NewSession { document_ids: vec![doc], ..named("doomed") }).unwrap();
    let kept = sessions::create(&db, named("kept")).unwrap();
    for s in [&doomed, &kept] {
        for text in ["one", "two"] {
            messages::add(&db, s.id, NewMessage { content: text.into(), ..Default::default() }).unwrap();
        }
    }
    sessions::delete(&db, doomed.id).unwrap();

    assert!(matches!(sessions::get(&db, doomed.id), Err(Error::NotFound { .. })));
    let health = hearth_core::health(&db).unwrap();
    assert_eq!(health.sessions, 1);
    assert_eq!(health.messages, 2, "only the kept session's messages remain");
    assert_eq!(messages::list(&db, kept.id, page(10, 0)).unwrap().len(), 2);
    let orphans: i64 =
        db.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM session_documents", [], |r| r.get(0)).unwrap())).unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn a_failing_write_rolls_back_everything_it_did() {
    let (_dir, db) = common::temp_db();
    let s = sessions::create(&db, named("s")).unwrap();
    messages::add(&db, s.id, NewMessage { content: "kept".into(), ..Default::default() }).unwrap();
    // The same delete statements as sessions::delete, then a failure before commit.
    let result: hearth_core::Result<()> = db.write(|tx| {
        tx.execute("DELETE FROM chat_messages WHERE session_id = ?1", [s.id]).unwrap();
        tx.execute("DELETE FROM sessions WHERE id = ?1", [s.id]).unwrap();
        Err(Error::InvalidInput("simulated failure".into()))
    });
    assert!(result.is_err());
    assert_eq!(sessions::get(&db, s.id).unwrap().name, "s");
    assert_eq!(messages::list(&db, s.id, page(10, 0)).unwrap().len(), 1);
}

#[test]
fn unknown_and_malformed_ids_are_rejected_without_changes() {
    let (_dir, db) = common::temp_db();
    let unknown: SessionId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    assert!(matches!(sessions::get(&db, unknown), Err(Error::NotFound { .. })));
    assert!(matches!(sessions::rename(&db, unknown, "x"), Err(Error::NotFound { .. })));
    assert!(matches!(sessions::delete(&db, unknown), Err(Error::NotFound { .. })));
    // A malformed id is refused where text becomes an id, before anything reaches the engine.
    for bad in ["", "not-a-uuid", "1234", "'; DROP TABLE sessions; --"] {
        let err = bad.parse::<SessionId>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)) && err.to_string().contains("not a valid id"), "{bad:?}");
    }
    assert_eq!(sessions::list(&db, page(10, 0)).unwrap().total, 0);
}

#[test]
fn bad_names_documents_and_tags_are_rejected_without_changes() {
    let (_dir, db) = common::temp_db();
    let too_long = "x".repeat(MAX_NAME_CHARS + 1);
    let bad = [
        named(""),
        named("   \n\t"),
        named(&too_long),
        NewSession { llm_model_name: Some(" ".into()), ..Default::default() },
        NewSession { tags: vec!["".into()], ..Default::default() },
    ];
    for new in bad {
        let err = sessions::create(&db, new.clone()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{new:?} gave {err}");
    }
    assert!(matches!("nope".parse::<DocumentId>(), Err(Error::InvalidInput(_))));
    let unknown_doc =
        NewSession { document_ids: vec!["00000000-0000-4000-8000-000000000000".parse().unwrap()], ..named("x") };
    assert!(matches!(sessions::create(&db, unknown_doc), Err(Error::NotFound { .. })));
    assert!(sessions::create(&db, named(&"é".repeat(MAX_NAME_CHARS))).is_ok(), "the limit counts characters");
    let s = sessions::list(&db, page(10, 0)).unwrap();
    assert_eq!(s.total, 1);
    let err = sessions::rename(&db, s.items[0].id, " ").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[test]
fn pagination_bounds_are_enforced() {
    for (limit, offset) in [(0, 0), (-1, 0), (1001, 0), (10, -1), (10, 100_000_001), (i64::MAX, 0)] {
        assert!(matches!(Page::new(limit, offset), Err(Error::InvalidInput(_))), "{limit} {offset}");
    }
    assert!(Page::new(1000, 100_000_000).is_ok());
}

#[test]
fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let db = hearth_core::open(dir.path()).unwrap();
        let s = sessions::create(&db, named("durable")).unwrap();
        messages::add(&db, s.id, NewMessage { content: "first".into(), ..Default::default() }).unwrap();
        s.id
    };
    let db = hearth_core::open(dir.path()).unwrap();
    assert_eq!(sessions::get(&db, id).unwrap().name, "durable");
    let msgs = messages::list(&db, id, page(10, 0)).unwrap();
    assert_eq!(msgs.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(), ["first"]);
}

#[test]
fn the_list_filters_by_name_as_text_not_as_a_pattern() {
    let (_dir, db) = common::temp_db();
    for name in ["Trip to Lisbon", "lisbon budget", "100% rye bread", "Tax_2026", "Groceries"] {
        sessions::create(&db, NewSession { name: Some(name.into()), ..Default::default() }).unwrap();
    }
    let names = |filter: &str| {
        let page = sessions::list_matching(&db, filter, Page::new(50, 0).unwrap()).unwrap();
        assert_eq!(page.total as usize, page.items.len());
        let mut names: Vec<String> = page.items.into_iter().map(|s| s.name).collect();
        names.sort();
        names
    };
    assert_eq!(names("LISBON"), ["Trip to Lisbon", "lisbon budget"]);
    assert_eq!(names("%"), ["100% rye bread"]);
    assert_eq!(names("_"), ["Tax_2026"]);
    assert_eq!(names("  "), names(""), "a blank filter matches everything");
    assert_eq!(names("").len(), 5);
    assert!(names("nothing like it").is_empty());
    let page = sessions::list_matching(&db, "o", Page::new(1, 1).unwrap()).unwrap();
    assert_eq!((page.items.len(), page.total), (1, 3), "filtered pages count the filtered total");
    assert!(matches!(
        sessions::list_matching(&db, &"x".repeat(201), Page::new(1, 0).unwrap()),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn a_new_chat_is_named_after_its_first_question_only() {
    let (_dir, db) = common::temp_db();
    let ask = |id: SessionId, text: &str| {
        messages::add(&db, id, NewMessage { content: text.into(), ..Default::default() }).unwrap();
        sessions::name_after_first_question(&db, id, text).unwrap()
    };
    let fresh = sessions::create(&db, NewSession::default()).unwrap().id;
    assert!(ask(fresh, "\n  When should   the hive\tbe treated?\nAnd how?"));
    assert_eq!(
        sessions::get(&db, fresh).unwrap().name,
        "When should the hive be treated?",
        "first line, spaces collapsed"
    );
    assert!(!ask(fresh, "A second question"), "only the first question names it");
    assert_eq!(sessions::get(&db, fresh).unwrap().name, "When should the hive be treated?");

    let long = sessions::create(&db, NewSession::default()).unwrap().id;
    let question = "Which of the lighthouses along the northern coast were still staffed by keepers in 1950?";
    assert!(ask(long, question));
    assert_eq!(sessions::get(&db, long).unwrap().name, "Which of the lighthouses along the northern coast were still…");

    let mine = sessions::create(&db, named("Trip planning")).unwrap().id;
    assert!(!ask(mine, "Where should we stay?"), "a chat named by its person keeps its name");
    assert_eq!(sessions::get(&db, mine).unwrap().name, "Trip planning");
}

#[test]
fn a_chat_is_found_by_the_words_said_in_it() {
    let (_dir, db) = common::temp_db();
    let say = |name: &str, lines: &[&str]| {
        let id = sessions::create(&db, NewSession { name: Some(name.into()), ..Default::default() }).unwrap().id;
        for line in lines {
            messages::add(&db, id, NewMessage { content: (*line).into(), ..Default::default() }).unwrap();
        }
        id
    };
    let bees =
        say("Bees", &["When should the hive be treated against Varroa mites?", "In midwinter, with oxalic acid."]);
    let trip = say("Trip", &["Which hotels in Lisbon are near the river?"]);
    let _other = say("Varroa notes", &[]);
    let search = |filter: &str| sessions::list_matching(&db, filter, Page::new(50, 0).unwrap()).unwrap();

    // Every word must be said in the chat (stemmed: "treating" finds "treated"); the name still counts.
    let found = search("treating mites");
    assert_eq!(found.items.iter().map(|s| s.id).collect::<Vec<_>>(), [bees]);
    assert_eq!(found.found, [Some("When should the hive be treated against Varroa mites?".to_owned())]);
    let varroa = search("varroa");
    let mut names: Vec<&str> = varroa.items.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Bees", "Varroa notes"], "by its messages or by its name");
    assert_eq!(varroa.total, 2);
    // The last word may be unfinished, as it is typed; words from two chats find neither.
    assert_eq!(search("lisbon riv").items.iter().map(|s| s.id).collect::<Vec<_>>(), [trip]);
    assert!(search("lisbon mites").items.is_empty());
    // Query syntax is just words.
    assert!(search("\"NEAR(lisbon\" OR *").items.is_empty());
    // Without a search, nothing is quoted.
    assert!(search("").found.is_empty());

    // A deleted chat's messages leave the index with it.
    sessions::delete(&db, trip).unwrap();
    assert!(search("lisbon").items.is_empty());
    db.write(|tx| {
        tx.execute("INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check')", []).unwrap();
        Ok(())
    })
    .unwrap();
}
