//! API keys, kept out of the database (and so out of any copy or backup of it): in the operating
//! system's credential store (the `keyring` crate: Secret Service on Linux, Keychain, Credential
//! Manager), or, where no credential service runs (a headless machine, a test), in a file that
//! only its owner can read, and said so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::private;
use crate::error::{Error, Result};

/// The name the credential store lists Hearth's entries under.
const SERVICE: &str = "app.hearth.desktop";
/// The fallback file, in the data directory.
pub const SECRETS_FILE: &str = "secrets.json";
/// The language-model server's API key.
pub const LLM_API_KEY: &str = "llm-api-key";

/// A credential store: the operating system's, or a fake in tests.
pub trait CredentialStore: Send + Sync {
    /// `Ok(None)` when there is no such entry; `Err` (with the reason) when the store cannot be
    /// used at all.
    fn get(&self, account: &str) -> std::result::Result<Option<String>, String>;
    fn set(&self, account: &str, secret: &str) -> std::result::Result<(), String>;
    fn delete(&self, account: &str) -> std::result::Result<(), String>;
}

/// The operating system's credential store, through `keyring`.
pub struct OsKeyring;

impl OsKeyring {
    fn entry(account: &str) -> std::result::Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())
    }
}

impl CredentialStore for OsKeyring {
    fn get(&self, account: &str) -> std::result::Result<Option<String>, String> {
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn set(&self, account: &str, secret: &str) -> std::result::Result<(), String> {
        Self::entry(account)?.set_password(secret).map_err(|e| e.to_string())
    }

    fn delete(&self, account: &str) -> std::result::Result<(), String> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Where a secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export_to = "SecretsKeptIn.ts")]
pub enum KeptIn {
    /// The operating system's credential store.
    Keyring,
    /// A file only its owner can read, because the credential store cannot be used (`why`).
    File { path: String, why: String },
}

/// The secrets of one data directory.
pub struct Secrets {
    data_dir: PathBuf,
    store: Box<dyn CredentialStore>,
}

impl Secrets {
    /// The secrets of `data_dir`, in the operating system's credential store.
    pub fn of(data_dir: &Path) -> Secrets {
        Secrets::with_store(data_dir, Box::new(OsKeyring))
    }

    /// The secrets of `data_dir` in `store` (a test's fake).
    pub fn with_store(data_dir: &Path, store: Box<dyn CredentialStore>) -> Secrets {
        Secrets { data_dir: data_dir.to_owned(), store }
    }

    /// Each data directory has its own entries (a test's, a second profile's).
    fn account(&self, name: &str) -> String {
        format!("{name}@{}", self.data_dir.display())
    }

    fn file(&self) -> PathBuf {
        self.data_dir.join(SECRETS_FILE)
    }

    /// The secret `name`: from the credential store, else from the fallback file.
    pub fn get(&self, name: &str) -> Result<Option<String>> {
        match self.store.get(&self.account(name)) {
            Ok(Some(secret)) => Ok(Some(secret)),
            Ok(None) | Err(_) => Ok(self.read_file()?.remove(name)),
        }
    }

    /// Keeps `secret` as `name` (`None` forgets it), in the credential store when it can be used,
    /// else in the fallback file; says which.
    pub fn set(&self, name: &str, secret: Option<&str>) -> Result<KeptIn> {
        let account = self.account(name);
        let mut file = self.read_file()?;
        let before = file.clone();
        let kept = match secret.filter(|s| !s.is_empty()) {
            None => {
                file.remove(name);
                self.store.delete(&account).map_or_else(|why| self.file_kept(why), |()| KeptIn::Keyring)
            }
            Some(secret) => match self.store.set(&account, secret) {
                Ok(()) => {
                    file.remove(name);
                    KeptIn::Keyring
                }
                Err(why) => {
                    tracing::warn!(%why, "no credential store; the secret goes to a file only you can read");
                    file.insert(name.to_owned(), secret.to_owned());
                    self.file_kept(why)
                }
            },
        };
        if file != before {
            self.write_file(&file)?;
        }
        Ok(kept)
    }

    /// Where secrets go now: the credential store if it answers, else the file.
    pub fn kept_in(&self) -> KeptIn {
        match self.store.get(&self.account(LLM_API_KEY)) {
            Ok(_) => KeptIn::Keyring,
            Err(why) => self.file_kept(why),
        }
    }

    fn file_kept(&self, why: String) -> KeptIn {
        KeptIn::File { path: self.file().display().to_string(), why }
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(self.file()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::invalid(format!("{} is damaged ({e}): delete it and set the key again", self.file().display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(source) => Err(Error::Io { context: format!("reading {}", self.file().display()), source }),
        }
    }

    fn write_file(&self, secrets: &BTreeMap<String, String>) -> Result<()> {
        let json = serde_json::to_vec_pretty(secrets).expect("strings serialize");
        private::write_private_file(&self.file(), &json)
            .map_err(|source| Error::Io { context: format!("writing {}", self.file().display()), source })
    }
}
