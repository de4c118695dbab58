//! PDF through PDFium (the PDF engine of Chrome), bound at run time to the `libpdfium.so` that
//! `scripts/fetch_model.py` provisions in `models/pdfium/` (bundled with the app; never
//! downloaded at run time): the text of each page in reading order, with its page number. A file
//! "protected" with the empty user password opens; one with a real password is refused with a
//! clear reason. PDFium is native code reading untrusted files: in the app and the CLI it runs in
//! the parser worker (`worker.rs`).

use std::path::PathBuf;
use std::sync::OnceLock;

use pdfium_render::prelude::{PdfDocument, Pdfium, PdfiumError, PdfiumInternalError};

use super::{Extracted, Markup, Part};
use crate::error::{Error, Result};
use crate::models::embedding::locate_model_dir;

/// Names the PDFium library to use, when it is not beside the embedding model.
pub const PDFIUM_ENV: &str = "HEARTH_PDFIUM_LIBRARY";

/// Where the PDFium library is: `$HEARTH_PDFIUM_LIBRARY`, else `models/pdfium/libpdfium.so` next
/// to the embedding model's folder (the bundle's or the repository's).
pub fn library_path() -> PathBuf {
    match std::env::var_os(PDFIUM_ENV).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => library_beside(&locate_model_dir(None)),
    }
}

/// The PDFium library that belongs with the embedding model in `model_dir`.
pub fn library_beside(model_dir: &std::path::Path) -> PathBuf {
    model_dir.parent().unwrap_or(model_dir).join("pdfium").join(pdfium_file_name())
}

fn pdfium_file_name() -> String {
    Pdfium::pdfium_platform_library_name().to_string_lossy().into_owned()
}

/// PDFium, bound once per process.
fn pdfium() -> Result<&'static Pdfium> {
    static PDFIUM: OnceLock<std::result::Result<Pdfium, String>> = OnceLock::new();
    PDFIUM
        .get_or_init(|| {
            let path = library_path();
            Pdfium::bind_to_library(&path).map(Pdfium::new).map_err(|e| {
                format!("PDFium is missing or broken at {} ({e}); run `python3 scripts/fetch_model.py`", path.display())
            })
        })
        .as_ref()
        .map_err(|e| Error::ModelUnavailable(e.clone()))
}

/// The text of every page, in order.
pub fn pages(bytes: &[u8]) -> Result<Extracted> {
    let document = open(pdfium()?, bytes)?;
    let count = u32::try_from(document.pages().len()).unwrap_or(0);
    let mut texts = Vec::with_capacity(count as usize);
    for (index, page) in document.pages().iter().enumerate() {
        let text = page
            .text()
            .map_err(|e| Error::invalid(format!("page {} of this PDF could not be read: {e}", index + 1)))?
            .all()
            .replace("\r\n", "\n")
            // PDFium joins a word hyphenated at a line's end itself and marks the join with U+0002.
            .replace('\u{2}', "");
        texts.push(text);
    }
    let parts = super::pdf_text::clean(&texts)
        .into_iter()
        .zip(1..)
        .map(|(text, number)| Part { page: Some(number), text })
        .collect();
    Ok(Extracted { parts, pages: Some(count), markup: Markup::Plain })
}

fn open<'a>(pdfium: &'a Pdfium, bytes: &'a [u8]) -> Result<PdfDocument<'a>> {
    pdfium.load_pdf_from_byte_slice(bytes, None).map_err(|e| match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            Error::invalid("this PDF is encrypted with a password; open it, save an unprotected copy and add that")
        }
        e => Error::invalid(format!("this is not a readable PDF (it may be corrupt or truncated): {e}")),
    })
}
