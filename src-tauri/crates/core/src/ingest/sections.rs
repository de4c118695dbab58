//! A document cut into sections at its headings, before it is cut into chunks: each section is
//! the text under one heading on one page, with the path of headings above it. Headings are the
//! Markdown `#` lines that every structured format is extracted to (HTML, DOCX, Markdown, PDF);
//! they go into the path, never into a section's text, so no chunk is a heading alone. A
//! paragraph that runs from the end of a page onto the next stays whole, in its first page's
//! section.

use super::chunking::{PART_SEPARATOR, PageBox};
use super::extract::{Extracted, Markup};

/// A run of a document's text under one heading path: byte offsets into the parts joined by
/// [`PART_SEPARATOR`].
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub path: Vec<String>,
    pub start: usize,
    pub end: usize,
    /// Where the heading line that opened the section starts, if one did (so a short section
    /// joined to the next keeps its heading in the text).
    pub heading: Option<usize>,
}

/// A line of the joined text: byte offsets, and what it is.
struct TextLine<'t> {
    start: usize,
    text: &'t str,
    /// The first line of its part.
    part_start: bool,
    heading: Option<(usize, &'t str)>,
}

/// The document's sections, in order. Plain text has no headings: each part is one section.
pub fn sections(document: &Extracted) -> Vec<Section> {
    let lines = lines(document);
    let mut sections: Vec<Section> = Vec::new();
    let mut path: Vec<(usize, String)> = Vec::new();
    let mut open: Option<Section> = None;
    let mut last_heading: Option<usize> = None;
    // The open section ended at a page's end in the middle of a paragraph.
    let mut mid_paragraph = false;
    // The open section holds a paragraph carried over a page break, not ended yet.
    let mut carrying = false;
    for (i, line) in lines.iter().enumerate() {
        if let Some((level, title)) = line.heading {
            sections.extend(open.take());
            carrying = false;
            path.retain(|(l, _)| *l < level);
            path.push((level, title.to_owned()));
            last_heading = Some(line.start);
            continue;
        }
        let blank = line.text.trim().is_empty();
        if line.part_start {
            // One page break is carried over; a paragraph still going at the next is cut there.
            let goes_on =
                mid_paragraph && !carrying && line.text.trim_start().chars().next().is_some_and(char::is_lowercase);
            if !goes_on {
                sections.extend(open.take());
            }
            carrying = goes_on;
        }
        if blank {
            // The carried paragraph ends here: the rest of its page starts a section of its own,
            // on its own page.
            if carrying {
                sections.extend(open.take());
                carrying = false;
            }
            continue;
        }
        let end = line.start + line.text.len();
        match open.as_mut() {
            Some(section) => section.end = end,
            None => {
                let path = path.iter().map(|(_, t)| t.clone()).collect();
                open = Some(Section { path, start: line.start, end, heading: last_heading.take() })
            }
        }
        // Whether the page ends here, inside a paragraph (no sentence end, no blank line after).
        let last_of_part = lines.get(i + 1).is_none_or(|next| next.part_start);
        mid_paragraph = last_of_part && !line.text.trim_end().ends_with(['.', '!', '?', ':', ';']);
    }
    sections.extend(open);
    if sections.is_empty() {
        // Nothing but headings: they are the text.
        let full_len = lines.last().map_or(0, |l| l.start + l.text.len());
        if lines.iter().any(|l| !l.text.trim().is_empty()) {
            sections.push(Section { path: Vec::new(), start: 0, end: full_len, heading: None });
        }
    }
    merge_small(&lines, sections)
}

/// A section shorter than this (bytes, about 60 tokens) joins the next one on its page.
const MIN_SECTION_BYTES: usize = 300;

/// Joins a short section (a few lines under a heading) with the section after it on the same
/// page, under the headings they share: a passage of a line or two says too little to be found
/// by its meaning, and next to its siblings it keeps its context.
fn merge_small(lines: &[TextLine<'_>], sections: Vec<Section>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::with_capacity(sections.len());
    let mut pending: Option<Section> = None;
    for section in sections {
        let section = match pending.take() {
            Some(small) if first_part_start(lines, small.start, section.start + 1).is_none() => {
                let shared = small.path.iter().zip(&section.path).take_while(|(a, b)| a == b).count();
                // Headings the two do not share stay in the text, where the path no longer has them.
                let start = if shared < small.path.len() { small.heading.unwrap_or(small.start) } else { small.start };
                Section { path: section.path[..shared].to_vec(), start, end: section.end, heading: None }
            }
            Some(small) => {
                out.push(small);
                section
            }
            None => section,
        };
        if section.end - section.start < MIN_SECTION_BYTES {
            pending = Some(section);
        } else {
            out.push(section);
        }
    }
    out.extend(pending);
    out
}

/// Each part as one section, headings left in its text (what chunking did before sections).
pub fn whole_parts(document: &Extracted) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut offset = 0;
    for part in &document.parts {
        if !part.text.trim().is_empty() {
            sections.push(Section { path: Vec::new(), start: offset, end: offset + part.text.len(), heading: None });
        }
        offset += part.text.len() + PART_SEPARATOR.len();
    }
    sections
}

/// Every line of the joined parts, headings recognised outside code fences.
fn lines(document: &Extracted) -> Vec<TextLine<'_>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for part in &document.parts {
        let mut fenced = false;
        let mut line_start = offset;
        for (n, text) in part.text.split('\n').enumerate() {
            let fence = text.trim_start().starts_with("```");
            let heading = if document.markup == Markup::Markdown && !fenced && !fence { heading(text) } else { None };
            if fence {
                fenced = !fenced;
            }
            lines.push(TextLine { start: line_start, text, part_start: n == 0, heading });
            line_start += text.len() + 1;
        }
        offset += part.text.len() + PART_SEPARATOR.len();
    }
    lines
}

/// `## Title` → (2, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    let title = line[hashes..].strip_prefix(' ')?.trim();
    ((1..=6).contains(&hashes) && !title.is_empty()).then_some((hashes, title.trim_end_matches('#').trim()))
}

/// The index of the first line that starts a part strictly after byte `after` and before byte
/// `before` (lines are in text order, so this is a binary search and a short walk).
fn first_part_start(lines: &[TextLine<'_>], after: usize, before: usize) -> Option<usize> {
    let from = lines.partition_point(|l| l.start <= after);
    lines[from..].iter().take_while(|l| l.start < before).position(|l| l.part_start).map(|i| from + i)
}

/// Where each part starts in the joined text (in characters), with its page: for finding the
/// page of a character by binary search, and placing the parts' line boxes in the joined text.
pub struct PageStarts(Vec<(usize, Option<u32>)>);

impl PageStarts {
    pub fn of(document: &Extracted) -> PageStarts {
        let mut start = 0;
        let mut starts = Vec::with_capacity(document.parts.len());
        for part in &document.parts {
            starts.push((start, part.page));
            start += part.text.chars().count() + PART_SEPARATOR.len();
        }
        PageStarts(starts)
    }

    /// The page of the part holding character `char_offset` (a separator counts with the part
    /// before it).
    pub fn page_at(&self, char_offset: usize) -> Option<u32> {
        let after = self.0.partition_point(|(start, _)| *start <= char_offset);
        self.0.get(after.saturating_sub(1)).and_then(|(_, page)| *page)
    }

    /// The lowest OCR confidence of the parts of `document` (the one these starts are of) that
    /// characters `start..end` fall in; `None` when none of them was read by OCR.
    pub fn ocr_confidence(&self, document: &Extracted, start: usize, end: usize) -> Option<f32> {
        document
            .parts
            .iter()
            .zip(&self.0)
            .filter(|(part, (part_start, _))| {
                let part_end = part_start + part.text.chars().count();
                *part_start < end.max(start + 1) && start < part_end.max(*part_start + 1)
            })
            .filter_map(|(part, _)| part.ocr_confidence)
            .reduce(f32::min)
    }

    /// Every line box of `document` (the one these starts are of) with its character range in
    /// the joined text.
    pub fn boxes(&self, document: &Extracted) -> Vec<(usize, usize, PageBox)> {
        let mut boxes = Vec::new();
        for (part, (start, page)) in document.parts.iter().zip(&self.0) {
            let Some(page) = *page else { continue };
            for line in &part.lines {
                let b = PageBox { page, rect: line.rect };
                boxes.push((start + line.start as usize, start + line.end as usize, b));
            }
        }
        boxes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::extract::Part;

    fn document(markup: Markup, pages: &[&str]) -> Extracted {
        let parts = pages
            .iter()
            .zip(1..)
            .map(|(text, page)| Part { page: Some(page), text: (*text).to_owned(), ..Part::default() })
            .collect();
        Extracted { parts, pages: Some(pages.len() as u32), markup, title: None, ocr_pages: 0 }
    }

    fn texts<'d>(full: &'d str, sections: &[Section]) -> Vec<(String, &'d str)> {
        sections.iter().map(|s| (s.path.join(" › "), &full[s.start..s.end])).collect()
    }

    /// A paragraph long enough to be a section of its own.
    fn long(words: &str) -> String {
        format!("{words} {}", "and so on, at some length. ".repeat(12))
    }

    #[test]
    fn headings_make_the_path_and_are_never_text() {
        let (intro, run, comment, use_it) = (long("Intro text"), long("Run it"), long("# a comment"), long("Use it"));
        let text = format!(
            "# Guide\n\n{intro}\n\n## Install\n\n{run}\n\n### Linux\n\n```\n{comment}\n```\n\n## Use\n\n{use_it}"
        );
        let doc = document(Markup::Markdown, &[&text]);
        let fenced = format!("```\n{comment}\n```");
        assert_eq!(
            texts(&text, &sections(&doc)),
            [
                ("Guide".into(), intro.as_str()),
                ("Guide › Install".into(), run.as_str()),
                ("Guide › Install › Linux".into(), fenced.as_str()),
                ("Guide › Use".into(), use_it.as_str()),
            ]
        );
    }

    #[test]
    fn a_short_section_joins_the_next_on_its_page_under_the_headings_they_share() {
        let (long_one, last) = (long("Long enough"), long("Last"));
        let text = format!("# A\n\n## B\n\nShort.\n\n## C\n\n{long_one}\n\n## D\n\nShort again.");
        let doc = document(Markup::Markdown, &[&text, &last]);
        let full = format!("{text}{PART_SEPARATOR}{last}");
        let joined = format!("## B\n\nShort.\n\n## C\n\n{long_one}");
        // The short section at a page's end has nothing after it on its page: it stays alone.
        assert_eq!(
            texts(&full, &sections(&doc)),
            [("A".into(), joined.as_str()), ("A › D".into(), "Short again."), ("A › D".into(), last.as_str())]
        );
    }

    #[test]
    fn a_heading_alone_makes_no_section_and_pages_start_sections() {
        let doc = document(Markup::Markdown, &["# Contents", "# One\n\nFirst page.", "Second page."]);
        let full = doc.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(PART_SEPARATOR);
        assert_eq!(texts(&full, &sections(&doc)), [("One".into(), "First page."), ("One".into(), "Second page.")]);
    }

    #[test]
    fn a_paragraph_carried_over_a_page_break_stays_whole() {
        let doc = document(
            Markup::Markdown,
            &["# A\n\nThe sentence runs on", "onto the next page.\n\nThen a new paragraph.", "Third page."],
        );
        let full = doc.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(PART_SEPARATOR);
        assert_eq!(
            texts(&full, &sections(&doc)),
            [
                ("A".into(), "The sentence runs on\n\nonto the next page."),
                ("A".into(), "Then a new paragraph."),
                ("A".into(), "Third page."),
            ]
        );
        let carried = &sections(&doc)[0];
        let pages = PageStarts::of(&doc);
        assert_eq!(pages.page_at(full[..carried.end].chars().count() - 1), Some(2));
        assert_eq!(pages.page_at(carried.start), Some(1));
        assert_eq!(pages.page_at(0), Some(1));
        assert_eq!(pages.page_at(full.chars().count() - 1), Some(3));
    }
}
