//! DOCX through docx-rs, whose XML reader (xml-rs) never resolves external entities. Paragraphs
//! keep their heading level (from the paragraph style), tables become `|` rows.

use docx_rs::{DocumentChild, Paragraph, Table, TableCellContent, TableChild, TableRowChild};

use super::markdown_writer::{MarkdownWriter, heading_prefix};
use crate::error::{Error, Result};

/// The text of a DOCX file, as Markdown-like blocks.
pub fn to_markdown(bytes: &[u8]) -> Result<String> {
    let docx = docx_rs::read_docx(bytes).map_err(|e| {
        Error::invalid(format!("this is not a readable DOCX file (it may be corrupt or truncated): {e}"))
    })?;
    let mut out = MarkdownWriter::default();
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => paragraph(&mut out, p),
            DocumentChild::Table(t) => table(&mut out, t),
            _ => {}
        }
    }
    Ok(out.finish())
}

fn paragraph(out: &mut MarkdownWriter, p: &Paragraph) {
    let style = p.property.style.as_ref().map(|s| s.val.as_str()).unwrap_or_default();
    out.start_block(match heading_level(style) {
        Some(level) => heading_prefix(level),
        None if style == "Title" => heading_prefix(1),
        None if p.property.numbering_property.is_some() => "- ",
        None => "",
    });
    out.text(&p.raw_text());
    out.end_block();
}

fn table(out: &mut MarkdownWriter, t: &Table) {
    for TableChild::TableRow(row) in &t.rows {
        let cells: Vec<String> =
            row.cells.iter().map(|TableRowChild::TableCell(cell)| cell_text(&cell.children)).collect();
        out.row(&cells);
    }
}

fn cell_text(content: &[TableCellContent]) -> String {
    let mut parts = Vec::new();
    for item in content {
        match item {
            TableCellContent::Paragraph(p) => parts.push(p.raw_text()),
            // A table inside a cell is flattened into the cell's text.
            TableCellContent::Table(t) => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(cell) in &row.cells {
                        parts.push(cell_text(&cell.children));
                    }
                }
            }
            _ => {}
        }
    }
    parts.join(" ")
}

/// Word's built-in heading styles are `Heading1`…`Heading9` (ids, whatever the UI language).
fn heading_level(style: &str) -> Option<usize> {
    style.strip_prefix("Heading").and_then(|n| n.parse().ok()).filter(|n| (1..=9).contains(n))
}
