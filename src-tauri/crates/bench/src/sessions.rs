//! `hearth bench sessions`: the sidebar's queries with many chats.

use std::time::Instant;

use serde::Serialize;

use hearth_core::Result;
use hearth_core::sessions::messages::{self, NewMessage};
use hearth_core::sessions::{self, NewSession};
use hearth_core::store::page::MAX_PAGE_OFFSET;
use hearth_core::store::{Database, Page};

use super::{Latency, peak_rss_mb};

/// What listing many sessions measured.
#[derive(Debug, Clone, Serialize)]
pub struct SessionsReport {
    pub sessions: usize,
    pub seed_seconds: f64,
    /// The first page of 50, most recently active first (what the sidebar loads).
    pub first_page: Latency,
    /// A page deep in the list (offset 9,000 at 10,000 sessions).
    pub deep_page: Latency,
    /// The first page filtered by a word fragment ("volcano"), in names and in messages.
    pub filtered: Latency,
    /// The first page of chats found by two words said in them (a quarter of all chats), with
    /// the words around each match.
    pub searched: Latency,
    pub peak_rss_mb: Option<f64>,
}

/// Creates `n` sessions with a question each, then times the sidebar's queries `repeats` times.
pub fn sessions(db: &Database, n: usize, repeats: usize) -> Result<SessionsReport> {
    let started = Instant::now();
    for i in 0..n {
        let topic = ["lighthouses", "sourdough", "tides", "volcanoes"][i % 4];
        let name = format!("Chat {i} about {topic}");
        let session = sessions::create(db, NewSession { name: Some(name), ..Default::default() })?;
        let content = format!("Question {i}: what do the documents say about {topic} in spring and in winter?");
        messages::add(db, session.id, NewMessage { content, ..Default::default() })?;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    let time = |run: &dyn Fn() -> Result<()>| -> Result<Latency> {
        let mut samples = Vec::with_capacity(repeats);
        for _ in 0..repeats.max(1) {
            let t = Instant::now();
            run()?;
            samples.push(t.elapsed());
        }
        Ok(Latency::of(samples))
    };
    let deep = (n * 9 / 10).min(MAX_PAGE_OFFSET as usize) as i64;
    Ok(SessionsReport {
        sessions: n,
        seed_seconds,
        first_page: time(&|| sessions::list(db, Page::new(50, 0)?).map(drop))?,
        deep_page: time(&|| sessions::list(db, Page::new(50, deep)?).map(drop))?,
        filtered: time(&|| sessions::list_matching(db, "volcano", Page::new(50, 0)?).map(drop))?,
        searched: time(&|| sessions::list_matching(db, "tides winter", Page::new(50, 0)?).map(drop))?,
        peak_rss_mb: peak_rss_mb(),
    })
}
