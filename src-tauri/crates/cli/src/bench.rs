//! `hearth bench …` and `hearth eval`: speed, memory and retrieval quality, each in a scratch
//! database (the library is not touched). The measuring is `hearth-bench`'s; this prints it.

use hearth_core::ingest::chunking::Structure;
use std::path::Path;

use hearth_bench::{Scratch, eval, queries, scratch_db};
use hearth_core::Error;
use hearth_core::Result;
use hearth_core::ingest::extract::{ExtractOptions, PARSE_TIMEOUT, Parsers};
use hearth_core::models::embedding::EmbeddingCompute;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::BenchCommand;
use crate::output::Out;

pub fn run(out: &Out, command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Ingest { paths, compute, no_overlap, ocr_dpi, no_ocr, in_process } => {
            let scratch = Scratch::with(Structure::default(), compute)?;
            let worker;
            let parsers = if in_process {
                Parsers::in_process()
            } else {
                worker = Parsers::in_worker(crate::parser_worker()?, PARSE_TIMEOUT);
                &worker
            };
            out.json_or_lines(&hearth_bench::ingest(
                &scratch.db,
                &scratch.model,
                &scratch.chunker,
                &paths,
                !no_overlap,
                parsers,
                ExtractOptions { ocr_dpi: (!no_ocr).then_some(ocr_dpi) },
            )?)
        }
        BenchCommand::Scan { input, output, dpi, pages } => {
            let bytes = std::fs::read(&input)
                .map_err(|source| Error::Io { context: format!("reading {}", input.display()), source })?;
            let copy = hearth_core::ingest::extract::pdf::scanned_copy(&bytes, dpi, pages.as_deref())?;
            std::fs::write(&output, &copy)
                .map_err(|source| Error::Io { context: format!("writing {}", output.display()), source })?;
            out.done(&format!("{} ({} bytes): {} scanned at {dpi} dpi", output.display(), copy.len(), input.display()))
        }
        BenchCommand::Search { chunks, queries: n, keep: None } => {
            let scratch = Scratch::new()?;
            out.json_or_lines(&hearth_bench::search(&scratch.db, &scratch.model, chunks, &queries(n))?)
        }
        BenchCommand::Search { chunks, queries: n, keep: Some(dir) } => {
            let scratch = Scratch::new()?;
            let db = hearth_core::open(&dir)?;
            out.json_or_lines(&hearth_bench::search(&db, &scratch.model, chunks, &queries(n))?)
        }
        BenchCommand::Chat { chunks, turns } => {
            let scratch = Scratch::new()?;
            out.json_or_lines(&hearth_bench::chat(
                &scratch.db,
                &scratch.model,
                &scratch.chunker,
                chunks,
                &queries(turns),
            )?)
        }
        BenchCommand::Llm { file, prompt_tokens, answer_tokens, threads } => {
            out.json_or_lines(&hearth_bench::llm(&file, prompt_tokens, answer_tokens, threads)?)
        }
        BenchCommand::Parsers { paths, rounds } => {
            out.json_or_lines(&hearth_bench::parsers::parsers(&paths, crate::parser_worker()?, rounds)?)
        }
        BenchCommand::Ocr { path, dpi, from, pages } => {
            out.json_or_lines(&hearth_bench::ocr::ocr(&path, &dpi, from, pages)?)
        }
        BenchCommand::Pages { path, pages, width } => {
            out.json_or_lines(&hearth_bench::parsers::pages(&path, crate::parser_worker()?, pages, width)?)
        }
        BenchCommand::Crash { rounds, app, gguf, seed } => {
            let hearth = std::env::current_exe()
                .map_err(|source| hearth_core::Error::Io { context: "finding this executable".into(), source })?;
            let base = hearth_core::models::embedding::locate_model_dir(None);
            let gguf = gguf.unwrap_or_else(|| {
                base.with_file_name("smollm2-135m-instruct").join("SmolLM2-135M-Instruct.Q4_1.gguf")
            });
            let plan =
                hearth_bench::crash::CrashPlan { hearth: &hearth, app: app.as_deref(), gguf: &gguf, rounds, seed };
            let bar = ProgressBar::new(rounds as u64).with_style(
                ProgressStyle::with_template("kill -9 {bar:30} {pos}/{len} rounds").expect("valid template"),
            );
            let report = hearth_bench::crash::crash(&plan, &mut |round| {
                bar.inc(1);
                bar.println(format!(
                    "{:>6} killed after {:>5} ms{}: {} documents and {} left working; finishing took {} ms; {}",
                    round.action,
                    round.killed_after_ms,
                    if round.finished_first { " (had finished)" } else { "" },
                    round.interrupted_documents,
                    if round.interrupted_turn { "a turn" } else { "no turn" },
                    round.finish_ms,
                    if round.failures.is_empty() { "all checks hold".to_owned() } else { round.failures.join("; ") }
                ))
            })?;
            bar.finish_and_clear();
            out.json_or_lines(&report)
        }
        BenchCommand::Folder { files, repeats } => out.json_or_lines(&hearth_bench::folder(files, repeats)?),
        BenchCommand::Sessions { count, repeats } => {
            let (_dir, db) = scratch_db()?;
            out.json_or_lines(&hearth_bench::sessions(&db, count, repeats)?)
        }
    }
}

/// Scores retrieval on a TREC collection, in a scratch database.
pub fn eval_trec(out: &Out, dir: &Path, structure: Structure, compute: EmbeddingCompute) -> Result<()> {
    let scratch = Scratch::with(structure, compute)?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("ingesting {bar:30} {pos}/{len} documents ({per_sec}, {eta})")
            .expect("valid template"),
    );
    let report = eval::run_trec(&scratch.db, &scratch.model, &scratch.chunker, dir, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    out.eval(&report)
}
