//! `hearth bench …` and `hearth eval`: speed, memory and retrieval quality, each in a scratch
//! database (the library is not touched). The measuring is `hearth-bench`'s; this prints it.

use hearth_core::ingest::chunking::Structure;
use std::path::Path;

use hearth_bench::{Scratch, eval, queries, scratch_db};
use hearth_core::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::BenchCommand;
use crate::output::Out;

pub fn run(out: &Out, command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Ingest { paths } => {
            let scratch = Scratch::new()?;
            out.json_or_lines(&hearth_bench::ingest(&scratch.db, &scratch.model, &scratch.chunker, &paths)?)
        }
        BenchCommand::Search { chunks, queries: n } => {
            let scratch = Scratch::new()?;
            out.json_or_lines(&hearth_bench::search(&scratch.db, &scratch.model, chunks, &queries(n))?)
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
        BenchCommand::Pages { path, pages, width } => {
            out.json_or_lines(&hearth_bench::parsers::pages(&path, crate::parser_worker()?, pages, width)?)
        }
        BenchCommand::Folder { files, repeats } => out.json_or_lines(&hearth_bench::folder(files, repeats)?),
        BenchCommand::Sessions { count, repeats } => {
            let (_dir, db) = scratch_db()?;
            out.json_or_lines(&hearth_bench::sessions(&db, count, repeats)?)
        }
    }
}

/// Scores retrieval on a TREC collection, in a scratch database.
pub fn eval_trec(out: &Out, dir: &Path, structure: Structure) -> Result<()> {
    let scratch = Scratch::with_structure(structure)?;
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
