//! Small helpers on text (and bytes) that several stages share: flattening and quoting text,
//! checking text typed by a person against a limit, and content hashes.

use crate::error::{Error, Result};

/// `text` on one line: every run of whitespace made one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of text a person typed (runs of letters and digits): what keyword search and chat
/// search look for, so that nothing typed is query syntax.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// A Markdown paragraph's prefix when its text starts with `#`: the escape that keeps it from
/// being read as a heading (`\# apt update`), else nothing.
pub fn paragraph_escape(text: &str) -> &'static str {
    if text.trim_start().starts_with('#') { "\\" } else { "" }
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
pub fn quote(text: &str, max: usize) -> String {
    let flat = one_line(text);
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Trims `text` and checks it is non-empty and at most `max` characters.
pub fn required(what: &str, text: &str, max: usize) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    at_most(what, trimmed.chars().count(), max, "characters")?;
    Ok(trimmed.to_owned())
}

/// Fails with a message that names the size and the limit when `size` exceeds `max`.
pub fn at_most(what: &str, size: usize, max: usize, unit: &str) -> Result<()> {
    if size > max {
        return Err(Error::invalid(format!("{what} is {size} {unit} long; the limit is {max}")));
    }
    Ok(())
}

/// The lowercase hex sha256 of `data` (content dedup, model ids, index file names).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_one_line_and_cut_with_an_ellipsis() {
        assert_eq!(one_line(" a\n\tb  c "), "a b c");
        assert_eq!(quote("one two\nthree", 7), "one two…");
        assert_eq!(quote("short", 7), "short");
    }
}
