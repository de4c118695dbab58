//! `hearth`: the command line over Hearth's engine, on the same database as the desktop app.
//! It parses arguments and prints results; the work is the engine's ([`hearth_core::Engine`]),
//! the same façade the desktop shell drives.

mod args;
mod bench;
mod chat;
mod collections;
mod docs;
mod folders;
mod output;
mod transfer;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use hearth_core::Engine;
use hearth_core::models::embedding::locate_model_dir;
use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::Page;

use args::{
    Cli, Command, DocsCommand, EvalCommand, IndexCommand, MessagesCommand, ModelsCommand, SessionsCommand,
    SettingsCommand, Without,
};
use hearth_core::ingest::extract::{PARSE_TIMEOUT, WorkerCommand};
use hearth_core::store::model_choice::ModelChoice;
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
            ExitCode::from(err.code().exit_status())
        }
    }
}

/// `hearth recover`: the backups to restore a damaged database from, or (`--fresh`) the damaged
/// file set aside for an empty library.
fn recover(out: &Out, dir: &std::path::Path, fresh: bool) -> hearth_core::Result<()> {
    use hearth_core::store::integrity;
    if fresh {
        let aside = integrity::set_aside(dir)?;
        return out.done(&format!(
            "the damaged database is kept at {}; the next start opens an empty library",
            aside.display()
        ));
    }
    let backups = integrity::usable_backups(dir)?;
    out.recoverable(&backups)
}

fn run(cli: Cli) -> hearth_core::Result<()> {
    let out = Out::new(cli.json);
    match cli.command {
        // The engine's document reader, in a child process: nothing else.
        Command::ParserWorker => hearth_core::ingest::extract::worker::serve(),
        // Measurements run in scratch databases of their own: the library is not even opened.
        Command::Eval { command: EvalCommand::Trec { dir, without, compute } } => {
            bench::eval_trec(&out, &dir, Without::structure(&without), compute)
        }
        Command::Eval { command: EvalCommand::Answers { set, without, compute } } => {
            out.answers(&hearth_bench::answers::answers(&set, Without::structure(&without), compute)?)
        }
        Command::Bench { command } => bench::run(&out, command),
        command => {
            let dir = match &cli.data_dir {
                Some(dir) => dir.clone(),
                None => hearth_core::store::paths::data_dir()?,
            };
            // A restore replaces the database: it must not be open, here or anywhere.
            if let Command::Restore { file } = command {
                return out.restored(&hearth_core::store::backup::restore(&dir, &file)?);
            }
            if let Command::Recover { fresh } = command {
                return recover(&out, &dir, fresh);
            }
            let engine = Engine::open(&dir, &locate_model_dir(None))?;
            // Documents are parsed in a child process of this executable (`parser-worker`).
            engine.use_parser_worker(parser_worker()?, PARSE_TIMEOUT);
            on_library(&engine, &out, command)
        }
    }
}

/// This executable in its parser-worker mode: how the engine starts its document reader.
pub fn parser_worker() -> hearth_core::Result<WorkerCommand> {
    let program = std::env::current_exe()
        .map_err(|source| hearth_core::Error::Io { context: "finding the hearth executable".into(), source })?;
    Ok(WorkerCommand::new(program, &["parser-worker"]))
}

/// A model choice in words.
fn describe(choice: &ModelChoice) -> String {
    match choice {
        ModelChoice::Extractive => "no model: the sentences that answer, quoted".to_owned(),
        ModelChoice::File(path) => format!("{}, run here", path.display()),
        ModelChoice::Server { base_url, model } => format!("{model} at {base_url}"),
    }
}

/// The commands that work on the person's library.
fn on_library(engine: &Engine, out: &Out, command: Command) -> hearth_core::Result<()> {
    let db = engine.db();
    match command {
        Command::Doctor => out.health(&hearth_core::health(db)?, &engine.model_status()),
        Command::Sessions { command } => match command {
            SessionsCommand::Create { name, docs, model, tags, scope } => {
                let scope = collections::scope_of(db, &scope)?;
                let new = NewSession { name, document_ids: docs, llm_model_name: model, tags, scope };
                out.session(&sessions::create(db, new)?)
            }
            SessionsCommand::Scope { id, scope } => {
                let scope = collections::scope_of(db, &scope)?.ok_or_else(|| {
                    hearth_core::Error::InvalidInput(
                        "say what the chat searches: --scope library|documents|collection".into(),
                    )
                })?;
                out.session(&sessions::scope::set(db, id, scope)?)
            }
            SessionsCommand::List { page, search } => out.session_page(&sessions::list_matching(
                db,
                search.as_deref().unwrap_or_default(),
                Page::new(page.limit, page.offset)?,
            )?),
            SessionsCommand::Show { id } => out.session(&sessions::get(db, id)?),
            SessionsCommand::Rename { id, name } => out.session(&sessions::rename(db, id, &name)?),
            SessionsCommand::Model { id, model } => out.session(&engine.set_session_model(id, &model)?),
            SessionsCommand::Rm { id } => {
                sessions::delete(db, id)?;
                out.done(&format!("deleted session {id}"))
            }
            SessionsCommand::Export { id, all: _, format, output } => transfer::export(db, out, id, format, output),
            SessionsCommand::Import { file } => transfer::import(db, out, &file),
            SessionsCommand::Tag { id, tags, auto } => {
                let session = sessions::tags::set(db, id, if auto { &[] } else { &tags })?;
                if auto {
                    sessions::tags::refresh(db, id)?;
                }
                out.session(&sessions::get(db, session.id)?)
            }
        },
        Command::Collections { command } => collections::run(db, out, command),
        Command::Folders { command } => folders::run(engine, out, command),
        Command::Backup { file } => out.backup(&engine.backup_to(&file)?),
        Command::Restore { .. } | Command::Recover { .. } => {
            unreachable!("restoring and recovering never open the library")
        }
        Command::Messages { command } => match command {
            MessagesCommand::Add { session, content, role } => {
                let new = NewMessage { content, role, metadata: None };
                out.message(&messages::add(db, session, new)?)
            }
            MessagesCommand::List { session, page } => {
                out.messages(&messages::list(db, session, Page::new(page.limit, page.offset)?)?)
            }
        },
        Command::Docs { command } => match command {
            DocsCommand::Add { paths } => docs::add(engine, out, &paths),
            DocsCommand::List { page } => docs::list(engine, out, Page::new(page.limit, page.offset)?),
            DocsCommand::Show { id, page } => docs::show(engine, out, id, Page::new(page.limit, page.offset)?),
            DocsCommand::Rm { id } => {
                engine.delete_document(id)?;
                out.done(&format!("deleted document {id}"))
            }
            DocsCommand::Cancel { id } => {
                let document = engine.cancel_document(id)?;
                out.done(&format!("cancelled {}", document.name))
            }
            DocsCommand::Retry { id } => docs::retry(engine, out, id),
        },
        Command::Chat { session, message } => chat::chat(engine, out, session, message.as_deref()),
        Command::Settings { command } => match command {
            SettingsCommand::Show => chat::show_settings(engine, out),
            SettingsCommand::Llm(args) => chat::set_llm(engine, out, args),
            SettingsCommand::Chat(args) => chat::set_chat(db, out, args),
            SettingsCommand::Documents(args) => chat::set_documents(engine, out, args),
        },
        Command::Search(query) => docs::search(engine, out, query),
        Command::Models { command: ModelsCommand::Show { file } } => out.gguf(&hearth_core::models::gguf::read(&file)?),
        Command::Models { command: ModelsCommand::Use { model: ModelChoice::File(file), threads } } => {
            let info = engine.use_local_model(&file, threads)?;
            out.done(&format!("new chats answer with {} ({}), run here", info.label(), file.display()))
        }
        Command::Models { command: ModelsCommand::Use { model, .. } } => {
            let choice = engine.use_model(&model)?;
            out.done(&format!("new chats answer with {}", describe(&choice)))
        }
        Command::Models { command: ModelsCommand::List } => {
            out.models(&engine.find_models()?, &engine.detect_servers())
        }
        Command::Models { command: ModelsCommand::AddFolder { dir } } => {
            let dir = engine.add_model_folder(&dir)?;
            out.done(&format!("GGUF files in {} are listed by `hearth models list`", dir.display()))
        }
        Command::Index { command: IndexCommand::Reembed } => {
            let mut last = None;
            while let Some(progress) = engine.reembed_step()? {
                last = Some(progress);
            }
            match last {
                Some(p) => out.done(&format!("embedded {} passages for the new model; search uses it now", p.total)),
                None => out.done("every passage already has the current model's vector"),
            }
        }
        Command::Index { command: IndexCommand::Rebuild } => {
            let count = engine.rebuild_index()?;
            out.done(&format!(
                "rebuilt the vector index ({count} vectors) and the keyword index in {}",
                engine.data_dir().join("index").display()
            ))
        }
        Command::Eval { command: EvalCommand::Trec { .. } | EvalCommand::Answers { .. } } => {
            unreachable!("measurements are run before the library is opened")
        }
        Command::Bench { command } => bench::run(out, command),
        Command::ParserWorker => hearth_core::ingest::extract::worker::serve(),
    }
}
