//! A PDF's pages as a reader sees them, rebuilt from PDFium's text lines and their character
//! boxes: the running heads and footers that repeat at the top and bottom of the pages (page
//! numbers included) dropped, table-of-contents lines with dot leaders ("5 R Add-On Packages
//! . . . . . 23") dropped, headings recognised (the PDF's outline, else a larger font or a bold
//! numbered line) and written as Markdown headings, monospaced lines kept as lines in a code
//! block, other lines joined into paragraphs (a word hyphenated across a line break made whole).
//! Every line keeps its box, so a passage can be highlighted on the rendered page.

use std::collections::HashMap;

use super::{LineBox, Part};
use crate::text;

/// Lines at the top and at the bottom of a page looked at for running heads and footers.
const EDGE_LINES: usize = 2;
/// A line repeated at a page's edge on at least this share of the pages is furniture (books
/// alternate their running heads between left and right pages, so each is on just under half).
const REPEATED_SHARE: f64 = 0.4;
/// ... and on at least this many pages.
const REPEATED_MIN: usize = 3;
/// Fewer pages than this, and nothing counts as repeated.
const MIN_PAGES: usize = 4;
/// A line this much larger than the body text is a heading.
const HEADING_SIZE_RATIO: f32 = 1.15;
/// Headings are short.
const HEADING_MAX_WORDS: usize = 20;

/// A line of a page as PDFium laid it out. Boxes are in PDF points, origin at the page's
/// bottom left: `[left, bottom, right, top]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub rect: [f32; 4],
    /// The largest font size on the line, in points.
    pub size: f32,
    pub bold: bool,
    /// Set in a fixed-pitch font (code, commands, terminal output).
    pub mono: bool,
    /// Read by OCR: its size is its box's, not a font's, so it says nothing of headings.
    pub ocr: bool,
}

/// One page's lines, in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLines {
    pub lines: Vec<Line>,
}

/// An entry of the PDF's outline (bookmarks): a heading, its depth (1 = top) and its page.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub level: usize,
    /// 0-based page index.
    pub page: usize,
}

/// What a line is, once the whole document has been looked at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Heading(usize),
    Code,
    Body,
}

/// Builds each page's text (Markdown-like: `#` headings, paragraphs, fenced code) with the box
/// of every line that went into it.
pub fn layout(pages: &[PageLines], outline: &[OutlineEntry]) -> Vec<Part> {
    let edges: Vec<Vec<usize>> = pages.iter().map(edge_lines).collect();
    let furniture = running_lines(pages, &edges);
    let body = body_size(pages);
    let heading_sizes = heading_sizes(pages, body);
    pages
        .iter()
        .zip(&edges)
        .enumerate()
        .map(|(index, (page, edges))| {
            if is_contents_page(page) {
                return Part { page: Some(index as u32 + 1), ..Part::default() };
            }
            let kept: Vec<&Line> = page
                .lines
                .iter()
                .enumerate()
                .filter(|(i, line)| {
                    let running = edges.contains(i) && furniture.contains_key(&shape(&line.text));
                    !running && !is_leader_line(&line.text) && !line.text.trim().is_empty()
                })
                .map(|(_, line)| line)
                .collect();
            let titles: Vec<(&OutlineEntry, String)> =
                outline.iter().filter(|e| e.page == index).map(|e| (e, normalized(&e.title))).collect();
            let kinds = classify(&kept, &titles, body, &heading_sizes);
            let mut part = write(&kept, &kinds, body);
            part.page = Some(index as u32 + 1);
            part
        })
        .collect()
}

/// The font size most of the text is set in.
fn body_size(pages: &[PageLines]) -> f32 {
    let mut weight: HashMap<u32, usize> = HashMap::new();
    for line in pages.iter().flat_map(|p| &p.lines).filter(|l| !l.mono && !l.ocr) {
        *weight.entry((line.size * 2.0).round() as u32).or_default() += line.text.len();
    }
    weight.into_iter().max_by_key(|(size, chars)| (*chars, *size)).map(|(size, _)| size as f32 / 2.0).unwrap_or(10.0)
}

/// The sizes larger than the body that short lines are set in, largest first: their rank is the
/// level of a heading that the outline does not name.
fn heading_sizes(pages: &[PageLines], body: f32) -> Vec<f32> {
    let mut sizes: Vec<f32> = pages
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|l| !l.ocr && l.size >= body * HEADING_SIZE_RATIO && words(&l.text) <= HEADING_MAX_WORDS)
        .map(|l| (l.size * 2.0).round() / 2.0)
        .collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    sizes.dedup();
    sizes
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Letters and digits only, lower case, without a leading section number: how a line is
/// compared with an outline title (outlines often leave the numbers out).
fn normalized(text: &str) -> String {
    let text = text.trim_start();
    let unnumbered = match numbered_depth(text) {
        Some(_) => text.split_once(char::is_whitespace).map_or(text, |(_, rest)| rest),
        None => text,
    };
    unnumbered.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether a line (normalized) starts the outline title `title` (normalized): the whole title,
/// or at least half of it (a title set on two lines), never a word or two that happen to begin
/// it ("first." against "First response to package management troubles").
fn starts_title(key: &str, title: &str) -> bool {
    !key.is_empty() && title.starts_with(key) && key.len() * 2 >= title.len()
}

/// "3.2 Title" → 2 (the depth of a section number), when the line starts with one.
fn numbered_depth(text: &str) -> Option<usize> {
    let number = text.split_whitespace().next()?;
    let number = number.trim_end_matches('.');
    let parts: Vec<&str> = number.split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()));
    (numeric && words(text) >= 2).then_some(parts.len())
}

/// What each line is; `titles` are the page's outline entries with their normalized titles.
fn classify(lines: &[&Line], titles: &[(&OutlineEntry, String)], body: f32, heading_sizes: &[f32]) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(lines.len());
    // What is left of an outline title that a previous line started (a title set on two lines).
    let mut pending: Option<(String, usize)> = None;
    for line in lines {
        let key = normalized(&line.text);
        if let Some((rest, level)) = pending.take()
            && !key.is_empty()
            && rest.starts_with(&key)
        {
            kinds.push(Kind::Heading(level));
            let rest = rest[key.len()..].to_owned();
            pending = (!rest.is_empty()).then_some((rest, level));
            continue;
        }
        let from_outline = titles.iter().find(|(_, title)| starts_title(&key, title));
        let short = words(&line.text) <= HEADING_MAX_WORDS;
        let kind = if let Some((entry, title)) = from_outline.filter(|_| short && !line.mono) {
            let rest = title[key.len()..].to_owned();
            pending = (!rest.is_empty()).then_some((rest, entry.level));
            Kind::Heading(entry.level)
        } else if line.mono && (lines_mono(lines, kinds.len()) || is_command(&line.text)) {
            Kind::Code
        } else if short && !line.ocr && line.size >= body * HEADING_SIZE_RATIO {
            let rounded = (line.size * 2.0).round() / 2.0;
            let rank = heading_sizes.iter().position(|s| *s <= rounded).unwrap_or(heading_sizes.len());
            Kind::Heading(rank + 1)
        } else if let Some(depth) = numbered_depth(&line.text).filter(|_| line.bold && short) {
            Kind::Heading(depth)
        } else {
            Kind::Body
        };
        kinds.push(kind);
    }
    kinds
}

/// Whether the line at `i` is one of at least two monospaced lines in a row: a lone monospaced
/// line is a command or a name inside prose (or a table cell), and flows with it.
fn lines_mono(lines: &[&Line], i: usize) -> bool {
    let before = i > 0 && lines[i - 1].mono;
    let after = lines.get(i + 1).is_some_and(|l| l.mono);
    before || after
}

/// A shell command as printed in a manual: a prompt, then the command ("# poweroff -i -f").
fn is_command(text: &str) -> bool {
    ["# ", "$ ", "% "].iter().any(|prompt| text.trim_start().starts_with(prompt))
}

/// Whether `next` starts a new paragraph after `previous` (both body lines).
fn new_paragraph(previous: &Line, next: &Line, right_edge: f32) -> bool {
    let size = previous.size.max(next.size);
    let gap = previous.rect[1] - next.rect[3];
    let moved_up = next.rect[3] > previous.rect[3] + size;
    let indented = next.rect[0] > previous.rect[0] + size;
    let outdented = next.rect[0] < previous.rect[0] - size;
    let ended = previous.text.trim_end().ends_with(['.', ':', '!', '?']);
    let short = previous.rect[2] < right_edge - 3.0 * size;
    moved_up || gap > 0.6 * size || (ended && (short || indented || outdented))
}

/// Writes the page: blocks separated by a blank line, each line's box kept with the characters
/// it became.
fn write(lines: &[&Line], kinds: &[Kind], body: f32) -> Part {
    let right_edge = lines.iter().filter(|l| !l.mono).map(|l| l.rect[2]).fold(0.0, f32::max);
    let mut out = Writer::default();
    let mut i = 0;
    while i < lines.len() {
        let kind = kinds[i];
        let mut end = i + 1;
        while end < lines.len()
            && kinds[end] == kind
            && match kind {
                Kind::Heading(_) => lines[end].size >= lines[end - 1].size * 0.9 && words(&lines[end].text) > 0,
                Kind::Code => lines[end - 1].rect[1] - lines[end].rect[3] < 1.5 * lines[end].size,
                Kind::Body => !new_paragraph(lines[end - 1], lines[end], right_edge),
            }
        {
            end += 1;
        }
        let block = &lines[i..end];
        match kind {
            Kind::Heading(level) => {
                out.start_block(&format!("{} ", "#".repeat(level.clamp(1, 6))));
                out.joined(block);
            }
            Kind::Body => {
                out.start_block(text::paragraph_escape(&block[0].text));
                out.joined(block);
            }
            Kind::Code => {
                out.start_block("```\n");
                let left = block.iter().map(|l| l.rect[0]).fold(f32::MAX, f32::min);
                let width = block
                    .iter()
                    .map(|l| (l.rect[2] - l.rect[0]) / l.text.trim().chars().count().max(1) as f32)
                    .fold(f32::MAX, f32::min)
                    .max(body * 0.3);
                for (n, line) in block.iter().enumerate() {
                    if n > 0 {
                        out.push("\n");
                    }
                    let indent = ((line.rect[0] - left) / width).round().max(0.0) as usize;
                    out.push(&" ".repeat(indent.min(40)));
                    out.line(line, line.text.trim());
                }
                out.push("\n```");
            }
        }
        i = end;
    }
    out.finish()
}

/// Text with the boxes of the lines written into it.
#[derive(Default)]
struct Writer {
    text: String,
    chars: usize,
    boxes: Vec<LineBox>,
}

impl Writer {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.chars += text.chars().count();
    }

    fn start_block(&mut self, prefix: &str) {
        if !self.text.is_empty() {
            self.push("\n\n");
        }
        self.push(prefix);
    }

    fn line(&mut self, line: &Line, text: &str) {
        let start = self.chars;
        self.push(text);
        self.boxes.push(LineBox { start: start as u32, end: self.chars as u32, rect: line.rect });
    }

    /// Lines joined with a space, or with nothing where a word was hyphenated at a line's end
    /// and goes on in lower case ("rec-" + "ommended"; "well-" + "Known" stays).
    fn joined(&mut self, lines: &[&Line]) {
        let mut glued = true;
        for (n, line) in lines.iter().enumerate() {
            if !glued {
                self.push(" ");
            }
            let text = line.text.trim();
            let next_goes_on =
                lines.get(n + 1).and_then(|l| l.text.trim_start().chars().next()).is_some_and(char::is_lowercase);
            let broken =
                next_goes_on && text.ends_with('-') && text.chars().rev().nth(1).is_some_and(char::is_alphabetic);
            self.line(line, if broken { &text[..text.len() - 1] } else { text });
            glued = broken;
        }
    }

    fn finish(self) -> Part {
        Part { text: self.text, lines: self.boxes, ..Part::default() }
    }
}

/// The indexes of the lines at the top and the bottom of a page, by position.
fn edge_lines(page: &PageLines) -> Vec<usize> {
    let mut order: Vec<usize> = (0..page.lines.len()).filter(|&i| !page.lines[i].text.trim().is_empty()).collect();
    order.sort_by(|&a, &b| page.lines[b].rect[3].total_cmp(&page.lines[a].rect[3]));
    let mut edges: Vec<usize> = order.iter().take(EDGE_LINES).copied().collect();
    edges.extend(order.iter().rev().take(EDGE_LINES));
    edges
}

/// A line with its numbers made one symbol, so "Page 12" and "Page 13" (or "Reference iv" and
/// "Reference v") are the same furniture.
fn shape(line: &str) -> String {
    let roman = |w: &str| !w.is_empty() && w.chars().all(|c| "ivxlcIVXLC".contains(c));
    let line: Vec<&str> = line.split_whitespace().map(|w| if roman(w) { "0" } else { w }).collect();
    let line = line.join(" ");
    let mut out = String::with_capacity(line.len());
    let mut in_number = false;
    for c in line.trim().chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// The shapes of lines found at the top or bottom edge of at least half the pages.
/// `edges` are each page's [`edge_lines`].
fn running_lines(pages: &[PageLines], edges: &[Vec<usize>]) -> HashMap<String, usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    if pages.len() < MIN_PAGES {
        return seen;
    }
    for (page, edges) in pages.iter().zip(edges) {
        let mut edges: Vec<String> = edges.iter().map(|&i| shape(&page.lines[i].text)).collect();
        edges.sort();
        edges.dedup();
        for edge in edges.into_iter().filter(|e| !e.is_empty()) {
            *seen.entry(edge).or_default() += 1;
        }
    }
    let needed = ((pages.len() as f64 * REPEATED_SHARE).ceil() as usize).max(REPEATED_MIN);
    seen.retain(|_, count| *count >= needed);
    seen
}

/// Lines that end in a page number make up most of a contents (or index) page.
const CONTENTS_SHARE: f64 = 0.6;
/// A page with fewer lines is never taken for a contents page.
const CONTENTS_MIN_LINES: usize = 6;

/// A table of contents or an index without dot leaders: most lines are a title and a page number.
fn is_contents_page(page: &PageLines) -> bool {
    let lines: Vec<&str> = page.lines.iter().map(|l| l.text.trim()).filter(|t| !t.is_empty()).collect();
    let numbered = lines.iter().filter(|l| ends_in_page_number(l) || is_leader_line(l)).count();
    numbered >= CONTENTS_MIN_LINES && numbered as f64 >= lines.len() as f64 * CONTENTS_SHARE
}

/// "Canvas size 32": words, then a page number (not a sentence that ends in a number).
fn ends_in_page_number(line: &str) -> bool {
    let Some((before, last)) = line.rsplit_once(char::is_whitespace) else { return false };
    let number = last.len() <= 4 && last.chars().all(|c| c.is_ascii_digit());
    number && before.chars().any(char::is_alphabetic) && !before.trim_end().ends_with(['.', ':', '='])
}

/// A table-of-contents line: text, a run of dot leaders, a page number.
fn is_leader_line(line: &str) -> bool {
    let trimmed = line.trim_end();
    let without_number = trimmed.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    if without_number.len() == trimmed.len() {
        return false;
    }
    let dots =
        without_number.chars().rev().take_while(|c| *c == '.' || *c == ' ' || *c == '·').filter(|c| *c != ' ').count();
    dots >= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line at height `top` (lines 14 pt apart), 11 pt body text.
    fn line(text: &str, left: f32, top: f32) -> Line {
        let right = left + 5.5 * text.chars().count() as f32;
        Line {
            text: text.into(),
            rect: [left, top - 12.0, right.min(540.0), top],
            size: 11.0,
            bold: false,
            mono: false,
            ocr: false,
        }
    }

    fn page(lines: Vec<Line>) -> PageLines {
        PageLines { lines }
    }

    fn texts(parts: &[Part]) -> Vec<&str> {
        parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn running_heads_footers_and_page_numbers_go() {
        let pages: Vec<PageLines> = ["The first page says one thing.", "The second.", "A third page.", "The fourth."]
            .iter()
            .enumerate()
            .map(|(n, body)| {
                page(vec![
                    line("Debian Reference", 72.0, 770.0),
                    line(body, 72.0, 700.0),
                    line(&format!("{}", n + 1), 300.0, 40.0),
                ])
            })
            .collect();
        let parts = layout(&pages, &[]);
        assert_eq!(texts(&parts), ["The first page says one thing.", "The second.", "A third page.", "The fourth."]);
        assert_eq!(parts[1].page, Some(2));
    }

    #[test]
    fn lines_become_paragraphs_with_hyphenated_words_joined_and_boxes_kept() {
        let pages = [page(vec![
            line("It is rec-", 72.0, 700.0),
            line("ommended to read the instructions.", 72.0, 686.0),
            line("A new paragraph starts after a gap.", 72.0, 650.0),
        ])];
        let parts = layout(&pages, &[]);
        assert_eq!(parts[0].text, "It is recommended to read the instructions.\n\nA new paragraph starts after a gap.");
        let boxes = &parts[0].lines;
        assert_eq!(boxes.len(), 3);
        assert_eq!((boxes[0].start, boxes[0].end), (0, 9), "\"It is rec\"");
        assert_eq!(boxes[1].start, 9);
        assert_eq!(boxes[1].rect, pages[0].lines[1].rect);
        assert_eq!(boxes[2].start, 45);
    }

    #[test]
    fn a_root_prompt_is_never_a_heading() {
        let command = Line { mono: true, ..line("# poweroff -i -f", 72.0, 686.0) };
        let pages = [page(vec![
            line("Shut it down from the single-user mode:", 72.0, 700.0),
            command,
            line("# is also the sign of a comment.", 72.0, 650.0),
        ])];
        assert_eq!(
            layout(&pages, &[])[0].text,
            "Shut it down from the single-user mode:\n\n```\n# poweroff -i -f\n```\n\n\\# is also the sign of a comment."
        );
    }

    #[test]
    fn a_contents_page_without_leaders_is_left_out() {
        let titles =
            ["Copyright 21", "Introduction 21", "Seeking-assistance 22", "New features 23", "Deprecated syntax 29"];
        let mut lines: Vec<Line> =
            titles.iter().enumerate().map(|(n, t)| line(t, 72.0, 700.0 - 14.0 * n as f32)).collect();
        lines.push(line("Demos and Online Examples 30", 72.0, 600.0));
        let prose = page(vec![
            line("Set the range with xrange 1 to 10 and then", 72.0, 700.0),
            line("plot it. It takes 2 seconds.", 72.0, 686.0),
        ]);
        let parts = layout(&[page(lines), prose], &[]);
        assert_eq!(parts[0].text, "");
        assert_eq!(parts[1].text, "Set the range with xrange 1 to 10 and then plot it. It takes 2 seconds.");
    }

    #[test]
    fn dot_leaders_go_headings_from_size_or_outline_and_code_stays_lines() {
        let mut title = line("Getting Started", 72.0, 760.0);
        title.size = 17.0;
        let mut numbered = line("2.1 Installing it", 72.0, 730.0);
        numbered.bold = true;
        let code = |text: &str, left: f32, top: f32| Line { mono: true, ..line(text, left, top) };
        let pages = [page(vec![
            line("Contents", 72.0, 790.0),
            line("5 R Add-On Packages . . . . . . 23", 72.0, 776.0),
            title,
            numbered,
            line("Type the following:", 72.0, 712.0),
            code("for f in *; do", 72.0, 690.0),
            code("echo $f", 94.0, 676.0),
            code("done", 72.0, 662.0),
            line("Outline names this heading", 72.0, 630.0),
            line("on two lines", 72.0, 616.0),
            line("And then the text.", 72.0, 590.0),
        ])];
        let outline = [OutlineEntry { title: "Outline names this heading on two lines".into(), level: 3, page: 0 }];
        let parts = layout(&pages, &outline);
        assert_eq!(
            parts[0].text,
            "Contents\n\n# Getting Started\n\n## 2.1 Installing it\n\nType the following:\n\n```\nfor f in *; do\n    \
             echo $f\ndone\n```\n\n### Outline names this heading on two lines\n\nAnd then the text."
        );
    }
}
