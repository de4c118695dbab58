//! `hearth bench …`: speed and memory, in a temporary database.

use std::path::PathBuf;

use hearth_core::{Result, bench};

use crate::docs::scratch_library;
use crate::output::Out;

/// Questions of the kind people ask their documents; repeated to make up the query count.
const QUERIES: &[&str] = &[
    "how does the lens make the light visible far out at sea",
    "what temperature should the oven be for bread",
    "battery voltage drops under load",
    "signal strength of the antenna in a storm",
    "which enzyme breaks down the protein",
    "orbit of the planet around the star",
    "when is the tax invoice due under the contract",
    "soil and seed for a vegetable garden",
    "network memory matrix engine",
    "glacier melting into the river",
];

pub fn ingest(out: &Out, paths: &[PathBuf]) -> Result<()> {
    let (_scratch, db, model, chunker) = scratch_library()?;
    out.json_or_lines(&bench::ingest(&db, &model, &chunker, paths)?)
}

pub fn search(out: &Out, chunks: usize, queries: usize) -> Result<()> {
    let (_scratch, db, model, _) = scratch_library()?;
    let queries: Vec<&str> = QUERIES.iter().copied().cycle().take(queries.max(1)).collect();
    out.json_or_lines(&bench::search(&db, &model, chunks, &queries)?)
}

pub fn chat(out: &Out, chunks: usize, turns: usize) -> Result<()> {
    let (_scratch, db, model, chunker) = scratch_library()?;
    let questions: Vec<&str> = QUERIES.iter().copied().cycle().take(turns.max(1)).collect();
    out.json_or_lines(&bench::chat(&db, &model, &chunker, chunks, &questions)?)
}

pub fn sessions(out: &Out, count: usize, repeats: usize) -> Result<()> {
    let scratch = tempfile::tempdir()
        .map_err(|source| hearth_core::Error::Io { context: "making a scratch directory".into(), source })?;
    let db = hearth_core::open(scratch.path())?;
    out.json_or_lines(&bench::sessions(&db, count, repeats)?)
}
