//! Builds the Markdown-like text that HTML and DOCX are turned into: collapsed whitespace inside
//! blocks, one blank line between blocks, `#` headings, `-` list items and `|` table rows, so
//! the Markdown splitter cuts at the document's own structure.

use crate::text;

/// Accumulates text block by block.
#[derive(Default)]
pub(super) struct MarkdownWriter {
    out: String,
    /// The current block's text, whitespace not yet collapsed.
    block: String,
    prefix: &'static str,
}

impl MarkdownWriter {
    /// Appends inline text to the current block.
    pub fn text(&mut self, text: &str) {
        self.block.push_str(text);
    }

    /// Ends the current block and starts one with `prefix` (e.g. `"## "`, `"- "`).
    pub fn start_block(&mut self, prefix: &'static str) {
        self.end_block();
        self.prefix = prefix;
    }

    /// Ends the current block, if it has any text.
    pub fn end_block(&mut self) {
        let collapsed = text::one_line(&self.block);
        self.block.clear();
        if !collapsed.is_empty() {
            if !self.out.is_empty() {
                self.out.push_str("\n\n");
            }
            self.out.push_str(self.prefix);
            if self.prefix.is_empty() {
                self.out.push_str(text::paragraph_escape(&collapsed));
            }
            self.out.push_str(&collapsed);
        }
        self.prefix = "";
    }

    /// A table row as `a | b | c`.
    pub fn row(&mut self, cells: &[String]) {
        self.end_block();
        let cells: Vec<String> = cells.iter().map(|c| text::one_line(c)).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            self.block = cells.join(" | ");
            self.end_block();
        }
    }

    /// The text written so far.
    pub fn finish(mut self) -> String {
        self.end_block();
        self.out
    }
}

/// The Markdown prefix of a heading of `level` (1–6).
pub(super) fn heading_prefix(level: usize) -> &'static str {
    ["# ", "## ", "### ", "#### ", "##### ", "###### "][level.clamp(1, 6) - 1]
}
