//! API keys never reach the database: they go to the credential store, or, where none runs (as
//! in this headless test), to a file only its owner can read, and the answer says which. A key an
//! earlier version stored in the database is moved out on open. The data directory and the
//! database are readable only by their owner.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use hearth_core::models::embedding::locate_model_dir;
use hearth_core::settings;
use hearth_core::store::secrets::{CredentialStore, KeptIn, LLM_API_KEY, SECRETS_FILE, Secrets};
use hearth_core::{Engine, open};

const KEY: &str = "sk-hearth-test-5f0c2a";

/// A credential store that works, in memory.
#[derive(Default, Clone)]
struct Memory(Arc<Mutex<HashMap<String, String>>>);

impl CredentialStore for Memory {
    fn get(&self, account: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), String> {
        self.0.lock().unwrap().insert(account.to_owned(), secret.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), String> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

/// No credential service runs (a headless machine).
struct NoService;

impl CredentialStore for NoService {
    fn get(&self, _: &str) -> Result<Option<String>, String> {
        Err("no Secret Service is running".into())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no Secret Service is running".into())
    }
    fn delete(&self, _: &str) -> Result<(), String> {
        Err("no Secret Service is running".into())
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every byte of the database and its journal, to look for a key in.
fn database_bytes(dir: &Path) -> Vec<u8> {
    ["hearth.db", "hearth.db-wal"].iter().filter_map(|f| std::fs::read(dir.join(f)).ok()).flatten().collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn engine(dir: &Path, store: Box<dyn CredentialStore>) -> Arc<Engine> {
    let db = Arc::new(open(dir).unwrap());
    Engine::with_secrets(db, dir, &locate_model_dir(None), Secrets::with_store(dir, store))
}

#[test]
fn with_a_credential_store_the_key_lives_there_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = Memory::default();
    let engine = engine(dir.path(), Box::new(store.clone()));
    assert_eq!(engine.api_key().unwrap(), None);
    assert_eq!(engine.set_api_key(Some(KEY)).unwrap(), KeptIn::Keyring);
    assert_eq!(engine.api_key().unwrap().as_deref(), Some(KEY));
    assert_eq!(store.0.lock().unwrap().len(), 1);
    assert!(!dir.path().join(SECRETS_FILE).exists());
    assert!(!contains(&database_bytes(dir.path()), KEY));

    engine.set_api_key(Some("")).unwrap();
    assert_eq!(engine.api_key().unwrap(), None, "an empty key forgets it");
    assert!(store.0.lock().unwrap().is_empty());
}

#[test]
fn without_a_credential_service_the_key_goes_to_a_file_only_its_owner_reads_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path(), Box::new(NoService));
    let kept = engine.set_api_key(Some(KEY)).unwrap();
    let file = dir.path().join(SECRETS_FILE);
    assert_eq!(kept, KeptIn::File { path: file.display().to_string(), why: "no Secret Service is running".into() });
    assert_eq!(engine.secrets_kept_in(), kept);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(engine.api_key().unwrap().as_deref(), Some(KEY));
    assert!(!contains(&database_bytes(dir.path()), KEY), "never in the database");

    engine.set_api_key(None).unwrap();
    assert_eq!(engine.api_key().unwrap(), None);
    assert!(!contains(&std::fs::read(&file).unwrap(), KEY));
}

#[test]
fn a_key_an_earlier_version_stored_in_the_database_is_moved_out_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path()).unwrap();
        let old = serde_json::json!({ "backend": "openai-compatible", "base_url": "http://127.0.0.1:8080/v1", "api_key": KEY });
        db.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('llm', ?1, '2026-01-01T00:00:00Z')",
                [old.to_string()],
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
        db.checkpoint().unwrap();
        assert!(contains(&database_bytes(dir.path()), KEY), "the old version's plain-text key");
    }
    let store = Memory::default();
    let engine = engine(dir.path(), Box::new(store.clone()));
    assert_eq!(engine.api_key().unwrap().as_deref(), Some(KEY));
    let llm = settings::llm(engine.db()).unwrap();
    assert_eq!(llm.base_url, "http://127.0.0.1:8080/v1", "the other settings stay");
    let stored: String = engine
        .db()
        .read(|c| Ok(c.query_row("SELECT value FROM settings WHERE key = 'llm'", [], |r| r.get(0)).unwrap()))
        .unwrap();
    assert!(!stored.contains(KEY), "{stored}");
    assert_eq!(store.0.lock().unwrap().values().collect::<Vec<_>>(), [KEY]);
    assert!(!contains(&database_bytes(dir.path()), KEY), "no copy left in the file or its journal");
}

#[test]
fn the_data_directory_and_the_database_are_readable_only_by_their_owner() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("hearth");
    let db = open(&dir).unwrap();
    db.write(|tx| {
        tx.execute("INSERT INTO settings (key, value, updated_at) VALUES ('theme', '\"dark\"', 'now')", []).unwrap();
        Ok(())
    })
    .unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("hearth.db")), 0o600);
    assert_eq!(mode(&dir.join("hearth.db-wal")), 0o600, "SQLite gives its journal the database's mode");
    drop(db);

    // A database an earlier version left readable by everyone is made private on open.
    std::fs::set_permissions(dir.join("hearth.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    open(&dir).unwrap();
    assert_eq!(mode(&dir.join("hearth.db")), 0o600);
}

#[test]
fn the_real_credential_store_or_its_said_fallback_keeps_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::of(dir.path());
    let kept = secrets.set(LLM_API_KEY, Some(KEY)).unwrap();
    match &kept {
        KeptIn::Keyring => assert!(!dir.path().join(SECRETS_FILE).exists()),
        KeptIn::File { path, why } => {
            assert!(!why.is_empty(), "the reason is said");
            assert_eq!(mode(Path::new(path)), 0o600);
        }
    }
    assert_eq!(secrets.get(LLM_API_KEY).unwrap().as_deref(), Some(KEY));
    secrets.set(LLM_API_KEY, None).unwrap();
    assert_eq!(secrets.get(LLM_API_KEY).unwrap(), None);
}
