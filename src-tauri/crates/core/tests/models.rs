//! Which model answers: GGUF files found where other apps keep them (a temporary home laid out
//! like LM Studio's, GPT4All's, Jan's, llama.cpp's and Ollama's folders), local servers detected
//! on loopback (small fake servers in the test), the default model for new chats and each chat's
//! own, switched without touching the others.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hearth_core::chat::llm::servers::{self, Preset};
use hearth_core::models::discovery::{self, ModelSource, Places, TINY_MODEL_NAME};
use hearth_core::models::embedding::locate_model_dir;
use hearth_core::sessions::{self, NewSession};
use hearth_core::settings::{self, LlmBackendKind};
use hearth_core::store::model_choice::ModelChoice;
use hearth_core::{Engine, Error};

fn models_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../models").canonicalize().unwrap()
}

fn smollm2() -> PathBuf {
    models_root().join(discovery::TINY_MODEL_FILE)
}

/// Puts the tiny model at `path` (a hard link where the file system allows, else a copy).
fn place(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if std::fs::hard_link(smollm2(), path).is_err() {
        std::fs::copy(smollm2(), path).unwrap();
    }
}

#[test]
fn models_are_found_where_other_apps_keep_them_with_their_headers() {
    // Under the target directory: the same file system as models/, so the links are cheap.
    let home = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let h = home.path();
    place(&h.join(".lmstudio/models/lmstudio-community/SmolLM2-GGUF/SmolLM2-135M-Instruct-Q4_1.gguf"));
    place(&h.join(".lmstudio/models/lmstudio-community/SmolLM2-GGUF/mmproj-SmolLM2-f16.gguf"));
    place(&h.join(".local/share/nomic.ai/GPT4All/smollm2-gpt4all.gguf"));
    std::fs::write(h.join(".local/share/nomic.ai/GPT4All/half.gguf"), &std::fs::read(smollm2()).unwrap()[..4096])
        .unwrap();
    std::fs::write(h.join(".local/share/nomic.ai/GPT4All/notes.txt"), "not a model").unwrap();
    place(&h.join(".local/share/Jan/data/llamacpp/models/smollm2/model.gguf"));
    place(&h.join(".cache/llama.cpp/HuggingFaceTB_SmolLM2-135M-Instruct-GGUF_smollm2.gguf"));
    let digest = "0123abcd";
    place(&h.join(format!(".ollama/models/blobs/sha256-{digest}")));
    let manifest = h.join(".ollama/models/manifests/registry.ollama.ai/library/smollm2/135m");
    std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    let layers = serde_json::json!({ "layers": [
        { "mediaType": "application/vnd.ollama.image.template", "digest": "sha256:ffff" },
        { "mediaType": "application/vnd.ollama.image.model", "digest": format!("sha256:{digest}") },
    ]});
    std::fs::write(&manifest, layers.to_string()).unwrap();
    place(&h.join("my-models/added.gguf"));

    let places = Places {
        home: h.to_owned(),
        models_dir: Some(models_root()),
        added: vec![h.join("my-models")],
        ..Default::default()
    };
    let found = discovery::find(&places);
    let seen: Vec<(ModelSource, &str, &str)> =
        found.iter().map(|m| (m.source, m.found_in.as_str(), m.name.as_str())).collect();
    assert_eq!(
        seen,
        [
            (ModelSource::Hearth, "Hearth", TINY_MODEL_NAME),
            (ModelSource::LmStudio, "LM Studio", "SmolLM2-135M-Instruct-Q4_1"),
            (ModelSource::Gpt4All, "GPT4All", "half"),
            (ModelSource::Gpt4All, "GPT4All", "smollm2-gpt4all"),
            (ModelSource::Jan, "Jan", "model"),
            (ModelSource::LlamaCpp, "llama.cpp", "HuggingFaceTB_SmolLM2-135M-Instruct-GGUF_smollm2"),
            (ModelSource::Ollama, "Ollama", "smollm2:135m"),
            (ModelSource::Added, "your folder", "added"),
        ],
        "vision projectors and other files are left out"
    );
    for model in found.iter().filter(|m| m.name != "half") {
        let info = model.info.as_ref().unwrap_or_else(|| panic!("{} reads: {:?}", model.name, model.problem));
        assert_eq!((info.parameters, info.quantization.as_str()), (134_515_008, "Q4_1"), "{}", model.name);
        assert_eq!(info.trained_context, Some(8192));
    }
    let half = found.iter().find(|m| m.name == "half").unwrap();
    assert!(
        half.info.is_none() && half.problem.as_deref().unwrap().contains("not a usable GGUF model file"),
        "{half:?}"
    );
    assert!(found.iter().find(|m| m.source == ModelSource::Ollama).unwrap().path.ends_with("sha256-0123abcd"));

    // A home with none of these folders finds nothing, quietly.
    let empty = tempfile::tempdir().unwrap();
    assert!(discovery::find(&Places { home: empty.path().to_owned(), ..Default::default() }).is_empty());
}

/// A server on loopback that answers every request with `body` (JSON), and its port.
fn fake_server(routes: &'static [(&'static str, &'static str)]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut first = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("").to_owned();
            let reply = match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    port
}

fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn servers_on_loopback_are_detected_with_their_models_and_errors_are_words() {
    let openai =
        fake_server(&[("/v1/models", r#"{"object":"list","data":[{"id":"qwen2.5-3b-instruct"},{"id":"phi-4"}]}"#)]);
    let ollama = fake_server(&[("/api/tags", r#"{"models":[{"name":"qwen2.5:3b","size":1}]}"#)]);
    let not_ollama = fake_server(&[]);
    let closed = closed_port();
    let presets = [
        Preset { id: "lm-studio", name: "LM Studio", port: openai },
        Preset { id: "ollama", name: "Ollama", port: ollama },
        Preset { id: "jan", name: "Jan", port: not_ollama },
        Preset { id: "vllm", name: "vLLM", port: closed },
    ];
    let found = servers::detect(&presets, Duration::from_secs(2));
    let summary: Vec<(&str, bool, Vec<&str>)> =
        found.iter().map(|s| (s.name.as_str(), s.running, s.models.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        summary,
        [
            ("LM Studio", true, vec!["qwen2.5-3b-instruct", "phi-4"]),
            ("Ollama", true, vec!["qwen2.5:3b"]),
            ("Jan", false, vec![]),
            ("vLLM", false, vec![]),
        ]
    );
    assert_eq!(found[0].base_url, format!("http://127.0.0.1:{openai}/v1"));
    assert!(found[2].problem.as_deref().unwrap().contains("answered 404"), "{:?}", found[2].problem);
    assert_eq!(
        found[3].problem.as_deref(),
        Some(format!("nothing answers at 127.0.0.1:{closed} — is the server running?").as_str())
    );
}

#[test]
fn new_chats_use_the_chosen_model_and_each_chat_can_switch_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), &locate_model_dir(None)).unwrap();
    let db = engine.db();
    let quoted = sessions::create(db, NewSession::default()).unwrap();
    assert_eq!((quoted.model.clone(), quoted.llm_model_name.as_str()), (Some(ModelChoice::Extractive), "extractive"));

    let served: ModelChoice = "http://127.0.0.1:1234/v1#qwen2.5-3b-instruct".parse().unwrap();
    assert_eq!(engine.use_model(&served).unwrap(), served);
    let llm = settings::llm(db).unwrap();
    assert_eq!((llm.backend, llm.base_url.as_str()), (LlmBackendKind::OpenAiCompatible, "http://127.0.0.1:1234/v1"));
    let chat = sessions::create(db, NewSession::default()).unwrap();
    assert_eq!((chat.model.clone(), chat.llm_model_name.as_str()), (Some(served.clone()), "qwen2.5-3b-instruct"));
    let named =
        sessions::create(db, NewSession { llm_model_name: Some("phi-4".into()), ..Default::default() }).unwrap();
    assert_eq!(named.model.unwrap().to_string(), "http://127.0.0.1:1234/v1#phi-4", "a name picks the server's model");

    // One chat switches to the file; the others keep theirs.
    let switched = engine.set_session_model(chat.id, &ModelChoice::File(smollm2())).unwrap();
    assert_eq!(switched.llm_model_name, "SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(switched.model, Some(ModelChoice::File(smollm2())));
    assert_eq!(switched.last_updated_at, chat.last_updated_at, "switching is not activity");
    assert_eq!(sessions::get(db, quoted.id).unwrap().model, Some(ModelChoice::Extractive));

    // A file that is not a model changes nothing.
    let notes = dir.path().join("notes.gguf");
    std::fs::write(&notes, "notes, renamed").unwrap();
    let err = engine.set_session_model(chat.id, &ModelChoice::File(notes.clone())).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)) && err.to_string().contains("not a GGUF model file"), "{err}");
    assert_eq!(sessions::get(db, chat.id).unwrap(), switched);
    assert!(matches!(engine.use_model(&ModelChoice::File(notes)), Err(Error::InvalidInput(_))));
    assert_eq!(settings::llm(db).unwrap(), llm);

    // A folder the person adds is kept once, and a file is not a folder.
    let folder = dir.path().join("gguf");
    std::fs::create_dir(&folder).unwrap();
    engine.add_model_folder(&folder).unwrap();
    engine.add_model_folder(&folder).unwrap();
    assert_eq!(settings::llm(db).unwrap().model_folders, [folder.canonicalize().unwrap().display().to_string()]);
    assert!(matches!(engine.add_model_folder(&dir.path().join("notes.gguf")), Err(Error::InvalidInput(_))));
}
