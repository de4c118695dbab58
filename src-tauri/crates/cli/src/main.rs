//! `hearth`: the command line over Hearth's engine, on the same database as the desktop app.

mod args;
mod bench;
mod chat;
mod docs;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use hearth_core::Error;
use hearth_core::limits::Page;
use hearth_core::messages::{self, NewMessage};
use hearth_core::sessions::{self, NewSession};

use args::{
    BenchCommand, Cli, Command, DocsCommand, EvalCommand, IndexCommand, MessagesCommand, SessionsCommand,
    SettingsCommand,
};
use output::Out;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("HEARTH_LOG"))
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Distinct exit codes so scripts can tell "you asked wrong" from "it is not there" from "broken".
fn exit_code(err: &Error) -> u8 {
    match err {
        Error::InvalidInput(_) => 2,
        Error::NotFound { .. } => 3,
        Error::ModelUnavailable(_) => 4,
        Error::LlmUnavailable(_) => 5,
        Error::Storage { .. } | Error::Migration(_) | Error::Io { .. } | Error::Index(_) => 1,
    }
}

fn run(cli: Cli) -> hearth_core::Result<()> {
    let dir = match &cli.data_dir {
        Some(dir) => dir.clone(),
        None => hearth_core::paths::data_dir()?,
    };
    let db = hearth_core::open(&dir)?;
    let out = Out::new(cli.json);
    match cli.command {
        Command::Doctor => {
            let model = hearth_core::embedding::model_status(&hearth_core::embedding::locate_model_dir(None));
            out.health(&hearth_core::health(&db)?, &model)
        }
        Command::Sessions { command } => match command {
            SessionsCommand::Create { name, docs, model, tags } => {
                let new = NewSession { name, document_ids: docs, llm_model_name: model, tags };
                out.session(&sessions::create(&db, new)?)
            }
            SessionsCommand::List { page } => {
                out.session_page(&sessions::list(&db, Page::new(page.limit, page.offset)?)?)
            }
            SessionsCommand::Show { id } => out.session(&sessions::get(&db, &id)?),
            SessionsCommand::Rename { id, name } => out.session(&sessions::rename(&db, &id, &name)?),
            SessionsCommand::Rm { id } => {
                sessions::delete(&db, &id)?;
                out.done(&format!("deleted session {id}"))
            }
        },
        Command::Messages { command } => match command {
            MessagesCommand::Add { session, content, role } => {
                let new = NewMessage { content, role, metadata: None };
                out.message(&messages::add(&db, &session, new)?)
            }
            MessagesCommand::List { session, page } => {
                out.messages(&messages::list(&db, &session, Page::new(page.limit, page.offset)?)?)
            }
        },
        Command::Docs { command } => match command {
            DocsCommand::Add { paths } => docs::add(&db, &dir, &out, &paths),
            DocsCommand::List { page } => docs::list(&db, &out, Page::new(page.limit, page.offset)?),
            DocsCommand::Show { id, page } => docs::show(&db, &out, &id, Page::new(page.limit, page.offset)?),
            DocsCommand::Rm { id } => docs::rm(&db, &dir, &out, &id),
            DocsCommand::Cancel { id } => {
                let document = hearth_core::documents::cancel(&db, &id)?;
                out.done(&format!("cancelled {}", document.name))
            }
            DocsCommand::Retry { id } => docs::retry(&db, &dir, &out, &id),
        },
        Command::Eval { command: EvalCommand::Trec { dir } } => docs::eval_trec(&out, &dir),
        Command::Bench { command: BenchCommand::Ingest { paths } } => bench::ingest(&out, &paths),
        Command::Bench { command: BenchCommand::Search { chunks, queries } } => bench::search(&out, chunks, queries),
        Command::Bench { command: BenchCommand::Chat { chunks, turns } } => bench::chat(&out, chunks, turns),
        Command::Bench { command: BenchCommand::Sessions { count, repeats } } => bench::sessions(&out, count, repeats),
        Command::Chat { session, message } => chat::chat(&db, &dir, &out, &session, message.as_deref()),
        Command::Settings { command } => match command {
            SettingsCommand::Show => chat::show_settings(&db, &out),
            SettingsCommand::Llm(args) => chat::set_llm(&db, &out, args),
            SettingsCommand::Chat(args) => chat::set_chat(&db, &out, args),
        },
        Command::Search(query) => docs::search(&db, &dir, &out, &query),
        Command::Index { command: IndexCommand::Rebuild } => docs::rebuild_index(&db, &dir, &out),
    }
}
