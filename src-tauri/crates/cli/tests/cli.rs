use std::path::Path;
use std::process::{Command, Output};

fn hearth(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth")).env("HEARTH_DATA_DIR", data).args(args).output().expect("run hearth")
}

fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = hearth(data, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn sessions_and_messages_round_trip_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let session = json(data, &["sessions", "create", "--name", "X", "--json"]);
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(session["name"], "X");
    assert_eq!(session["rag_document_ids"], serde_json::json!([]));

    json(data, &["messages", "add", &id, "hi", "--json"]);
    let second = json(data, &["messages", "add", &id, "answer", "--role", "assistant", "--json"]);
    assert_eq!(second["role"], "assistant");

    let messages = json(data, &["messages", "list", &id, "--json"]);
    let contents: Vec<_> = messages.as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(contents, ["hi", "answer"]);

    let list = json(data, &["sessions", "list", "--json"]);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());

    let text = hearth(data, &["sessions", "list"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&id) && text.contains("  X  ") && text.contains("(1 of 1 sessions)"), "{text}");

    let doctor = json(data, &["doctor", "--json"]);
    assert_eq!(doctor["database"]["schema_version"], doctor["database"]["latest_schema_version"]);
    assert!(doctor["database"]["database_path"].as_str().unwrap().starts_with(data.to_str().unwrap()));
    // int8 compute by default on this machine: the quantized copy; fp32 from the next start on.
    assert_eq!(doctor["model"]["model_id"], "all-minilm-l6-v2-q8@9e8025153763");
    let saved = json(data, &["settings", "documents", "--compute", "fp32", "--json"]);
    assert_eq!(saved["documents"]["compute"], "fp32");
    assert_eq!(saved["computing_now"], "int8", "this run had already loaded its model");
    let doctor = json(data, &["doctor", "--json"]);
    assert_eq!(doctor["model"]["model_id"], "all-minilm-l6-v2-int8@8199be6f699a");

    assert!(hearth(data, &["sessions", "rm", &id]).status.success());
    assert_eq!(json(data, &["sessions", "list", "--json"])["total"], 0);
}

#[test]
fn doctor_says_when_the_model_is_missing_and_sessions_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .env("HEARTH_DATA_DIR", dir.path())
        .env("HEARTH_MODEL_DIR", dir.path().join("no-model"))
        .args(["doctor"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("model:          unavailable:") && text.contains("fetch_model.py"), "{text}");
    json(dir.path(), &["sessions", "create", "--json"]);
}

#[test]
fn bad_input_gets_a_clear_error_and_a_distinct_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let id = json(data, &["sessions", "create", "--json"])["id"].as_str().unwrap().to_owned();

    let cases: [(&[&str], i32, &str); 5] = [
        (&["messages", "add", &id, "   "], 2, "must not be empty"),
        (&["messages", "add", &id, "x", "--role", "root"], 2, "unknown role"),
        (&["sessions", "list", "--limit", "-5"], 2, "limit must be between"),
        (&["sessions", "show", "not-an-id"], 2, "not a valid id"),
        (&["messages", "list", "00000000-0000-4000-8000-000000000000"], 3, "was not found"),
    ];
    for (args, code, message) in cases {
        let out = hearth(data, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert_eq!(json(data, &["messages", "list", &id, "--json"]), serde_json::json!([]));
}

#[test]
fn documents_are_added_searched_attached_and_removed_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures");
    let files = ["beekeeping.pdf", "tides.docx", "volcanoes.html", "lighthouses.md", "sourdough.txt"];
    let paths: Vec<String> = files.iter().map(|f| fixtures.join(f).display().to_string()).collect();
    let mut args = vec!["docs", "add"];
    args.extend(paths.iter().map(String::as_str));
    args.push("--json");
    let added = json(data, &args);
    let ids: Vec<String> =
        added.as_array().unwrap().iter().map(|a| a["document"]["id"].as_str().unwrap().to_owned()).collect();
    assert!(added.as_array().unwrap().iter().all(|a| a["document"]["status"] == "ready"), "{added}");
    assert!(std::fs::read_dir(data.join("index")).unwrap().count() >= 2, "the vector index and its manifest are saved");

    let hits = json(data, &["search", "what did keepers do during fog", "-k", "3", "--json"]);
    assert_eq!(hits[0]["document_name"], "lighthouses.md");
    assert!(hits[0]["text"].as_str().unwrap().contains("fog"), "{}", hits[0]);
    let pdf = json(data, &["search", "when should mites be treated", "-k", "3", "--json"]);
    assert_eq!(
        (&pdf[0]["document_name"], &pdf[0]["page"]),
        (&serde_json::json!("beekeeping.pdf"), &serde_json::json!(3))
    );
    let rare = json(data, &["search", "wickies", "--mode", "keyword", "--json"]);
    assert_eq!(rare.as_array().unwrap().len(), 1);
    assert_eq!(rare[0]["document_name"], "lighthouses.md");
    let filtered = json(data, &["search", "wickies lens keeper", "--docs", &ids[4], "--json"]);
    assert!(filtered.as_array().unwrap().iter().all(|h| h["document_name"] == "sourdough.txt"));

    let session = json(data, &["sessions", "create", "--docs", &ids[3], &ids[4], "--json"]);
    assert_eq!(session["rag_document_ids"], serde_json::json!([ids[3], ids[4]]));
    assert!(hearth(data, &["docs", "rm", &ids[3]]).status.success());
    let session = json(data, &["sessions", "show", session["id"].as_str().unwrap(), "--json"]);
    assert_eq!(session["rag_document_ids"], serde_json::json!([ids[4]]));
    assert_eq!(session["scope"], serde_json::json!({"kind": "documents"}), "given documents, it searches them");

    // A chat searches the whole library by default, or a collection made of chosen documents.
    let open = json(data, &["sessions", "create", "--json"]);
    assert_eq!((&open["scope"]["kind"], &open["rag_document_ids"]), (&"library".into(), &serde_json::json!([])));
    let coast = json(data, &["collections", "create", "Coast", "--docs", &ids[1], &ids[2], "--json"]);
    assert_eq!(coast["document_ids"], serde_json::json!([ids[1], ids[2]]));
    let shown = String::from_utf8(hearth(data, &["collections", "show", "coast"]).stdout).unwrap();
    assert!(shown.contains("Coast") && shown.contains("tides.docx") && shown.contains("volcanoes.html"), "{shown}");
    let scoped = json(data, &["sessions", "create", "--scope", "collection", "--collection", "Coast", "--json"]);
    assert_eq!(scoped["scope"], serde_json::json!({"kind": "collection", "collection_id": coast["id"]}));
    let no_name = hearth(data, &["sessions", "create", "--scope", "collection"]);
    assert_eq!(no_name.status.code(), Some(2), "{no_name:?}");
    assert!(String::from_utf8_lossy(&no_name.stderr).contains("--collection NAME"), "{no_name:?}");
    let id = open["id"].as_str().unwrap();
    assert_eq!(
        json(data, &["sessions", "scope", id, "--collection", "Coast", "--json"])["scope"]["kind"],
        "collection"
    );
    assert!(hearth(data, &["collections", "rm", "Coast"]).status.success());
    assert_eq!(json(data, &["sessions", "show", id, "--json"])["scope"]["kind"], "library", "back to the library");
    assert_eq!(hearth(data, &["collections", "show", "Coast"]).status.code(), Some(3));
    assert_eq!(json(data, &["docs", "list", "--json"])["total"], 4);
    let after = json(data, &["search", "lighthouse keepers in fog", "--mode", "vector", "--json"]);
    assert!(after.as_array().unwrap().iter().all(|h| h["document_name"] != "lighthouses.md"), "{after}");
    let rebuilt = hearth(data, &["index", "rebuild"]);
    assert!(String::from_utf8_lossy(&rebuilt.stdout).contains("rebuilt the vector index"), "{rebuilt:?}");

    let unsupported = hearth(data, &["docs", "add", "/etc/hostname"]);
    assert_eq!(unsupported.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unsupported.stdout).contains("not a supported document type"));
    let encrypted = fixtures.join("bad/encrypted.pdf");
    let failed = hearth(data, &["docs", "add", encrypted.to_str().unwrap(), "--json"]);
    assert_eq!(failed.status.code(), Some(2));
    let failed: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(failed[0]["document"]["status"], "failed");
    assert!(failed[0]["document"]["error"].as_str().unwrap().contains("encrypted"), "{failed}");
    let retried = hearth(data, &["docs", "retry", failed[0]["document"]["id"].as_str().unwrap()]);
    assert!(String::from_utf8_lossy(&retried.stdout).contains("failed"), "{retried:?}");

    // A folder adds the documents inside it and passes over the rest (here a Python script).
    let folder = json(data, &["docs", "add", fixtures.join("src").to_str().unwrap(), "--json"]);
    let names: Vec<&str> = folder.as_array().unwrap().iter().map(|a| a["document"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["tides.md"]);
    let pictures = tempfile::tempdir().unwrap();
    std::fs::write(pictures.path().join("photo.png"), "not a document").unwrap();
    let none = hearth(data, &["docs", "add", pictures.path().to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&none.stdout).contains("holds no PDF, DOCX, HTML, Markdown or text files"),
        "{none:?}"
    );
}

#[test]
fn benchmarks_report_what_they_measured() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures");
    let lighthouses = fixtures.join("lighthouses.md");
    let report = json(dir.path(), &["bench", "ingest", lighthouses.to_str().unwrap(), "--json"]);
    assert_eq!(report["files"], 1);
    // The same file added to a library gives the chunks and tokens the benchmark counted.
    let library = tempfile::tempdir().unwrap();
    let added = json(library.path(), &["docs", "add", lighthouses.to_str().unwrap(), "--json"]);
    let shown = json(library.path(), &["docs", "show", added[0]["document"]["id"].as_str().unwrap(), "--json"]);
    let chunks = shown["chunks"].as_array().unwrap();
    assert_eq!(report["chunks"].as_u64().unwrap() as usize, chunks.len(), "{report}");
    assert_eq!(
        report["tokens"].as_u64().unwrap(),
        chunks.iter().map(|c| c["token_count"].as_u64().unwrap()).sum::<u64>()
    );
    let (total, embed) = (report["seconds"].as_f64().unwrap(), report["embed_seconds"].as_f64().unwrap());
    assert!(embed > 0.0 && embed <= total, "{report}");
    assert!(report["peak_rss_mb"].as_f64().unwrap() > 50.0, "{report}");
    // The file was read in a parser worker, as `docs add` reads it; its memory is told apart.
    #[cfg(target_os = "linux")]
    assert!(report["worker_peak_rss_mb"].as_f64().is_some_and(|mb| mb > 1.0), "{report}");

    let report = json(dir.path(), &["bench", "search", "--chunks", "250", "--queries", "4", "--json"]);
    assert_eq!(report["chunks"], 250);
    assert_eq!(report["queries"], 4);
    let modes: Vec<&str> = report["modes"].as_array().unwrap().iter().map(|m| m[0].as_str().unwrap()).collect();
    assert_eq!(modes, ["keyword", "vector", "hybrid"]);
    // A start with the library's files out of the page cache: the saved index mapped, searched,
    // then loaded for a change — all three, or none where the scratch library is on tmpfs.
    let cold = ["index_load_cold_seconds", "first_search_cold_ms", "first_change_seconds"].map(|part| &report[part]);
    let on_tmpfs = cold.iter().all(|t| t.is_null());
    assert!(on_tmpfs || cold.iter().all(|t| t.as_f64().is_some_and(|t| t > 0.0)), "{report}");
    for latency in report["modes"].as_array().unwrap().iter().map(|m| &m[1]).chain([&report["session_filtered"]]) {
        let (p50, p99) = (latency["p50_ms"].as_f64().unwrap(), latency["p99_ms"].as_f64().unwrap());
        assert!(p50 > 0.0 && p50 <= p99, "{latency}");
    }
    let report = json(dir.path(), &["bench", "sessions", "--count", "120", "--repeats", "3", "--json"]);
    assert_eq!(report["sessions"], 120);
    for part in ["first_page", "deep_page", "filtered"] {
        let (p50, p99) = (report[part]["p50_ms"].as_f64().unwrap(), report[part]["p99_ms"].as_f64().unwrap());
        assert!(p50 > 0.0 && p50 <= p99, "{part}: {report}");
    }
    assert_eq!(json(dir.path(), &["sessions", "list", "--json"])["total"], 0, "benchmarks leave the chats alone");
    assert_eq!(json(dir.path(), &["docs", "list", "--json"])["total"], 0, "benchmarks leave the library alone");
}

#[test]
fn a_chat_turn_answers_with_its_sources_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures");
    let (pdf, docx) = (fixtures.join("beekeeping.pdf"), fixtures.join("tides.docx"));
    let added = json(data, &["docs", "add", pdf.to_str().unwrap(), docx.to_str().unwrap(), "--json"]);
    let ids: Vec<&str> = added.as_array().unwrap().iter().map(|a| a["document"]["id"].as_str().unwrap()).collect();
    let session = json(data, &["sessions", "create", "--docs", ids[0], ids[1], "--json"]);
    let id = session["id"].as_str().unwrap();

    let text = hearth(data, &["chat", id, "When should the hive be treated against mites?"]);
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    let printed = String::from_utf8_lossy(&text.stdout);
    assert!(printed.starts_with("No language model is connected, so here are the sentences"), "{printed}");
    assert!(printed.contains("Oxalic acid is most effective in midwinter"), "the answering sentence: {printed}");
    let sources = printed.split("Sources:").nth(1).expect("a sources list");
    assert!(sources.trim_start().starts_with("[1] beekeeping.pdf, page 3"), "{printed}");

    let stored = json(data, &["chat", id, "How big are the tides in the Bay of Fundy?", "--json"]);
    assert_eq!(stored["role"], "assistant");
    assert_eq!(stored["metadata"]["sources"][0]["document_name"], "tides.docx");
    assert_eq!(stored["metadata"]["backend"], "extractive");
    assert!(stored["metadata"]["history_used"].as_array().unwrap().is_empty(), "a quoted answer is never history");
    assert_eq!(json(data, &["messages", "list", id, "--json"]).as_array().unwrap().len(), 4);

    let interactive = std::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["chat", id])
        .env("HEARTH_DATA_DIR", data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    interactive.stdin.as_ref().unwrap().write_all(b"what is a neap tide?\n\nand the rule of twelfths?\n").unwrap();
    let done = interactive.wait_with_output().unwrap();
    assert!(done.status.success());
    assert_eq!(String::from_utf8_lossy(&done.stdout).matches("Sources:").count(), 2, "two questions, two answers");
    assert_eq!(json(data, &["messages", "list", id, "--json"]).as_array().unwrap().len(), 8);

    // The chat keeps its own model when the settings change; switching it is per chat.
    let llm = hearth(data, &["settings", "llm", "--backend", "openai-compatible", "--url", "http://127.0.0.1:9/v1"]);
    assert!(llm.status.success());
    assert_eq!(json(data, &["chat", id, "still quoting?", "--json"])["metadata"]["backend"], "extractive");
    let switched = json(data, &["sessions", "model", id, "http://127.0.0.1:9/v1#qwen2.5-3b", "--json"]);
    assert_eq!(switched["llm_model_name"], "qwen2.5-3b");
    let down = hearth(data, &["chat", id, "anyone there?"]);
    assert_eq!(down.status.code(), Some(5), "LLM unavailable has its own exit code");
    let said = String::from_utf8_lossy(&down.stderr);
    assert!(said.contains("cannot be reached: nothing answers at 127.0.0.1:9 — is the server running?"), "{said}");
    assert_eq!(json(data, &["messages", "list", id, "--json"]).as_array().unwrap().len(), 11, "the question is kept");
}

#[test]
fn models_are_listed_and_chosen_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (data, home) = (dir.path().join("data"), dir.path().join("home"));
    let gguf = home.join(".cache/llama.cpp/tiny.gguf");
    std::fs::create_dir_all(gguf.parent().unwrap()).unwrap();
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::copy(&tiny, &gguf).unwrap();
    let list = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .env("HEARTH_DATA_DIR", &data)
        .env("HOME", &home)
        .args(["models", "list", "--json"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let files: Vec<(&str, &str)> = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["found_in"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    assert_eq!(files, [("Hearth", "SmolLM2 135M — tiny, for trying things out"), ("llama.cpp", "tiny")]);
    assert_eq!(list["files"][1]["info"]["quantization"], "Q4_1");
    let servers: Vec<&str> = list["servers"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(servers, ["Ollama", "LM Studio", "llama.cpp's server", "Jan", "vLLM"]);

    let used = json(&data, &["models", "use", "ollama:qwen2.5:3b", "--json"]);
    assert_eq!(used["message"], "new chats answer with qwen2.5:3b at http://127.0.0.1:11434/v1");
    let chat = json(&data, &["sessions", "create", "--json"]);
    assert_eq!(chat["llm_model_name"], "qwen2.5:3b");
    assert_eq!(chat["model"], "http://127.0.0.1:11434/v1#qwen2.5:3b");
    let bad = hearth(&data, &["models", "use", "http://127.0.0.1:8080/v1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("names no model"));
}

#[test]
fn chats_export_and_import_and_the_database_backs_up_and_restores_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let data = data.as_path();
    let id = json(data, &["sessions", "create", "--name", "Lisbon", "--json"])["id"].as_str().unwrap().to_owned();
    json(data, &["messages", "add", &id, "Where to stay?", "--json"]);
    json(data, &["messages", "add", &id, "Near Alfama.", "--role", "assistant", "--json"]);

    let md = String::from_utf8(hearth(data, &["sessions", "export", &id]).stdout).unwrap();
    assert!(md.starts_with("# Lisbon\n") && md.contains("**You** · ") && md.contains("Near Alfama."), "{md}");
    let file = dir.path().join("lisbon.json");
    let written = hearth(data, &["sessions", "export", "--all", "--format", "json", "-o", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&written.stdout).contains("exported 1 chat(s)"), "{written:?}");

    let elsewhere = dir.path().join("elsewhere");
    let imported = json(&elsewhere, &["sessions", "import", file.to_str().unwrap(), "--json"]);
    let new_id = imported["sessions"][0]["id"].as_str().unwrap();
    assert_ne!(new_id, id);
    let contents = |data: &Path, id: &str| -> Vec<String> {
        json(data, &["messages", "list", id, "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].to_string())
            .collect()
    };
    assert_eq!(contents(&elsewhere, new_id), contents(data, &id));
    let refused = hearth(&elsewhere, &["sessions", "import", "/etc/hostname"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a Hearth chat export"), "{refused:?}");

    // Tags: the person's, found with #, and back to automatic.
    let tagged = json(data, &["sessions", "tag", &id, "trips", "lisbon", "--json"]);
    assert_eq!(
        (tagged["metadata_tags"].clone(), tagged["tags_by_person"].clone()),
        (serde_json::json!(["trips", "lisbon"]), true.into())
    );
    assert_eq!(json(data, &["sessions", "list", "--search", "#Lisbon", "--json"])["total"], 1);
    assert_eq!(json(data, &["sessions", "list", "--search", "#paris", "--json"])["total"], 0);
    let auto = json(data, &["sessions", "tag", &id, "--auto", "--json"]);
    assert_eq!(auto["tags_by_person"], false);
    assert!(auto["metadata_tags"].as_array().unwrap().iter().any(|t| t == "stay" || t == "alfama"), "{auto}");

    // A backup while the library is in use; then a restore brings it back.
    let backup = dir.path().join("monday.db");
    let info = json(data, &["backup", backup.to_str().unwrap(), "--json"]);
    assert_eq!((info["sessions"].as_i64(), info["messages"].as_i64()), (Some(1), Some(2)));
    json(data, &["sessions", "create", "--name", "later", "--json"]);
    let restored = json(data, &["restore", backup.to_str().unwrap(), "--json"]);
    assert!(restored["previous"].as_str().unwrap().contains("hearth.db.before-restore-"), "{restored}");
    assert_eq!(json(data, &["sessions", "list", "--json"])["total"], 1);
    let bad = hearth(data, &["restore", file.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a usable backup"), "{bad:?}");
}

/// Waits until the document named `name` is being worked on (extracting or embedding).
fn wait_until_working(data: &Path, name: &str) -> String {
    for _ in 0..600 {
        let list = json(data, &["docs", "list", "--json"]);
        if let Some(doc) = list["items"].as_array().unwrap().iter().find(|d| d["name"] == name)
            && (doc["status"] == "extracting" || doc["status"] == "embedding")
        {
            return doc["id"].as_str().unwrap().to_owned();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{name} was never being processed");
}

#[test]
fn a_killed_docs_add_is_taken_over_and_a_live_one_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let file = dir.path().join("almanac.txt");
    let text: String = (0..1500)
        .map(|i| format!("Entry {i}: the tide at the harbour turned at dawn and the lantern was trimmed at dusk. "))
        .collect();
    std::fs::write(&file, text).unwrap();
    let add = || {
        Command::new(env!("CARGO_BIN_EXE_hearth"))
            .env("HEARTH_DATA_DIR", &data)
            .args(["docs", "add", file.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };

    // A live worker's document is not taken: another `docs add` says who has it.
    let mut first = add();
    let id = wait_until_working(&data, "almanac.txt");
    let second = hearth(&data, &["docs", "add", file.to_str().unwrap()]);
    assert_eq!(second.status.code(), Some(2), "{second:?}");
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("being processed by another Hearth process"),
        "{second:?}"
    );
    let refused = hearth(&data, &["docs", "retry", &id]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");

    // Killed mid-document (SIGKILL): the document is left half done, and the next `docs add`
    // of the file takes it over and finishes it.
    first.kill().unwrap();
    first.wait().unwrap();
    let stuck = json(&data, &["docs", "show", &id, "--limit", "1", "--json"]);
    assert!(["extracting", "embedding"].contains(&stuck["document"]["status"].as_str().unwrap()), "{stuck}");
    let again = hearth(&data, &["docs", "add", file.to_str().unwrap(), "--json"]);
    assert!(again.status.success(), "{again:?}");
    let finished = json(&data, &["docs", "show", &id, "--limit", "1", "--json"]);
    assert_eq!(finished["document"]["status"], "ready", "{finished}");
    assert!(finished["document"]["chunk_count"].as_i64().unwrap() > 10);
    // The lock files of processes that ended are swept: at most the last one's is left.
    let locks = data.join("workers").read_dir().unwrap().count();
    assert!(locks <= 1, "{locks} lock files left");
}

#[test]
fn two_processes_writing_to_one_library_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    // Created first, so both writers open an existing library (creating it is the other test's).
    json(&data, &["sessions", "list", "--json"]);
    let writer = |who: &'static str| {
        let data = data.clone();
        std::thread::spawn(move || {
            for i in 0..20 {
                let name = format!("{who} {i}");
                let id =
                    json(&data, &["sessions", "create", "--name", &name, "--json"])["id"].as_str().unwrap().to_owned();
                json(&data, &["messages", "add", &id, &format!("question {i} from {who}"), "--json"]);
            }
        })
    };
    let (a, b) = (writer("left"), writer("right"));
    a.join().unwrap();
    b.join().unwrap();
    let all = json(&data, &["sessions", "list", "--limit", "100", "--json"]);
    assert_eq!(all["total"], 40);
    for session in all["items"].as_array().unwrap() {
        let messages = json(&data, &["messages", "list", session["id"].as_str().unwrap(), "--json"]);
        assert_eq!(messages.as_array().unwrap().len(), 1, "{session}");
    }
}
