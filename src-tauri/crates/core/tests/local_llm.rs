//! The `local` backend with a real GGUF model (SmolLM2 135M Instruct, Q4_1, provisioned by
//! scripts/fetch_model.py) through the engine, as the window and the CLI drive it: answers
//! stream, Stop and the answer budget end them, the record says how the answer was made and
//! counts tokens with the model's own tokenizer, a second turn reuses the KV cache, and files that
//! are not usable models are refused with a reason while the question is kept.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hearth_core::chat::TurnEvent;
use hearth_core::chat::llm::Finish;
use hearth_core::models::embedding::locate_model_dir;
use hearth_core::sessions::messages;
use hearth_core::sessions::{self, NewSession};
use hearth_core::settings::{self, ChatSettings, LlmBackendKind};
use hearth_core::store::Page;
use hearth_core::store::model_choice::ModelChoice;
use hearth_core::{Engine, Error, SessionId};

fn smollm2() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
        .canonicalize()
        .expect("the tiny chat model is provisioned (python3 scripts/fetch_model.py)")
}

/// An engine on a fresh data directory whose chats answer with `model`.
fn engine_with(dir: &Path, model: &Path) -> Arc<Engine> {
    let engine = Engine::open(dir, &locate_model_dir(None)).unwrap();
    engine.use_local_model(model, Some(2)).unwrap();
    engine
}

fn chat(engine: &Engine) -> SessionId {
    sessions::create(engine.db(), NewSession::default()).unwrap().id
}

#[test]
fn an_answer_streams_from_the_model_and_its_record_says_how_it_was_made() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_with(dir.path(), &smollm2());
    let session = chat(&engine);
    assert_eq!(sessions::get(engine.db(), session).unwrap().llm_model_name, "SmolLM2-135M-Instruct.Q4_1");

    let mut pieces = Vec::new();
    let mut loading = Vec::new();
    let reply = engine
        .send(session, "What is the capital of France?", &mut |event| match event {
            TurnEvent::Token(piece) => pieces.push(piece.to_owned()),
            TurnEvent::Loading { model, progress } => {
                assert!(pieces.is_empty(), "the model loads before the answer starts");
                loading.push((model.to_owned(), progress));
            }
        })
        .unwrap();
    assert!(loading.len() >= 2, "loading reports its progress: {loading:?}");
    assert!(loading.iter().all(|(m, _)| m == "SmolLM2-135M-Instruct.Q4_1"));
    assert!(loading.windows(2).all(|w| w[0].1 <= w[1].1) && loading.last().unwrap().1 >= 1.0, "{loading:?}");
    assert!(pieces.len() > 1, "streamed piece by piece: {pieces:?}");
    assert_eq!(pieces.concat(), reply.assistant.content);
    assert!(!reply.assistant.content.trim().is_empty());
    let record = &reply.record;
    assert_eq!(record.backend, "local");
    assert!(matches!(record.finish, Finish::Complete | Finish::CutOff));
    let generation = record.generation.as_ref().expect("a local answer records its generation");
    assert_eq!(generation.model_file, "SmolLM2-135M-Instruct.Q4_1.gguf");
    assert_eq!(generation.quantization, "Q4_1");
    assert_eq!((generation.context_size, generation.threads), (4096, 2));
    assert_eq!(generation.chat_template, "the model's own");
    assert!(generation.prompt_tokens > 10 && generation.answer_tokens > 0, "{generation:?}");
    assert!(generation.time_to_first_token_ms > 0.0 && generation.decode_tokens_per_s > 0.0, "{generation:?}");
    let counted_by = record.prompt.counted_by.as_deref().unwrap();
    assert!(counted_by.contains("chat model's own"), "{counted_by}");
    // The prompt budget was counted with the same tokenizer the model read it with: the
    // instructions, the question and the template's markers make up the whole prompt.
    let counted = record.prompt.tokens.total as u32;
    assert!(counted.abs_diff(generation.prompt_tokens) <= 16, "counted {counted}, read {}", generation.prompt_tokens);

    // The stored record reads back the same.
    let stored = messages::list(engine.db(), session, Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(hearth_core::chat::TurnRecord::of(&stored[1]).as_ref(), Some(record));
}

#[test]
fn stop_ends_the_answer_within_a_token_and_the_budget_cuts_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_with(dir.path(), &smollm2());
    let session = chat(&engine);
    let mut pieces: Vec<String> = Vec::new();
    let engine_for_stop = Arc::clone(&engine);
    let reply = engine
        .send(session, "Write a long story about a lighthouse keeper.", &mut |event| {
            let TurnEvent::Token(piece) = event else { return };
            pieces.push(piece.to_owned());
            // The person presses Stop once there is a word on the screen.
            if pieces.concat().trim().len() >= 2 {
                engine_for_stop.stop_turn(session);
            }
        })
        .unwrap();
    assert_eq!(reply.record.finish, Finish::Stopped);
    assert_eq!(reply.assistant.content, pieces.concat(), "nothing after the piece that saw the stop");
    let written = reply.record.generation.as_ref().unwrap().answer_tokens as usize;
    assert!(written <= pieces.len() + 1 && pieces.len() < 10, "stopped within a token: {written} tokens, {pieces:?}");

    let chat_settings = ChatSettings { answer_tokens: 12, ..Default::default() };
    settings::set_chat(engine.db(), chat_settings).unwrap();
    let reply = engine.send(session, "Write a long story about a lighthouse keeper.", &mut |_| {}).unwrap();
    assert_eq!(reply.record.finish, Finish::CutOff, "{}", reply.assistant.content);
    assert_eq!(reply.record.generation.as_ref().unwrap().answer_tokens, 12);
}

#[test]
fn a_second_turn_reuses_the_kv_cache_for_the_prompt_it_shares() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_with(dir.path(), &smollm2());
    let session = chat(&engine);
    let first = engine.send(session, "Name a colour.", &mut |_| {}).unwrap();
    assert_eq!(first.record.generation.as_ref().unwrap().reused_tokens, 0, "nothing cached yet");
    let second = engine.send(session, "Name another colour.", &mut |_| {}).unwrap();
    let generation = second.record.generation.unwrap();
    // Instructions, the first question and its answer are the same tokens as last time.
    assert!(generation.reused_tokens > 20, "{generation:?}");
    assert!(generation.reused_tokens < generation.prompt_tokens);
}

#[test]
fn files_that_are_not_usable_models_are_refused_and_the_question_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let engine = Engine::open(&data, &locate_model_dir(None)).unwrap();
    let text = dir.path().join("notes.gguf");
    std::fs::write(&text, "some notes, renamed").unwrap();
    let whole = std::fs::read(smollm2()).unwrap();
    let truncated = dir.path().join("truncated.gguf");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let mut absurd = whole[..4096].to_vec();
    absurd[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    let absurd_file = dir.path().join("absurd.gguf");
    std::fs::write(&absurd_file, absurd).unwrap();

    let before = settings::llm(engine.db()).unwrap();
    for (file, reason) in
        [(&text, "not a GGUF model file"), (&truncated, "is truncated"), (&absurd_file, "more than the file can hold")]
    {
        let err = engine.use_local_model(file, None).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)) && err.to_string().contains(reason), "{err}");
        assert_eq!(settings::llm(engine.db()).unwrap(), before, "a refused file changes nothing");
    }

    // A file that went bad after it was chosen: the question is kept and the turn says why.
    let chosen = dir.path().join("chosen.gguf");
    std::fs::copy(smollm2(), &chosen).unwrap();
    engine.use_local_model(&chosen, None).unwrap();
    assert_eq!(settings::llm(engine.db()).unwrap().backend, LlmBackendKind::Local);
    std::fs::write(&chosen, &whole[..whole.len() / 3]).unwrap();
    let session = chat(&engine);
    let err = engine.send(session, "Are you there?", &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::LlmUnavailable(_)) && err.to_string().contains("truncated"), "{err}");
    let stored = messages::list(engine.db(), session, Page::new(10, 0).unwrap()).unwrap();
    assert_eq!(stored.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(), ["Are you there?"]);
}

#[test]
fn a_local_model_saved_in_settings_is_the_model_new_chats_name() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), &locate_model_dir(None)).unwrap();
    let mut all = settings::all(engine.db()).unwrap();
    all.llm.backend = LlmBackendKind::Local;
    all.llm.model_path = Some(smollm2().display().to_string());
    settings::save_all(engine.db(), all).unwrap();
    assert_eq!(sessions::get(engine.db(), chat(&engine)).unwrap().llm_model_name, "SmolLM2-135M-Instruct.Q4_1");
}

#[test]
fn a_chat_switched_to_a_file_answers_with_it_while_others_quote_and_an_idle_model_is_freed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), &locate_model_dir(None)).unwrap();
    settings::set_chat(engine.db(), ChatSettings { answer_tokens: 16, ..Default::default() }).unwrap();
    let (local, quoted) = (chat(&engine), chat(&engine));
    engine.set_session_model(local, &ModelChoice::File(smollm2())).unwrap();

    let reply = engine.send(local, "Say hello.", &mut |_| {}).unwrap();
    assert_eq!((reply.record.backend.as_str(), reply.record.model.as_str()), ("local", "SmolLM2-135M-Instruct.Q4_1"));
    assert!(engine.local_model_loaded());
    let other = engine.send(quoted, "Say hello.", &mut |_| {}).unwrap();
    assert_eq!(other.record.backend, "extractive", "the other chat keeps its own (no) model");

    assert!(!engine.unload_if_idle().unwrap(), "ten idle minutes have not passed");
    let mut llm = settings::llm(engine.db()).unwrap();
    llm.idle_unload_minutes = 0;
    settings::set_llm(engine.db(), llm).unwrap();
    assert!(!engine.unload_if_idle().unwrap(), "0 keeps the model loaded");
    assert!(engine.local_model_loaded());
    assert!(engine.unload_if_idle_for(Duration::ZERO));
    assert!(!engine.local_model_loaded());
    // The next question loads it again.
    engine.send(local, "And goodbye?", &mut |_| {}).unwrap();
    assert!(engine.local_model_loaded());
}
