use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hearth_core::models::embedding::EmbeddingCompute;
use hearth_core::retrieval::Mode;
use hearth_core::sessions::messages::Role;
use hearth_core::settings::LlmBackendKind;
use hearth_core::store::model_choice::ModelChoice;
use hearth_core::{DocumentId, SessionId};

/// Chat with your own documents, from the terminal. Uses the same database as the Hearth app.
#[derive(Debug, Parser)]
#[command(name = "hearth", version)]
pub struct Cli {
    /// The data directory (default: $HEARTH_DATA_DIR, else the per-user application data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show where the data lives and the database's schema version.
    Doctor,
    /// The document reader the engine starts in a child process (not for people).
    #[command(hide = true)]
    ParserWorker,
    /// Create, list, show, rename and delete chat sessions.
    Sessions {
        #[command(subcommand)]
        command: SessionsCommand,
    },
    /// Named sets of library documents that a chat can be limited to.
    Collections {
        #[command(subcommand)]
        command: CollectionsCommand,
    },
    /// Add and list a session's messages.
    Messages {
        #[command(subcommand)]
        command: MessagesCommand,
    },
    /// Add, list, show and remove documents in the library.
    Docs {
        #[command(subcommand)]
        command: DocsCommand,
    },
    /// Measure speed and memory (in a temporary database; the library is not touched).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Measure retrieval quality on a test collection.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Ask a question in a chat (answers from its documents); without a message, a loop.
    Chat { session: SessionId, message: Option<String> },
    /// Show or change the chat and language-model settings.
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Search the library's documents.
    Search(SearchArgs),
    /// Chat models: read a GGUF file's header, or make one the model that answers.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Folders kept in sync with the library: their documents added, changed files indexed
    /// again, deleted ones removed (the app watches them as they change; here, scan now).
    Folders {
        #[command(subcommand)]
        command: FoldersCommand,
    },
    /// Write a consistent copy of the database to FILE (the app may keep running).
    Backup { file: PathBuf },
    /// Replace the database by a backup, after checking it (close the app first); the current
    /// database is kept aside.
    Restore { file: PathBuf },
    /// A damaged database (Hearth refuses to use one): list the automatic backups that pass
    /// their check, to `restore`; or `--fresh` to set the damaged file aside and start an empty
    /// library.
    Recover {
        #[arg(long)]
        fresh: bool,
    },
    /// The vector index (derived from the database; rebuilt on its own when stale).
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
}

/// What `hearth search` takes.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    pub query: String,
    /// Only these documents (ids).
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub docs: Option<Vec<DocumentId>>,
    /// hybrid (keyword and meaning, fused), vector (meaning) or keyword.
    #[arg(long, default_value = "hybrid")]
    pub mode: Mode,
    /// How many results.
    #[arg(short, default_value_t = 10)]
    pub k: usize,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print every setting (an API key shows as "(set)").
    Show,
    /// The language model: `--backend openai-compatible --url http://127.0.0.1:8080/v1`.
    Llm(LlmSettingsArgs),
    /// Retrieval and prompt: top N, history turns, context window, instructions.
    Chat(ChatSettingsArgs),
    /// New documents: chunk sizes, and how the embedding model computes (applies at the next
    /// start, which embeds the library again).
    Documents(DocumentSettingsArgs),
}

#[derive(Debug, clap::Args)]
pub struct DocumentSettingsArgs {
    #[arg(long)]
    pub chunk_tokens: Option<usize>,
    #[arg(long)]
    pub overlap_tokens: Option<usize>,
    /// auto, int8 or fp32.
    #[arg(long)]
    pub compute: Option<EmbeddingCompute>,
    /// Read text in scanned pages and images (OCR): on or off.
    #[arg(long, value_parser = clap::builder::BoolishValueParser::new())]
    pub ocr: Option<bool>,
    /// The resolution scanned pages are drawn at for OCR, in dots per inch (100 to 400).
    #[arg(long)]
    pub ocr_dpi: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct LlmSettingsArgs {
    /// extractive (no model: quote the best sentences), openai-compatible or local.
    #[arg(long)]
    pub backend: Option<LlmBackendKind>,
    /// The server's base URL (…/v1).
    #[arg(long)]
    pub url: Option<String>,
    /// An API key, if the server wants one ("" clears it).
    #[arg(long)]
    pub api_key: Option<String>,
    /// Seconds to wait for the answer to start.
    #[arg(long)]
    pub timeout: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct ChatSettingsArgs {
    #[arg(long)]
    pub top_n: Option<usize>,
    #[arg(long)]
    pub history_turns: Option<usize>,
    #[arg(long)]
    pub context_tokens: Option<usize>,
    #[arg(long)]
    pub answer_tokens: Option<usize>,
    #[arg(long)]
    pub instructions: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Show what a GGUF file's header says (name, parameters, quantization, trained context),
    /// without loading the model.
    Show { file: PathBuf },
    /// The model new chats use: a GGUF file run in Hearth itself, `ollama:NAME` (Ollama on this
    /// machine), `URL#NAME` (a model of an OpenAI-compatible server), or `extractive` (no model:
    /// quote the sentences that answer).
    Use {
        model: ModelChoice,
        /// CPU threads, for a file (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// List the GGUF files found where LM Studio, GPT4All, Jan, Ollama and llama.cpp keep them
    /// (and in added folders), and which local servers answer, with their models.
    List,
    /// Add a folder to look for GGUF files in.
    AddFolder { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Rebuild the vector index from the stored vectors, and the keyword index from the passages.
    Rebuild,
    /// After a change of embedding model: compute the new model's vectors now (the app does it
    /// in the background), then switch search to them and delete the old ones.
    Reembed,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Ingest files (a folder: the documents in it) and print chunks/s, tokens/s, the share
    /// spent embedding, and peak RSS.
    Ingest {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How the embedding model computes: auto (int8 where this processor is fast at it, as
        /// the app does), int8 or fp32.
        #[arg(long, default_value = "auto")]
        compute: EmbeddingCompute,
        /// Process the files strictly one after another (extraction not overlapped with
        /// embedding), to measure what the overlap gains.
        #[arg(long)]
        no_overlap: bool,
        /// The resolution scanned pages are drawn at for OCR, in dots per inch.
        #[arg(long, default_value_t = hearth_core::ingest::extract::ExtractOptions::DEFAULT_OCR_DPI)]
        ocr_dpi: u32,
        /// Leave pages without a text layer unread (Settings → OCR off), to measure without OCR.
        #[arg(long)]
        no_ocr: bool,
        /// Read the documents in this process instead of a parser worker (the app and `hearth
        /// docs add` use a worker; its peak memory is reported apart).
        #[arg(long)]
        in_process: bool,
    },
    /// Write a copy of a PDF whose pages are only images of themselves, as a scanner makes them
    /// (no text layer; the text known), to measure and test OCR.
    Scan {
        input: PathBuf,
        output: PathBuf,
        /// The resolution the pages are drawn at.
        #[arg(long, default_value_t = 200)]
        dpi: u32,
        /// Only these pages (1-based; the others are copied as they are).
        #[arg(long, value_delimiter = ',')]
        pages: Option<Vec<u32>>,
    },
    /// Kill -9 at random moments, N times, then check that nothing was lost: `hearth docs add`
    /// of new files, chat turns answered by a GGUF model, and (with --app, under a display) the
    /// desktop app ingesting a watched folder, each killed after a random delay; after each kill
    /// the library must open whole, finish the interrupted work, and agree with its indexes.
    Crash {
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// The desktop app's executable, killed every third round (needs a display).
        #[arg(long)]
        app: Option<PathBuf>,
        /// The GGUF model that answers (default: the provisioned tiny chat model).
        #[arg(long)]
        gguf: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Seed N synthetic chunks and print search latency percentiles per mode, and peak RSS.
    Search {
        #[arg(long, default_value_t = 100_000)]
        chunks: usize,
        #[arg(long, default_value_t = 50)]
        queries: usize,
        /// Seed a library in this data directory and keep it, to open the app on it
        /// (`tests/e2e/measure-scale.mjs`) or measure it again (a library it already holds is
        /// measured as it is), instead of a scratch one.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Watch a scratch folder of N small files and time its scans: the first (every file read
    /// and queued), unchanged (none read), and after 10 files changed.
    Folder {
        #[arg(long, default_value_t = 10_000)]
        files: usize,
        #[arg(long, default_value_t = 5)]
        repeats: usize,
    },
    /// Create N chats with a message each and time the sidebar's queries (first page, a deep
    /// page, a filter).
    Sessions {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(long, default_value_t = 50)]
        repeats: usize,
    },
    /// Run a GGUF model here and print prefill and decode tokens/s, time to first token, what
    /// the KV cache saves on a second prompt with the same start, and peak RSS.
    Llm {
        file: PathBuf,
        #[arg(long, default_value_t = 512)]
        prompt_tokens: usize,
        #[arg(long, default_value_t = 128)]
        answer_tokens: usize,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Parse files in this process and in a parser worker (as the app does), alternately, and
    /// print the worker's start and its cost per file.
    Parsers {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Scan some of a PDF's pages (images at 300 dpi, no text layer), read them by OCR at each
    /// resolution, and print pages/s, word recall against the original's text layer, and peak RSS.
    Ocr {
        path: PathBuf,
        #[arg(long, default_value = "150,200,300", value_delimiter = ',')]
        dpi: Vec<u32>,
        /// The first page scanned (1-based).
        #[arg(long, default_value_t = 1)]
        from: u32,
        #[arg(long, default_value_t = 10)]
        pages: u32,
    },
    /// Draw a PDF's first pages in the parser worker, as the page view asks for them, and print
    /// the time per page and the image size.
    Pages {
        path: PathBuf,
        #[arg(long, default_value_t = 20)]
        pages: u32,
        /// Pixels wide (the view's width × the screen's pixel ratio).
        #[arg(long, default_value_t = 1280)]
        width: u32,
    },
    /// Seed N synthetic chunks, attach five documents to a chat, and print what a turn costs
    /// apart from the language model (p50/p99), and peak RSS.
    Chat {
        #[arg(long, default_value_t = 100_000)]
        chunks: usize,
        #[arg(long, default_value_t = 50)]
        turns: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Ingest a TREC collection (corpus/*.trec, query-text.trec, qrels) into a temporary database
    /// and print nDCG@10 and recall@100 for each search mode.
    Trec {
        dir: PathBuf,
        /// Leave a part of the documents' structure out of chunking, to measure what it adds.
        #[arg(long, value_enum)]
        without: Vec<Without>,
        /// How the embedding model computes: auto (int8 where this processor is fast at it, as
        /// the app does), int8 or fp32.
        #[arg(long, default_value = "auto")]
        compute: EmbeddingCompute,
    },
    /// Score the answer given with no model (the quoted sentences) on a question set (JSON:
    /// documents, and questions each with words of the sentence that answers): how often the
    /// first quoted sentence, or any, holds the answer, for each way of picking sentences; and
    /// how often a retrieved passage is from the page that answers.
    Answers {
        set: PathBuf,
        /// Leave a part of the documents' structure out of chunking, to measure what it adds.
        #[arg(long, value_enum)]
        without: Vec<Without>,
        /// How the embedding model computes: auto (int8 where this processor is fast at it, as
        /// the app does), int8 or fp32.
        #[arg(long, default_value = "auto")]
        compute: EmbeddingCompute,
    },
}

/// A part of a document's structure that chunking can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Without {
    /// Cutting at headings (each page or file is split as one text, headings in it).
    Sections,
    /// The title and heading path embedded and indexed ahead of each passage.
    Context,
}

impl Without {
    /// The chunker's structure with `without` left out.
    pub fn structure(without: &[Without]) -> hearth_core::ingest::chunking::Structure {
        hearth_core::ingest::chunking::Structure {
            sections: !without.contains(&Without::Sections),
            context: !without.contains(&Without::Context),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Add files: extract, chunk, embed and index them (PDF, DOCX, HTML, Markdown, text).
    Add {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List documents, newest first.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// Show a document and its chunks.
    Show {
        id: DocumentId,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Remove a document from the library and from every session.
    Rm { id: DocumentId },
    /// Cancel a queued or in-progress document (for example one the app is processing).
    Cancel { id: DocumentId },
    /// Retry a failed or cancelled document, or re-index a ready one.
    Retry { id: DocumentId },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Create a session.
    Create {
        /// Its name (default: "New chat").
        #[arg(long)]
        name: Option<String>,
        /// Ids of documents to attach.
        #[arg(long, num_args = 1.., value_name = "ID")]
        docs: Vec<DocumentId>,
        /// Which of the server's models to ask (default: the chosen model; see `models use`).
        #[arg(long)]
        model: Option<String>,
        /// A tag; repeat for more.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Set what a session searches.
    Scope {
        id: SessionId,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// List sessions, most recently active first.
    List {
        #[command(flatten)]
        page: PageArgs,
        /// Only chats whose name contains these words, or whose messages hold them all.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one session.
    Show { id: SessionId },
    /// Rename a session.
    Rename { id: SessionId, name: String },
    /// Switch the model that answers a session (a file, ollama:NAME, URL#NAME or extractive).
    Model { id: SessionId, model: ModelChoice },
    /// Delete a session and all its messages.
    Rm { id: SessionId },
    /// Export a chat (or --all) as Markdown, to read, or JSON, everything (to stdout, or -o FILE).
    Export {
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<SessionId>,
        /// Every chat.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "md")]
        format: ExportFormat,
        /// Write here instead of to standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import the chats of a JSON export as new chats.
    Import { file: PathBuf },
    /// Set a chat's tags (yours are never changed by automatic tagging); --auto tags it from
    /// what it is about again.
    Tag {
        id: SessionId,
        #[arg(required_unless_present = "auto", conflicts_with = "auto")]
        tags: Vec<String>,
        #[arg(long)]
        auto: bool,
    },
}

/// How a chat is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Markdown: the conversation, citations as footnotes.
    Md,
    /// JSON: everything, each answer's record included (what `import` reads).
    Json,
}

/// What a chat searches, as typed.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// What the chat searches (default: its --docs if given, else the whole library).
    #[arg(long, value_enum)]
    pub scope: Option<ScopeKind>,
    /// The collection (name or id) for --scope collection.
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
}

/// The kinds of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeKind {
    /// Every ready document in the library (an empty document list means everything).
    Library,
    /// Only the chat's own documents.
    Documents,
    /// A collection's documents (with --collection), and the chat's own.
    Collection,
}

#[derive(Debug, Subcommand)]
pub enum CollectionsCommand {
    /// Create a collection.
    Create {
        name: String,
        /// Ids of documents to put in it.
        #[arg(long, num_args = 1.., value_name = "ID")]
        docs: Vec<DocumentId>,
    },
    /// List collections, by name.
    List,
    /// Show a collection (by name or id) and its documents.
    Show { collection: String },
    /// Add documents to a collection.
    Add {
        collection: String,
        #[arg(required = true)]
        docs: Vec<DocumentId>,
    },
    /// Take documents out of a collection (they stay in the library).
    Remove {
        collection: String,
        #[arg(required = true)]
        docs: Vec<DocumentId>,
    },
    /// Rename a collection.
    Rename { collection: String, name: String },
    /// Delete a collection (its documents stay; its chats then search the whole library).
    Rm { collection: String },
}

#[derive(Debug, Subcommand)]
pub enum FoldersCommand {
    /// Watch a folder: its documents are added now, and kept in sync from then on.
    Watch { folder: PathBuf },
    /// List the watched folders.
    List,
    /// Scan every watched folder (or one) now and process what changed.
    Scan { folder: Option<PathBuf> },
    /// Stop watching a folder (its documents stay in the library).
    Unwatch { folder: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum MessagesCommand {
    /// Add a message to a session.
    Add {
        session: SessionId,
        content: String,
        /// user, assistant or system.
        #[arg(long)]
        role: Option<Role>,
    },
    /// List a session's messages, oldest first.
    List {
        session: SessionId,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// Signed on purpose: a negative value reaches the engine and gets its clear error.
#[derive(Debug, Args)]
pub struct PageArgs {
    #[arg(long, default_value_t = 50, allow_negative_numbers = true)]
    pub limit: i64,
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub offset: i64,
}
