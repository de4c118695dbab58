//! The chat turn with the real model, the real index and fixture documents; the extractive
//! backend, a fake model, and the OpenAI-compatible backend against a small streaming server in
//! the test.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use hearth_core::Engine;
use hearth_core::chat::llm::OpenAiCompatible;
use hearth_core::chat::llm::extractive::HEADLINE;
use hearth_core::chat::llm::{self, Completion, Extractive, Finish, LlmBackend, LlmRequest};
use hearth_core::chat::{Reply, Turn, TurnLocks};
use hearth_core::collections;
use hearth_core::sessions::messages::{self, Role};
use hearth_core::sessions::{self, NewSession, Scope};
use hearth_core::settings::{self, ChatSettings, Theme};
use hearth_core::store::model_choice::ModelChoice;
use hearth_core::{Database, Error, SessionId, store::Page};
use serde_json::Value;

use common::{add, chunker, fixture, model};

fn turn<'a>(db: &'a Database, backend: &'a dyn LlmBackend) -> Turn<'a> {
    Turn { db, embedder: Some(model()), index: None, keywords: None, counter: chunker(), backend }
}

fn session_with(db: &Database, docs: &[&str]) -> SessionId {
    let ids = docs.iter().map(|d| add(db, &fixture(d)).document.id).collect();
    sessions::create(db, NewSession { document_ids: ids, ..Default::default() }).unwrap().id
}

/// The backend with no model: it quotes the sources' best sentences, ranked by the real model.
fn quoted() -> Extractive<'static> {
    Extractive { embedder: Some(model()) }
}

fn ask(db: &Database, session: SessionId, question: &str) -> Reply {
    turn(db, &quoted()).send(session, question, &mut |_| true).unwrap()
}

/// A fake model: it answers with the question it was asked and how many messages came with it.
struct Echo;

impl LlmBackend for Echo {
    fn name(&self) -> &str {
        "echo"
    }

    fn complete(&self, request: &LlmRequest<'_>, on_token: &mut dyn FnMut(&str) -> bool) -> Result<Completion, Error> {
        let text = format!("{} messages, last: {}", request.messages.len(), request.messages.last().unwrap().content);
        on_token(&text);
        Ok(Completion { text, finish: Finish::Complete, generation: None })
    }
}

fn ask_model(db: &Database, session: SessionId, question: &str) -> Reply {
    turn(db, &Echo).send(session, question, &mut |_| true).unwrap()
}

#[test]
fn an_answer_cites_the_right_document_and_page_and_records_everything() {
    let (_dir, db) = common::temp_db();
    let session = session_with(&db, &["beekeeping.pdf", "tides.docx"]);
    let mut streamed = String::new();
    let reply = turn(&db, &quoted())
        .send(session, "When is the best time to treat the hive against mites?", &mut |t| {
            streamed.push_str(t);
            true
        })
        .unwrap();
    let answer = &reply.assistant;
    assert_eq!((reply.user.role, answer.role), (Role::User, Role::Assistant));
    assert_eq!(streamed, answer.content);
    // The sentence that answers comes first, in the document's own words, cited.
    let mut lines = answer.content.split("\n\n");
    assert_eq!(lines.next(), Some(HEADLINE));
    let first = lines.next().unwrap();
    assert!(first.contains("most effective in midwinter") && first.ends_with("[1]"), "{}", answer.content);
    assert!(lines.count() <= 2, "one to three sentences: {}", answer.content);

    let m = &answer.metadata;
    assert_eq!(m["backend"], "extractive");
    assert_eq!(m["model"], "extractive", "the chat has no model");
    assert_eq!(m["finish"], "complete");
    assert_eq!(m["question_id"], reply.user.id);
    assert_eq!(m["retrieval"]["mode"], "hybrid");
    assert_eq!(m["retrieval"]["top_n"], 5);
    assert_eq!(m["retrieval"]["documents"].as_array().unwrap().len(), 2);
    let first = &m["sources"][0];
    assert_eq!(
        (first["n"].as_u64(), first["document_name"].as_str(), first["page"].as_i64()),
        (Some(1), Some("beekeeping.pdf"), Some(3))
    );
    assert!(first["snippet"].as_str().unwrap().contains("Varroa"), "{first}");
    assert!(first["chunk_id"].as_i64().is_some() && first["document_id"].as_str().is_some());
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert!(first["keyword"]["rank"].as_u64().is_some() && first["vector"]["rank"].as_u64().is_some());
    assert!(m["dropped_sources"].as_array().unwrap().is_empty());
    assert!(m["dropped_history"].as_array().unwrap().is_empty());
    assert!(m["history_used"].as_array().unwrap().is_empty());
    let tokens = &m["prompt"]["tokens"];
    assert_eq!(tokens["budget"], 4096 - 512);
    let parts: u64 =
        ["instructions", "sources", "history", "message"].iter().map(|k| tokens[k].as_u64().unwrap()).sum();
    assert_eq!(tokens["total"].as_u64().unwrap(), parts);
    let prompt = m["prompt"]["messages"].as_array().unwrap();
    assert_eq!(prompt.len(), 2);
    assert!(prompt[0]["content"].as_str().unwrap().contains("[1] beekeeping.pdf, page 3: "));
    assert_eq!(prompt[1]["content"], "When is the best time to treat the hive against mites?");
    for timing in ["embed", "search", "prompt", "llm"] {
        assert!(m["timings_ms"][timing].as_f64().unwrap() >= 0.0, "{timing}");
    }
    assert!(m["timings_ms"]["embed"].as_f64().unwrap() > 0.0, "the question was embedded");

    let stored = messages::list(&db, session, Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(stored.iter().map(|m| m.id).collect::<Vec<_>>(), vec![reply.user.id, answer.id]);
    let active = sessions::get(&db, session).unwrap().last_updated_at;
    assert_eq!(active, answer.timestamp, "the answer bumps last_updated_at");
}

#[test]
fn documents_not_attached_are_never_used() {
    let (_dir, db) = common::temp_db();
    add(&db, &fixture("beekeeping.pdf"));
    let session = session_with(&db, &["tides.docx"]);
    let reply = ask(&db, session, "When should beekeepers treat for Varroa mites?");
    let sources = reply.assistant.metadata["sources"].as_array().unwrap().clone();
    assert!(!sources.is_empty());
    assert!(sources.iter().all(|s| s["document_name"] == "tides.docx"), "{sources:?}");
}

#[test]
fn a_chat_without_documents_still_gets_an_answer_and_says_why() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let reply = ask(&db, session, "hello?");
    assert_eq!(reply.assistant.metadata["retrieval"]["skipped"], "no document in the library is ready");
    assert_eq!(reply.assistant.content, llm::extractive::NO_SOURCES);
    assert!(reply.assistant.metadata["sources"].as_array().unwrap().is_empty());

    let only_its_own = NewSession { scope: Some(Scope::Documents), ..Default::default() };
    let session = sessions::create(&db, only_its_own).unwrap().id;
    let reply = ask(&db, session, "hello?");
    assert_eq!(reply.assistant.metadata["retrieval"]["skipped"], "the chat has no documents");
}

#[test]
fn a_new_chat_answers_from_the_whole_library_and_a_collection_limits_it() {
    let (_dir, db) = common::temp_db();
    let bees = add(&db, &fixture("beekeeping.pdf")).document.id;
    let tides = add(&db, &fixture("tides.docx")).document.id;
    let session = sessions::create(&db, NewSession::default()).unwrap();
    assert!(session.rag_document_ids.is_empty());
    let reply = ask(&db, session.id, "When should beekeepers treat for Varroa mites?");
    let retrieval = &reply.assistant.metadata["retrieval"];
    assert_eq!(retrieval["library"], 2, "{retrieval}");
    assert_eq!(reply.assistant.metadata["sources"][0]["document_name"], "beekeeping.pdf");

    let coastal = collections::create(&db, "Coast", &[tides]).unwrap();
    sessions::scope::set(&db, session.id, Scope::Collection(coastal.id)).unwrap();
    let reply = ask(&db, session.id, "When should beekeepers treat for Varroa mites?");
    assert_eq!(reply.assistant.metadata["retrieval"]["documents"], serde_json::json!([tides.to_string()]));
    let sources = reply.assistant.metadata["sources"].as_array().unwrap().clone();
    assert!(sources.iter().all(|s| s["document_name"] == "tides.docx"), "{sources:?}");
    assert!(!sources.iter().any(|s| s["document_id"] == bees.to_string()));
}

#[test]
fn history_is_cut_to_the_last_k_turns() {
    let (_dir, db) = common::temp_db();
    settings::set_chat(&db, ChatSettings { history_turns: 2, ..Default::default() }).unwrap();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let replies: Vec<Reply> = (0..4).map(|i| ask_model(&db, session, &format!("question {i}"))).collect();
    let last = &replies[3].assistant.metadata;
    let expected: Vec<i64> = replies[1..3].iter().flat_map(|r| [r.user.id, r.assistant.id]).collect();
    let used: Vec<i64> = last["history_used"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(used, expected, "two turns: the two before the question, question and answer each");
    assert_eq!(last["prompt"]["messages"].as_array().unwrap().len(), 1 + 4 + 1);
}

#[test]
fn a_tiny_budget_drops_history_before_sources() {
    let (_dir, db) = common::temp_db();
    let session = session_with(&db, &["tides.docx", "volcanoes.html"]);
    for i in 0..3 {
        ask_model(&db, session, &format!("Tell me about tides and volcanoes, part {i}, at length please."));
    }
    settings::set_chat(&db, ChatSettings { context_tokens: 700, answer_tokens: 100, ..Default::default() }).unwrap();
    let reply = ask(&db, session, "Which volcano grounded flights over Europe?");
    let m = &reply.assistant.metadata;
    assert!(m["history_used"].as_array().unwrap().is_empty(), "all history dropped: {}", m["history_used"]);
    assert_eq!(m["dropped_history"].as_array().unwrap().len(), 6);
    assert!(!m["sources"].as_array().unwrap().is_empty(), "the best sources stay");
    assert!(!m["dropped_sources"].as_array().unwrap().is_empty(), "the lowest-ranked went");
    assert!(m["prompt"]["tokens"]["total"].as_u64().unwrap() <= 600);
}

#[test]
fn quoted_answers_are_never_sent_to_a_model_as_history() {
    let (_dir, db) = common::temp_db();
    let session = session_with(&db, &["tides.docx"]);
    let first = ask_model(&db, session, "What are spring tides?");
    let quoted = ask(&db, session, "What are neap tides?");
    assert!(!hearth_core::chat::TurnRecord::of(&quoted.assistant).unwrap().written_by_model());
    let reply = ask_model(&db, session, "And why twice a day?");
    let m = &reply.assistant.metadata;
    let used: Vec<i64> = m["history_used"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(used, [first.user.id, first.assistant.id], "the quoted answer and its question are left out");
    assert!(reply.assistant.content.starts_with("4 messages"), "{}", reply.assistant.content);
}

#[test]
fn bad_input_changes_nothing() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let empty = turn(&db, &quoted()).send(session, "  \n", &mut |_| true).unwrap_err();
    assert!(matches!(empty, Error::InvalidInput(_)), "{empty}");
    let unknown = turn(&db, &quoted()).send(SessionId::new(), "hi", &mut |_| true).unwrap_err();
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown}");
    let huge = "word ".repeat(5000);
    let too_long = turn(&db, &quoted()).send(session, &huge, &mut |_| true).unwrap_err();
    assert!(matches!(too_long, Error::InvalidInput(_)), "{too_long}");
    assert!(messages::list(&db, session, Page::new(10, 0).unwrap()).unwrap().is_empty());
}

/// A chat-completions server that answers each request with `script`, and reports each
/// request's JSON body.
fn server(script: impl Fn(&mut std::net::TcpStream) + Send + 'static) -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let _ = sender.send(read_request(&stream));
            script(&mut stream);
        }
    });
    (url, receiver)
}

/// Reads one HTTP request and returns its JSON body.
fn read_request(stream: &std::net::TcpStream) -> Value {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap() }
}

const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

fn token(text: &str) -> String {
    format!("data: {}\n\n", serde_json::json!({ "choices": [{ "delta": { "content": text } }] }))
}

fn backend(url: &str, first_token_secs: u64) -> OpenAiCompatible {
    OpenAiCompatible {
        base_url: url.to_owned(),
        api_key: Some("sk-test".into()),
        first_token_timeout: Duration::from_secs(first_token_secs),
        answer_timeout: Duration::from_secs(20),
    }
}

#[test]
fn an_openai_compatible_server_streams_the_answer() {
    let (_dir, db) = common::temp_db();
    let session = session_with(&db, &["tides.docx"]);
    let (url, requests) = server(|s| {
        s.write_all(HEAD.as_bytes()).unwrap();
        for piece in ["Spring tides ", "come at new ", "and full moon [1]."] {
            s.write_all(token(piece).as_bytes()).unwrap();
            s.flush().unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
        s.write_all(b"data: [DONE]\n\n").unwrap();
    });
    let openai = backend(&url, 5);
    let choice = ModelChoice::Server { base_url: url.clone(), model: "qwen2.5-3b".into() };
    sessions::set_model(&db, session, &choice).unwrap();
    let mut pieces = Vec::new();
    let reply = turn(&db, &openai)
        .send(session, "When are spring tides?", &mut |t| {
            pieces.push(t.to_owned());
            true
        })
        .unwrap();
    assert_eq!(pieces, ["Spring tides ", "come at new ", "and full moon [1]."]);
    assert_eq!(reply.assistant.content, "Spring tides come at new and full moon [1].");
    assert_eq!(reply.assistant.metadata["backend"], "openai-compatible");
    assert_eq!(reply.assistant.metadata["finish"], "complete");
    let request = requests.recv().unwrap();
    assert_eq!(request["model"], "qwen2.5-3b", "the chat's model is asked for");
    assert_eq!(request["stream"], true);
    let sent = request["messages"].as_array().unwrap();
    assert_eq!(sent[0]["role"], "system");
    assert!(sent[0]["content"].as_str().unwrap().contains("[1] tides.docx"));
    assert_eq!(sent.last().unwrap()["content"], "When are spring tides?");
}

#[test]
fn stopping_keeps_the_partial_answer_marked_stopped() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let (url, _requests) = server(|s| {
        s.write_all(HEAD.as_bytes()).unwrap();
        for i in 0..50 {
            if s.write_all(token(&format!("word{i} ")).as_bytes()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = s.write_all(b"data: [DONE]\n\n");
    });
    let openai = backend(&url, 5);
    let mut seen = 0;
    let reply = turn(&db, &openai)
        .send(session, "Talk for a while", &mut |_| {
            seen += 1;
            seen < 3
        })
        .unwrap();
    assert_eq!(reply.assistant.content, "word0 word1 word2 ");
    assert_eq!(reply.assistant.metadata["finish"], "stopped");
}

#[test]
fn a_cut_off_stream_keeps_what_came_and_says_so() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let (url, _requests) = server(|s| {
        s.write_all(HEAD.as_bytes()).unwrap();
        s.write_all(token("The answer is ").as_bytes()).unwrap();
    });
    let reply = turn(&db, &backend(&url, 5)).send(session, "What is it?", &mut |_| true).unwrap();
    assert_eq!(reply.assistant.content, "The answer is ");
    assert_eq!(reply.assistant.metadata["finish"], "cut_off");
}

#[test]
fn a_down_slow_or_garbled_backend_is_llm_unavailable_and_keeps_the_question() {
    let (_dir, db) = common::temp_db();
    let session = sessions::create(&db, NewSession::default()).unwrap().id;
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", listener.local_addr().unwrap())
    };
    let (slow, _r1) = server(|s| {
        std::thread::sleep(Duration::from_secs(3));
        let _ = s.write_all(HEAD.as_bytes());
    });
    let (garbled, _r2) = server(|s| {
        s.write_all(HEAD.as_bytes()).unwrap();
        s.write_all(b"data: this is not json\n\n").unwrap();
    });
    let (failing, _r3) = server(|s| {
        s.write_all(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 12\r\nConnection: close\r\n\r\nmodel failed",
        )
        .unwrap();
    });
    for (url, expected) in [
        (closed, "cannot be reached"),
        (slow, "did not answer within 1 s"),
        (garbled, "not a chat-completions stream"),
        (failing, "answered 500"),
    ] {
        let err = turn(&db, &backend(&url, 1)).send(session, "Are you there?", &mut |_| true).unwrap_err();
        assert!(matches!(err, Error::LlmUnavailable(_)), "{url}: {err}");
        assert!(err.to_string().contains(expected), "{url}: {err}");
    }
    let stored = messages::list(&db, session, Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(stored.len(), 4, "every question is kept");
    assert!(stored.iter().all(|m| m.role == Role::User));

    let retried = turn(&db, &quoted()).retry(session, &mut |_| true).unwrap();
    assert_eq!(retried.user.id, stored[3].id, "the retry answers the last question");
    assert_eq!(retried.assistant.metadata["question_id"], stored[3].id);
    let again = turn(&db, &quoted()).retry(session, &mut |_| true).unwrap_err();
    assert!(matches!(again, Error::InvalidInput(_)), "{again}");
}

#[test]
fn settings_choose_the_backend_and_turns_of_a_session_share_one_lock() {
    let (_dir, db) = common::temp_db();
    let llm = settings::llm(&db).unwrap();
    assert_eq!(db.read(settings::default_choice).unwrap(), ModelChoice::Extractive);
    let old: settings::LlmBackendKind = serde_json::from_str("\"placeholder\"").unwrap();
    assert_eq!(old, settings::LlmBackendKind::Extractive, "settings saved before the extractive answer still read");
    let magic = "magic".parse::<settings::LlmBackendKind>().unwrap_err();
    assert!(matches!(magic, Error::InvalidInput(_)) && magic.to_string().contains("unknown LLM backend"), "{magic}");
    let no_url = settings::LlmSettings {
        backend: settings::LlmBackendKind::OpenAiCompatible,
        base_url: "localhost:8080".into(),
        ..llm.clone()
    };
    assert!(matches!(settings::set_llm(&db, no_url), Err(Error::InvalidInput(_))));
    let openai = settings::LlmSettings { backend: "openai-compatible".parse().unwrap(), ..llm };
    let saved = settings::set_llm(&db, openai).unwrap();
    let server = ModelChoice::Server { base_url: saved.base_url.clone(), model: settings::DEFAULT_MODEL_NAME.into() };
    assert_eq!(db.read(settings::default_choice).unwrap(), server);
    assert_eq!(settings::llm(&db).unwrap(), saved);
    // A stored backend this build does not know is said plainly, never guessed.
    db.write(|tx| {
        tx.execute("UPDATE settings SET value = json_set(value, '$.backend', 'magic') WHERE key = 'llm'", []).unwrap();
        Ok(())
    })
    .unwrap();
    let unreadable = settings::llm(&db).unwrap_err();
    assert!(matches!(unreadable, Error::InvalidInput(_)) && unreadable.to_string().contains("save it again"));
    assert!(matches!(
        settings::set_chat(&db, ChatSettings { top_n: 0, ..Default::default() }),
        Err(Error::InvalidInput(_))
    ));

    let locks = TurnLocks::default();
    let (a, b) = (SessionId::new(), SessionId::new());
    assert!(std::sync::Arc::ptr_eq(&locks.of(a), &locks.of(a)));
    assert!(!std::sync::Arc::ptr_eq(&locks.of(a), &locks.of(b)));
}

/// A server that answers every request after `delay`, on its own thread, and reports the most
/// requests it had in flight at once.
fn concurrent_server(delay: Duration) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (in_flight, most) = (std::sync::Arc::new(AtomicUsize::new(0)), std::sync::Arc::new(AtomicUsize::new(0)));
    let seen = std::sync::Arc::clone(&most);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let (in_flight, most) = (std::sync::Arc::clone(&in_flight), std::sync::Arc::clone(&most));
            std::thread::spawn(move || {
                let mut stream = stream.unwrap();
                read_request(&stream);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(delay);
                in_flight.fetch_sub(1, Ordering::SeqCst);
                stream.write_all(HEAD.as_bytes()).unwrap();
                stream.write_all(token("ok").as_bytes()).unwrap();
                stream.write_all(b"data: [DONE]\n\n").unwrap();
            });
        }
    });
    (url, seen)
}

#[test]
fn turns_in_one_chat_wait_for_each_other_and_different_chats_run_at_once() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let db = std::sync::Arc::new(hearth_core::open(dir.path()).unwrap());
    let engine =
        Engine::new(std::sync::Arc::clone(&db), dir.path(), &hearth_core::models::embedding::locate_model_dir(None));
    let run = |url: &str, sessions: [SessionId; 2]| {
        for id in sessions {
            let choice = ModelChoice::Server { base_url: url.to_owned(), model: "m".into() };
            engine.set_session_model(id, &choice).unwrap();
        }
        std::thread::scope(|s| {
            let turns: Vec<_> = sessions
                .iter()
                .map(|&id| {
                    let engine = &engine;
                    s.spawn(move || engine.send(id, "are you there?", &mut |_| {}).unwrap())
                })
                .collect();
            turns.into_iter().map(|t| t.join().unwrap().assistant.content).collect::<Vec<_>>()
        })
    };
    let one = sessions::create(&db, NewSession::default()).unwrap().id;
    let other = sessions::create(&db, NewSession::default()).unwrap().id;

    let (url, most) = concurrent_server(Duration::from_millis(400));
    assert_eq!(run(&url, [one, one]), ["ok", "ok"]);
    assert_eq!(most.load(Ordering::SeqCst), 1, "two turns in one chat never overlap");
    assert_eq!(messages::list(&db, one, Page::new(10, 0).unwrap()).unwrap().len(), 4);

    let (url, most) = concurrent_server(Duration::from_millis(400));
    assert_eq!(run(&url, [one, other]), ["ok", "ok"]);
    assert_eq!(most.load(Ordering::SeqCst), 2, "turns in different chats run at once");
}

#[test]
fn a_connection_test_lists_the_servers_models_or_says_why_not() {
    let (url, _requests) = server(|s| {
        let body = r#"{"object":"list","data":[{"id":"qwen2.5-7b-instruct","object":"model"}]}"#;
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
    });
    assert_eq!(backend(&url, 5).list_models().unwrap(), ["qwen2.5-7b-instruct"]);
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", listener.local_addr().unwrap())
    };
    let err = backend(&closed, 5).list_models().unwrap_err();
    assert!(matches!(err, Error::LlmUnavailable(_)) && err.to_string().contains("cannot be reached"), "{err}");
}

#[test]
fn chunk_sizes_and_theme_are_checked_settings() {
    let (_dir, db) = common::temp_db();
    assert_eq!(settings::ingest(&db).unwrap(), settings::IngestSettings::default());
    let small = settings::IngestSettings { chunk_tokens: 128, overlap_tokens: 16, ..Default::default() };
    assert_eq!(settings::set_ingest(&db, small.clone()).unwrap(), small);
    assert_eq!(settings::ingest(&db).unwrap(), small);
    let bad = settings::IngestSettings { chunk_tokens: 1000, overlap_tokens: 16, ..Default::default() };
    assert!(matches!(settings::set_ingest(&db, bad), Err(Error::InvalidInput(_))));
    assert_eq!(settings::theme(&db).unwrap(), Theme::System);
    assert_eq!(settings::set_theme(&db, "dark".parse().unwrap()).unwrap(), Theme::Dark);
    let purple = "purple".parse::<Theme>().unwrap_err();
    assert!(matches!(purple, Error::InvalidInput(_)) && purple.to_string().contains("unknown theme"), "{purple}");
    assert_eq!(settings::theme(&db).unwrap(), Theme::Dark);
    assert_eq!(serde_json::to_value(Theme::Dark).unwrap(), "dark", "stored with the text the schema always had");

    let mut everything = settings::all(&db).unwrap();
    everything.chat.top_n = 8;
    everything.theme = Theme::Light;
    everything.ingest.chunk_tokens = 1000;
    assert!(matches!(settings::save_all(&db, everything.clone()), Err(Error::InvalidInput(_))));
    assert_eq!(settings::chat(&db).unwrap().top_n, 5, "all or nothing: the valid part was not saved");
    assert_eq!(settings::theme(&db).unwrap(), Theme::Dark, "all or nothing: the theme was not saved");
    everything.ingest.chunk_tokens = 128;
    assert_eq!(settings::save_all(&db, everything.clone()).unwrap(), everything);
    assert_eq!(settings::all(&db).unwrap(), everything);
}
