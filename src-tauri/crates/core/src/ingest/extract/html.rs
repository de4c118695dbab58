//! HTML through a real parser (html5ever, via scraper): scripts, styles, navigation, headers,
//! footers, forms and asides are dropped; headings, paragraphs, lists and tables are kept.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::markdown_writer::{MarkdownWriter, heading_prefix};
use crate::text;

/// Elements whose content is never the document's text.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "select",
    "svg", "iframe", "object", "canvas",
];

/// Elements that start a new block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "br",
    "hr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "table",
    "address",
    "details",
    "summary",
];

/// An HTML page's title and readable text.
pub struct Page {
    pub title: Option<String>,
    pub text: String,
}

/// Reads an HTML page: its `<title>` and its text as Markdown-like blocks.
pub fn read(source: &str) -> Page {
    let document = Html::parse_document(source);
    let title = scraper::Selector::parse("title")
        .ok()
        .and_then(|selector| document.select(&selector).next())
        .map(|t| text::one_line(&t.text().collect::<Vec<_>>().join(" ")))
        .filter(|t| !t.is_empty());
    Page { title, text: markdown_of(&document) }
}

/// The readable text of an HTML page, as Markdown-like blocks.
#[cfg(test)]
fn to_markdown(source: &str) -> String {
    read(source).text
}

fn markdown_of(document: &Html) -> String {
    let mut out = MarkdownWriter::default();
    let mut skipping = 0usize;
    let mut row: Option<Vec<String>> = None;
    // `traverse` walks the tree without recursion, so deep nesting cannot overflow the stack.
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if skipping > 0 || SKIPPED.contains(&e.name()) => skipping += 1,
                Node::Element(e) => match e.name() {
                    "tr" => row = Some(Vec::new()),
                    "td" | "th" => {
                        if let Some(cells) = row.as_mut() {
                            cells.push(String::new());
                        }
                    }
                    "li" => out.start_block("- "),
                    name => match heading_level(name) {
                        Some(level) => out.start_block(heading_prefix(level)),
                        None if BLOCKS.contains(&name) => out.end_block(),
                        None => {}
                    },
                },
                Node::Text(text) if skipping == 0 => match row.as_mut().and_then(|cells| cells.last_mut()) {
                    Some(cell) => cell.push_str(text),
                    None => out.text(text),
                },
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(_) if skipping > 0 => skipping -= 1,
                Node::Element(e) if e.name() == "tr" => {
                    if let Some(cells) = row.take() {
                        out.row(&cells);
                    }
                }
                Node::Element(e)
                    if e.name() == "li" || heading_level(e.name()).is_some() || BLOCKS.contains(&e.name()) =>
                {
                    out.end_block()
                }
                _ => {}
            },
        }
    }
    out.finish()
}

fn heading_level(name: &str) -> Option<usize> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(usize::from(d - b'0')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{read, to_markdown};

    #[test]
    fn a_paragraph_starting_with_a_hash_is_not_a_heading() {
        assert_eq!(to_markdown("<h2>Shell</h2><p># apt update</p>"), "## Shell\n\n\\# apt update");
    }

    #[test]
    fn the_title_is_read() {
        let page = read("<html><head><title> Tide\n tables </title></head><body><p>x</p></body></html>");
        assert_eq!(page.title.as_deref(), Some("Tide tables"));
        assert_eq!(read("<p>no title</p>").title, None);
    }

    #[test]
    fn keeps_structure_and_drops_chrome() {
        let text = to_markdown(
            "<html><head><title>T</title><style>x{}</style></head><body><nav>Menu</nav>\
             <h2>Tides</h2><p>Spring   tides\n are large.</p><ul><li>one</li><li>two</li></ul>\
             <table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>\
             <script>alert(1)</script><footer>(c)</footer></body></html>",
        );
        assert_eq!(text, "## Tides\n\nSpring tides are large.\n\n- one\n\n- two\n\nA | B\n\n1 | 2");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        assert!(to_markdown(&html).contains("deep"));
    }
}
