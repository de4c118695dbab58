//! PDF through pdf-extract (on lopdf): the text of each page, with its page number. Encrypted
//! files are tried with the empty password (many "protected" PDFs only restrict printing) and
//! refused with a clear reason otherwise.

use pdf_extract::{Document, PlainTextOutput, output_doc_page};

use super::{Extracted, Markup, Part};
use crate::error::{Error, Result};

/// The text of every page, in order.
pub fn pages(bytes: &[u8]) -> Result<Extracted> {
    let mut doc = Document::load_mem(bytes)
        .map_err(|e| Error::invalid(format!("this is not a readable PDF (it may be corrupt or truncated): {e}")))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Error::invalid(
            "this PDF is encrypted with a password; open it, save an unprotected copy and add that",
        ));
    }
    let numbers: Vec<u32> = doc.get_pages().into_keys().collect();
    let mut parts = Vec::with_capacity(numbers.len());
    for &number in &numbers {
        let mut text = String::new();
        output_doc_page(&doc, &mut PlainTextOutput::new(&mut text), number)
            .map_err(|e| Error::invalid(format!("page {number} of this PDF could not be read: {e}")))?;
        parts.push(Part { page: Some(number), text });
    }
    Ok(Extracted { parts, pages: Some(numbers.len() as u32), markup: Markup::Plain })
}
