use std::io::Write;

use hearth_core::embedding::ModelStatus;
use hearth_core::messages::ChatMessage;
use hearth_core::sessions::{Session, SessionPage};
use hearth_core::{Health, Result};
use serde::Serialize;

/// Writes results to stdout as text for people or JSON for programs.
pub struct Out {
    json: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    pub fn health(&self, h: &Health, model: &ModelStatus) -> Result<()> {
        let value = serde_json::json!({ "database": h, "model": model });
        self.emit(&value, || {
            let model_line = match (&model.model_id, &model.error) {
                (Some(id), _) => format!("{id} (loads)"),
                (None, Some(error)) => format!("unavailable: {error}"),
                (None, None) => "unknown".to_owned(),
            };
            format!(
                "database:       {}\nschema version: {} (this build: {})\nsqlite:         {} ({})\nsessions:       {}\nmessages:       {}\nmodel dir:      {}\nmodel:          {model_line}\n",
                h.database_path,
                h.schema_version,
                h.latest_schema_version,
                h.sqlite_version,
                h.journal_mode,
                h.sessions,
                h.messages,
                model.dir
            )
        })
    }

    pub fn session(&self, s: &Session) -> Result<()> {
        self.emit(s, || session_line(s) + "\n")
    }

    pub fn session_page(&self, page: &SessionPage) -> Result<()> {
        self.emit(page, || {
            let mut text: String = page.items.iter().map(|s| session_line(s) + "\n").collect();
            text.push_str(&format!("({} of {} sessions)\n", page.items.len(), page.total));
            text
        })
    }

    pub fn message(&self, m: &ChatMessage) -> Result<()> {
        self.emit(m, || message_line(m))
    }

    pub fn messages(&self, list: &[ChatMessage]) -> Result<()> {
        self.emit(&list, || list.iter().map(message_line).collect())
    }

    pub fn done(&self, what: &str) -> Result<()> {
        self.emit(&serde_json::json!({ "ok": true, "message": what }), || format!("{what}\n"))
    }

    fn emit<T: Serialize + ?Sized>(&self, value: &T, text: impl FnOnce() -> String) -> Result<()> {
        let body = if self.json {
            serde_json::to_string_pretty(value).expect("domain types serialize") + "\n"
        } else {
            text()
        };
        // A closed pipe (`hearth … | head`) is not an error worth reporting.
        let _ = std::io::stdout().lock().write_all(body.as_bytes());
        Ok(())
    }
}

fn session_line(s: &Session) -> String {
    let docs = match s.rag_document_ids.len() {
        0 => String::new(),
        n => format!("  [{n} document{}]", if n == 1 { "" } else { "s" }),
    };
    format!("{}  {}  (model {}, active {}){docs}", s.id, s.name, s.llm_model_name, s.last_updated_at.to_rfc3339())
}

fn message_line(m: &ChatMessage) -> String {
    format!("#{} {} {}:\n{}\n\n", m.id, m.timestamp.to_rfc3339(), m.role.as_str(), m.content)
}
