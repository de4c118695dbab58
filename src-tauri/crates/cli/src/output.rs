use std::io::Write;

use hearth_core::chat::llm::servers::DetectedServer;
use hearth_core::chat::{Reply, Retrieval};
use hearth_core::collections::Collection;
use hearth_core::ingest::Added;
use hearth_core::ingest::documents::{Document, DocumentPage, StoredChunk};
use hearth_core::ingest::watched::{Scan, WatchedFolder};
use hearth_core::models::discovery::FoundModel;
use hearth_core::models::embedding::ModelStatus;
use hearth_core::models::gguf::{GgufInfo, short_count};
use hearth_core::retrieval::{ComponentRank, Hit};
use hearth_core::sessions::messages::ChatMessage;
use hearth_core::sessions::transfer::Imported;
use hearth_core::sessions::{Scope, Session, SessionPage};
use hearth_core::store::backup::{BackupInfo, Restored};
use hearth_core::text;
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
            let found = page.found.iter().map(Some).chain(std::iter::repeat(None));
            let mut text: String = page
                .items
                .iter()
                .zip(found)
                .map(|(s, found)| match found.and_then(Option::as_deref) {
                    Some(words) => format!("{}\n    “{words}”\n", session_line(s)),
                    None => session_line(s) + "\n",
                })
                .collect();
            text.push_str(&format!("({} of {} sessions)\n", page.items.len(), page.total));
            text
        })
    }

    /// A collection and its documents' names (in the same order as its ids).
    pub fn collection(&self, c: &Collection, names: &[String]) -> Result<()> {
        self.emit(c, || {
            let docs: String =
                c.document_ids.iter().zip(names).map(|(id, name)| format!("    {id}  {name}\n")).collect();
            format!("{}\n{docs}", collection_line(c))
        })
    }

    pub fn collections(&self, list: &[Collection]) -> Result<()> {
        self.emit(&list, || {
            let mut text: String = list.iter().map(|c| collection_line(c) + "\n").collect();
            text.push_str(&format!("({} collection{})\n", list.len(), if list.len() == 1 { "" } else { "s" }));
            text
        })
    }

    pub fn scans(&self, scans: &[Scan]) -> Result<()> {
        self.emit(scans, || {
            scans
                .iter()
                .map(|s| {
                    let mut line = format!(
                        "{}: {} files; {} added, {} changed, {} moved, {} removed, {} still being written ({:.0} ms)\n",
                        s.folder.display(),
                        s.files,
                        s.added,
                        s.changed,
                        s.moved,
                        s.removed,
                        s.unsettled,
                        s.took_ms
                    );
                    for error in &s.errors {
                        line.push_str(&format!("    {error}\n"));
                    }
                    line
                })
                .collect()
        })
    }

    pub fn folders(&self, folders: &[WatchedFolder]) -> Result<()> {
        self.emit(folders, || {
            let mut text: String =
                folders.iter().map(|f| format!("{}  ({} documents)\n", f.path.display(), f.documents)).collect();
            text.push_str(&format!("({} watched folders)\n", folders.len()));
            text
        })
    }

    pub fn imported(&self, imported: &Imported) -> Result<()> {
        self.emit(imported, || {
            let mut text: String =
                imported.sessions.iter().map(|s| format!("imported {}\n", session_line(s))).collect();
            if !imported.missing_documents.is_empty() {
                text.push_str(&format!(
                    "not in this library (their citations show them as gone): {}\n",
                    imported.missing_documents.join(", ")
                ));
            }
            text
        })
    }

    pub fn backup(&self, b: &BackupInfo) -> Result<()> {
        self.emit(b, || format!("wrote {} ({})\n", b.path.display(), backup_line(b)))
    }

    pub fn restored(&self, r: &Restored) -> Result<()> {
        self.emit(r, || {
            let aside = match &r.previous {
                Some(path) => format!("; the previous database is at {}", path.display()),
                None => String::new(),
            };
            format!("restored {} ({}){aside}\n", r.backup.path.display(), backup_line(&r.backup))
        })
    }

    /// The backups a damaged database can be restored from, newest first.
    pub fn recoverable(&self, backups: &[BackupInfo]) -> Result<()> {
        self.emit(backups, || {
            if backups.is_empty() {
                return "no automatic backup passes its check; `hearth recover --fresh` starts an empty library with the damaged file kept aside\n".to_owned();
            }
            let mut text = String::from("backups that pass their check, newest first (`hearth restore FILE` puts one in place):\n");
            for b in backups {
                text += &format!("  {}  ({})\n", b.path.display(), backup_line(b));
            }
            text + "or `hearth recover --fresh` for an empty library (the damaged file is kept aside)\n"
        })
    }

    pub fn message(&self, m: &ChatMessage) -> Result<()> {
        self.emit(m, || message_line(m))
    }

    pub fn messages(&self, list: &[ChatMessage]) -> Result<()> {
        self.emit(&list, || list.iter().map(message_line).collect())
    }

    pub fn added(&self, results: &[std::result::Result<Added, (String, hearth_core::Error)>]) -> Result<()> {
        let value: Vec<serde_json::Value> = results
            .iter()
            .map(|r| match r {
                Ok(a) => serde_json::json!({ "document": a.document, "existing": a.existing }),
                Err((path, e)) => serde_json::json!({ "path": path, "error": e.to_string() }),
            })
            .collect();
        self.emit(&value, || {
            results
                .iter()
                .map(|r| match r {
                    Ok(a) if a.existing => format!("{}  {}  already in the library\n", a.document.id, a.document.name),
                    Ok(a) => format!("{}\n", document_line(&a.document)),
                    Err((path, e)) => format!("error  {path}: {e}\n"),
                })
                .collect()
        })
    }

    pub fn documents(&self, page: &DocumentPage) -> Result<()> {
        self.emit(page, || {
            let mut text: String = page.items.iter().map(|d| document_line(d) + "\n").collect();
            text.push_str(&format!("({} of {} documents)\n", page.items.len(), page.total));
            text
        })
    }

    pub fn document(&self, d: &Document, chunks: &[StoredChunk]) -> Result<()> {
        self.emit(&serde_json::json!({ "document": d, "chunks": chunks }), || {
            let mut text = document_line(d) + "\n\n";
            for c in chunks {
                let page = c.page.map(|p| format!(", page {p}")).unwrap_or_default();
                let path = if c.heading_path.is_empty() { String::new() } else { format!(" {}", c.heading_path) };
                text.push_str(&format!(
                    "--- chunk {}{page} ({} tokens, chars {}..{}){path}\n{}\n\n",
                    c.ordinal, c.token_count, c.char_start, c.char_end, c.text
                ));
            }
            text
        })
    }

    pub fn hits(&self, hits: &[Hit]) -> Result<()> {
        self.emit(hits, || {
            if hits.is_empty() {
                return "no results\n".to_owned();
            }
            hits.iter()
                .enumerate()
                .map(|(i, h)| {
                    let rank = |c: Option<ComponentRank>| c.map_or("-".to_owned(), |c| c.rank.to_string());
                    let page = h.page.map(|p| format!(", page {p}")).unwrap_or_default();
                    format!(
                        "[{}] {}{page}  score {:.4} (keyword #{}, vector #{})\n    {}\n",
                        i + 1,
                        h.document_name,
                        h.score,
                        rank(h.keyword),
                        rank(h.vector),
                        text::quote(&h.text, 200)
                    )
                })
                .collect()
        })
    }

    pub fn answers(&self, r: &hearth_bench::answers::AnswersReport) -> Result<()> {
        self.emit(r, || {
            let mut text = format!(
                "{} questions over {} documents ({} chunks); the answer is in the top {} passages for {:.0}%\n",
                r.questions,
                r.documents,
                r.chunks,
                5,
                r.retrieved * 100.0
            );
            text.push_str(&format!(
                "by page: hit@1 {:.0}%, hit@5 {:.0}% of the {} questions whose page is known\n",
                r.page_hit_at_1 * 100.0,
                r.page_hit_at_5 * 100.0,
                r.questions_with_page
            ));
            text.push_str("method                       first sentence  any quoted  sentences  ms/question\n");
            for m in &r.methods {
                text.push_str(&format!(
                    "{:<28} {:>13.0}%  {:>9.0}%  {:>9.2}  {:>11.1}\n",
                    m.method,
                    m.at_1 * 100.0,
                    m.at_3 * 100.0,
                    m.mean_sentences,
                    m.mean_ms
                ));
            }
            text
        })
    }

    pub fn eval(&self, r: &hearth_bench::eval::Report) -> Result<()> {
        self.emit(r, || {
            let mut text = format!(
                "{} documents ingested in {:.1} s; {} judged queries\n\n| mode | nDCG@10 | recall@100 | mean query ms |\n|---|---|---|---|\n",
                r.documents, r.ingest_seconds, r.queries
            );
            for m in &r.modes {
                text.push_str(&format!(
                    "| {:?} | {:.4} | {:.4} | {:.1} |\n",
                    m.mode, m.ndcg_at_10, m.recall_at_100, m.mean_query_ms
                ));
            }
            text
        })
    }

    /// Whether output is JSON (then nothing is streamed).
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// An assistant's answer: in text mode the answer was streamed already, so only its
    /// sources follow; in JSON mode the whole stored message.
    pub fn answer(&self, reply: &Reply) -> Result<()> {
        let record = &reply.record;
        self.emit(&reply.assistant, || {
            let mut text = String::from("\n");
            if !record.sources.is_empty() {
                text.push_str("\nSources:\n");
            }
            for s in &record.sources {
                let page = s.page.map(|p| format!(", page {p}")).unwrap_or_default();
                let n = s.n.map_or_else(|| "-".to_owned(), |n| n.to_string());
                text.push_str(&format!("  [{n}] {}{page}  (score {:.4})\n", s.document_name, s.score));
            }
            if let Retrieval::Skipped { skipped } = &record.retrieval {
                text.push_str(&format!("\n(no retrieval: {skipped})\n"));
            }
            text
        })
    }

    pub fn gguf(&self, info: &GgufInfo) -> Result<()> {
        self.emit(info, || {
            let context = info.trained_context.map_or_else(|| "unknown".to_owned(), |c| c.to_string());
            format!(
                "file:            {} ({:.1} MB)\nname:            {}\narchitecture:    {}\nparameters:      {} ({})\nquantization:    {}\ntrained context: {context} tokens\nchat template:   {}\n",
                info.file_name,
                info.size_bytes as f64 / 1e6,
                info.name.as_deref().unwrap_or("(not said)"),
                info.architecture.as_deref().unwrap_or("(not said)"),
                info.parameters,
                short_count(info.parameters),
                info.quantization,
                if info.has_chat_template { "in the file" } else { "none (ChatML is used)" },
            )
        })
    }

    /// The models found on this machine and the local servers, as `hearth models list` shows them.
    pub fn models(&self, files: &[FoundModel], servers: &[DetectedServer]) -> Result<()> {
        let value = serde_json::json!({ "files": files, "servers": servers });
        self.emit(&value, || {
            let mut text = format!("GGUF files found: {}\n", files.len());
            for m in files {
                let about = match (&m.info, &m.problem) {
                    (Some(i), _) => format!(
                        "{} params · {} · {} tokens trained · {:.0} MB",
                        short_count(i.parameters),
                        i.quantization,
                        i.trained_context.map_or_else(|| "?".to_owned(), |c| c.to_string()),
                        i.size_bytes as f64 / 1e6
                    ),
                    (None, Some(problem)) => format!("cannot be used: {problem}"),
                    (None, None) => String::new(),
                };
                text.push_str(&format!("  {} ({}) — {about}\n    {}\n", m.name, m.source.label(), m.path));
            }
            text.push_str("Servers on this machine:\n");
            for s in servers {
                let state = match &s.problem {
                    None if s.models.is_empty() => "running, no models listed".to_owned(),
                    None => format!("running — {}", s.models.join(", ")),
                    Some(problem) => problem.clone(),
                };
                text.push_str(&format!("  {} ({}): {state}\n", s.name, s.base_url));
            }
            text
        })
    }

    pub fn json_or_lines<T: Serialize>(&self, value: &T) -> Result<()> {
        self.emit(value, || serde_json::to_string_pretty(value).expect("reports serialize") + "\n")
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
        n => format!(" {n} document{} of its own", if n == 1 { "" } else { "s" }),
    };
    let docs = match s.scope {
        Scope::Library => format!("  [searches the whole library;{docs}]").replace(";]", "]"),
        Scope::Documents => format!("  [searches{}]", if docs.is_empty() { " nothing: no documents" } else { &docs }),
        Scope::Collection(id) => format!("  [searches collection {id};{docs}]").replace(";]", "]"),
    };
    let tags = if s.metadata_tags.is_empty() { String::new() } else { format!("  #{}", s.metadata_tags.join(" #")) };
    format!("{}  {}  (model {}, active {}){docs}{tags}", s.id, s.name, s.llm_model_name, s.last_updated_at.to_rfc3339())
}

fn backup_line(b: &BackupInfo) -> String {
    format!(
        "{:.1} MB: {} chats, {} messages, {} documents, schema {}",
        b.bytes as f64 / 1e6,
        b.sessions,
        b.messages,
        b.documents,
        b.schema_version
    )
}

fn collection_line(c: &Collection) -> String {
    let n = c.document_ids.len();
    format!("{}  {}  ({n} document{})", c.id, c.name, if n == 1 { "" } else { "s" })
}

fn document_line(d: &Document) -> String {
    let error = d.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default();
    let plural = if d.chunk_count == 1 { "" } else { "s" };
    format!("{}  {}  {} ({}, {} chunk{plural}){error}", d.id, d.name, d.status.as_str(), d.doc_type, d.chunk_count)
}

fn message_line(m: &ChatMessage) -> String {
    format!("#{} {} {}:\n{}\n\n", m.id, m.timestamp.to_rfc3339(), m.role.as_str(), m.content)
}
