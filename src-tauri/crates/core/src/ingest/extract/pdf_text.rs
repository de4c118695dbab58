//! A PDF's page text as a reader sees it: the running heads and footers that repeat at the top
//! and bottom of the pages (page numbers included) dropped, table-of-contents lines with dot
//! leaders ("5 R Add-On Packages . . . . . 23") dropped, and words hyphenated across a line break
//! joined ("rec-" + "ommended").

use std::collections::HashMap;

/// Lines at the top and at the bottom of a page looked at for running heads and footers.
const EDGE_LINES: usize = 2;
/// A line repeated at a page's edge on at least this share of the pages is furniture.
const REPEATED_SHARE: f64 = 0.5;
/// Fewer pages than this, and nothing counts as repeated.
const MIN_PAGES: usize = 4;

/// Cleans every page's text (see the module docs); the pages stay in order, one text each.
pub fn clean(pages: &[String]) -> Vec<String> {
    let furniture = running_lines(pages);
    pages
        .iter()
        .map(|page| {
            let lines: Vec<&str> = page.lines().collect();
            let last = lines.len();
            let kept: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, line)| {
                    let at_edge = *i < EDGE_LINES || *i + EDGE_LINES >= last;
                    let running = at_edge && furniture.contains_key(&shape(line));
                    !running && !is_leader_line(line)
                })
                .map(|(_, line)| *line)
                .collect();
            join_hyphenated(&kept)
        })
        .collect()
}

/// A line with its digits made one symbol, so "Page 12" and "Page 13" are the same furniture.
fn shape(line: &str) -> String {
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
fn running_lines(pages: &[String]) -> HashMap<String, usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    if pages.len() < MIN_PAGES {
        return seen;
    }
    for page in pages {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut edges: Vec<String> = lines.iter().take(EDGE_LINES).map(|l| shape(l)).collect();
        edges.extend(lines.iter().rev().take(EDGE_LINES).map(|l| shape(l)));
        edges.sort();
        edges.dedup();
        for edge in edges.into_iter().filter(|e| !e.is_empty()) {
            *seen.entry(edge).or_default() += 1;
        }
    }
    let needed = (pages.len() as f64 * REPEATED_SHARE).ceil() as usize;
    seen.retain(|_, count| *count >= needed);
    seen
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

/// Lines joined back into one text, with a word broken by a hyphen at a line's end made whole
/// when the next line goes on in lower case ("well-known" at a line's end stays).
fn join_hyphenated(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut glued = false;
    for (i, line) in lines.iter().enumerate() {
        let line = if glued { line.trim_start() } else { line };
        let end = line.trim_end();
        let next_goes_on = lines.get(i + 1).and_then(|l| l.trim_start().chars().next()).is_some_and(char::is_lowercase);
        let broken = next_goes_on && end.ends_with('-') && end.chars().rev().nth(1).is_some_and(char::is_alphabetic);
        if broken {
            out.push_str(&end[..end.len() - 1]);
        } else {
            out.push_str(line);
            if i + 1 < lines.len() {
                out.push('\n');
            }
        }
        glued = broken;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn running_heads_footers_and_page_numbers_go() {
        let cleaned = clean(&pages(&[
            "Debian Reference\nThe first page says one thing.\n1",
            "Debian Reference\nThe second page says another.\n2",
            "Debian Reference\nA third page.\n3",
            "Debian Reference\nAnd the fourth.\n4",
        ]));
        assert_eq!(
            cleaned,
            ["The first page says one thing.", "The second page says another.", "A third page.", "And the fourth."]
        );
    }

    #[test]
    fn dot_leaders_go_and_hyphenated_words_are_joined() {
        let cleaned = clean(&pages(&[
            "Contents\n5 R Add-On Packages . . . . . . 23\n5.1 Which packages.........24\nIt is rec-\nommended to read the in-\nstructions. A well-known fact.",
        ]));
        assert_eq!(cleaned, ["Contents\nIt is recommended to read the instructions. A well-known fact."]);
    }
}
