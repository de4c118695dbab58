//! A folder given where documents are expected (dropped on the window, named to `hearth docs
//! add`): every document inside it, at any depth, in path order. Hidden entries and files of
//! other types are passed over, since a folder of papers also holds images and notes; a folder
//! with no document in it is an error of its own.

use std::path::PathBuf;

use walkdir::WalkDir;

use super::extract::DocType;
use crate::error::Error;

/// Most documents one folder may add: past that it is refused whole rather than cut short.
pub const MAX_FOLDER_FILES: usize = 10_000;

/// What one given path comes to: a file to add, or why a path (a folder, or something in it)
/// gave none.
pub type Entry = std::result::Result<PathBuf, (PathBuf, Error)>;

/// `paths` in order, each folder replaced by the documents inside it. Files are passed on as
/// they are (adding them says what is wrong with one).
pub fn expand(paths: &[PathBuf]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for path in paths {
        if path.is_dir() {
            entries.extend(documents_in(path));
        } else {
            entries.push(Ok(path.clone()));
        }
    }
    entries
}

/// Every document file in `folder` at any depth, in path order (hidden entries and other types
/// passed over), with no limit on how many. Images are passed over too: in a folder they are
/// mostly figures, logos and photos, which OCR would read slowly and find no text in; a scan saved
/// as an image is added when it is dropped or chosen itself.
pub(crate) fn files_in(folder: &std::path::Path) -> Vec<Entry> {
    let mut found = Vec::new();
    let walk = WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() && DocType::from_path(e.path()).is_ok_and(|t| t != DocType::Image) => {
                found.push(Ok(e.into_path()))
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map_or_else(|| folder.to_owned(), PathBuf::from);
                let source = e.into_io_error().unwrap_or_else(|| std::io::Error::other("a folder loop"));
                found.push(Err((path.clone(), Error::Io { context: format!("reading {}", path.display()), source })));
            }
        }
    }
    found
}

fn documents_in(folder: &std::path::Path) -> Vec<Entry> {
    let name =
        folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| folder.display().to_string());
    let found = files_in(folder);
    let documents = found.iter().filter(|e| e.is_ok()).count();
    if documents > MAX_FOLDER_FILES {
        let error = Error::invalid(format!(
            "{name} holds {documents} documents, more than {MAX_FOLDER_FILES} at once: add its folders one at a time"
        ));
        return vec![Err((folder.to_owned(), error))];
    }
    if found.is_empty() {
        let error = Error::invalid(format!("{name} holds no PDF, DOCX, HTML, Markdown or text files"));
        return vec![Err((folder.to_owned(), error))];
    }
    found
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn a_folder_becomes_the_documents_inside_it_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("papers");
        fs::create_dir_all(root.join("2024/drafts")).unwrap();
        fs::create_dir_all(root.join(".cache")).unwrap();
        for file in ["b.md", "a.pdf", "2024/notes.txt", "2024/drafts/c.docx", "photo.png", ".hidden.md", ".cache/d.md"]
        {
            fs::write(root.join(file), "x").unwrap();
        }
        let loose = dir.path().join("loose.pptx");
        let entries = expand(&[root.clone(), loose.clone()]);
        let files: Vec<PathBuf> = entries.into_iter().map(|e| e.unwrap()).collect();
        let expected: Vec<PathBuf> =
            ["2024/drafts/c.docx", "2024/notes.txt", "a.pdf", "b.md"].iter().map(|f| root.join(f)).collect();
        assert_eq!(files[..4], expected[..], "documents only, hidden ones passed over, in path order");
        assert_eq!(files[4], loose, "a file is passed on as it is, to be refused when added");
    }

    #[test]
    fn a_folder_without_documents_is_an_error_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("photo.png"), "x").unwrap();
        let entries = expand(&[dir.path().to_path_buf()]);
        assert_eq!(entries.len(), 1);
        let (path, error) = entries.into_iter().next().unwrap().unwrap_err();
        assert_eq!(path, dir.path());
        assert!(error.to_string().contains("holds no PDF, DOCX, HTML, Markdown or text files"), "{error}");
    }
}
