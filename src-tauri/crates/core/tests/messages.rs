mod common;

use hearth_core::sessions::limits::MAX_CONTENT_CHARS;
use hearth_core::sessions::messages::{self, NewMessage, Role};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::Page;
use hearth_core::{Error, SessionId};
use serde_json::json;

fn text(content: &str) -> NewMessage {
    NewMessage { content: content.into(), ..Default::default() }
}

fn all(db: &hearth_core::Database, id: SessionId) -> Vec<messages::ChatMessage> {
    messages::list(db, id, Page::new(1000, 0).unwrap()).unwrap()
}

#[test]
fn messages_come_back_in_order_with_role_and_metadata() {
    let (_dir, db) = common::temp_db();
    let id = sessions::create(&db, NewSession::default()).unwrap().id;
    let first = messages::add(&db, id, text("question")).unwrap();
    let second = messages::add(
        &db,
        id,
        NewMessage {
            content: "  answer\n".into(),
            role: Some(Role::Assistant),
            metadata: Some(json!({"sources": [1, 2]})),
        },
    )
    .unwrap();
    assert_eq!(first.role, Role::User, "role defaults to user");
    assert_eq!(first.metadata, json!({}));
    assert!(second.id > first.id);
    assert!(second.timestamp >= first.timestamp);

    let listed = all(&db, id);
    assert_eq!(listed, vec![first, second]);
    assert_eq!(listed[1].content, "  answer\n", "content is stored as written");
    assert_eq!(listed[1].metadata["sources"], json!([1, 2]));
}

#[test]
fn equal_timestamps_fall_back_to_insertion_order() {
    let (_dir, db) = common::temp_db();
    let id = sessions::create(&db, NewSession::default()).unwrap().id;
    for i in 0..20 {
        messages::add(&db, id, text(&format!("m{i}"))).unwrap();
    }
    db.write(|tx| {
        tx.execute("UPDATE chat_messages SET timestamp = '2026-01-01T00:00:00.000000Z'", []).unwrap();
        Ok(())
    })
    .unwrap();
    let contents: Vec<_> = all(&db, id).into_iter().map(|m| m.content).collect();
    assert_eq!(contents, (0..20).map(|i| format!("m{i}")).collect::<Vec<_>>());
}

#[test]
fn adding_a_message_bumps_last_updated_at_to_its_timestamp() {
    let (_dir, db) = common::temp_db();
    let s = sessions::create(&db, NewSession::default()).unwrap();
    let m = messages::add(&db, s.id, text("hi")).unwrap();
    let after = sessions::get(&db, s.id).unwrap();
    assert_eq!(after.last_updated_at, m.timestamp);
    assert!(after.last_updated_at >= s.last_updated_at);
    assert_eq!(after.created_at, s.created_at);
}

#[test]
fn messages_paginate() {
    let (_dir, db) = common::temp_db();
    let id = sessions::create(&db, NewSession::default()).unwrap().id;
    for i in 0..7 {
        messages::add(&db, id, text(&format!("m{i}"))).unwrap();
    }
    let page = messages::list(&db, id, Page::new(3, 3).unwrap()).unwrap();
    assert_eq!(page.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(), ["m3", "m4", "m5"]);
}

#[test]
fn bad_messages_are_rejected_and_change_nothing() {
    let (_dir, db) = common::temp_db();
    let s = sessions::create(&db, NewSession::default()).unwrap();
    let id = s.id;
    let cases = [
        text(""),
        text(" \n\t "),
        text(&"a".repeat(MAX_CONTENT_CHARS + 1)),
        NewMessage { metadata: Some(json!([1, 2])), ..text("x") },
        NewMessage { metadata: Some(json!({"big": "x".repeat(1_000_001)})), ..text("x") },
    ];
    for case in cases {
        let err = messages::add(&db, id, case).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    // Roles and ids are parsed where text comes in: a wrong one never reaches the database.
    for role in ["admin", "User"] {
        assert!(matches!(role.parse::<Role>(), Err(Error::InvalidInput(_))), "{role}");
    }
    assert!(matches!("nope".parse::<SessionId>(), Err(Error::InvalidInput(_))));
    let unknown: SessionId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    assert!(matches!(messages::add(&db, unknown, text("x")), Err(Error::NotFound { .. })));
    assert!(matches!(messages::list(&db, unknown, Page::new(1, 0).unwrap()), Err(Error::NotFound { .. })));

    assert!(all(&db, id).is_empty());
    assert_eq!(sessions::get(&db, id).unwrap().last_updated_at, s.last_updated_at);
    assert_eq!(hearth_core::health(&db).unwrap().messages, 0);
    assert!(messages::add(&db, id, text(&"a".repeat(MAX_CONTENT_CHARS))).is_ok(), "the limit itself is allowed");
}

#[test]
fn a_corrupt_stored_value_is_a_storage_error_not_a_panic() {
    let (_dir, db) = common::temp_db();
    let id = sessions::create(&db, NewSession::default()).unwrap().id;
    messages::add(&db, id, text("hi")).unwrap();
    db.write(|tx| {
        tx.execute("UPDATE chat_messages SET timestamp = 'yesterday-ish'", []).unwrap();
        Ok(())
    })
    .unwrap();
    let err = messages::list(&db, id, Page::new(10, 0).unwrap()).unwrap_err();
    assert!(matches!(err, Error::Storage { .. }), "{err}");
    assert!(err.to_string().contains("reading messages"), "{err}");
}
