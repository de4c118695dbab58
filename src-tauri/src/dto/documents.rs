use hearth_core::DocumentId;
use hearth_core::ingest::Progress;
use hearth_core::ingest::documents::{DocStatus, Document, DocumentPage, StoredChunk};
use hearth_core::retrieval::passages::Run;
use hearth_core::retrieval::{self, ComponentRank, Hit, Mode};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::TextRunDto;
use crate::error::IpcError;

/// A document in the library.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "DocumentDto.ts")]
pub struct DocumentDto {
    pub id: String,
    pub name: String,
    pub original_path: Option<String>,
    pub doc_type: String,
    #[ts(type = "number")]
    pub size_bytes: i64,
    #[ts(type = "number | null")]
    pub pages: Option<i64>,
    pub status: DocStatus,
    /// Why it failed, in words a person understands.
    pub error: Option<String>,
    #[ts(type = "number")]
    pub chunk_count: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Pages whose text was read from their image by OCR.
    #[ts(type = "number")]
    pub ocr_pages: i64,
    /// The OCR's mean confidence over those pages, 0 to 1.
    pub ocr_confidence: Option<f64>,
}

impl From<Document> for DocumentDto {
    fn from(d: Document) -> Self {
        DocumentDto {
            id: d.id.to_string(),
            name: d.name,
            original_path: d.original_path,
            doc_type: d.doc_type,
            size_bytes: d.size_bytes,
            pages: d.pages,
            status: d.status,
            error: d.error,
            chunk_count: d.chunk_count,
            created_at: d.created_at.to_rfc3339(),
            updated_at: d.updated_at.to_rfc3339(),
            ocr_pages: d.ocr_pages,
            ocr_confidence: d.ocr_confidence,
        }
    }
}

/// One page of documents, newest first, and how many there are.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "DocumentPageDto.ts")]
pub struct DocumentPageDto {
    pub items: Vec<DocumentDto>,
    #[ts(type = "number")]
    pub total: i64,
}

impl From<DocumentPage> for DocumentPageDto {
    fn from(p: DocumentPage) -> Self {
        DocumentPageDto { items: p.items.into_iter().map(Into::into).collect(), total: p.total }
    }
}

/// A chunk of a document, with its page and character offsets into the extracted text.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "ChunkDto.ts")]
pub struct ChunkDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub ordinal: i64,
    pub text: String,
    #[ts(type = "number | null")]
    pub page: Option<i64>,
    #[ts(type = "number")]
    pub char_start: i64,
    #[ts(type = "number")]
    pub char_end: i64,
    #[ts(type = "number")]
    pub token_count: i64,
    /// The headings the chunk is under ("5 R Add-On Packages › 5.1 Which packages exist"), or "".
    pub heading_path: String,
    /// Set when the text was read from a page's image by OCR: the recognizer's confidence, 0 to 1.
    pub ocr_confidence: Option<f64>,
}

impl From<StoredChunk> for ChunkDto {
    fn from(c: StoredChunk) -> Self {
        ChunkDto {
            id: c.id.0,
            ordinal: c.ordinal,
            text: c.text,
            page: c.page,
            char_start: c.char_start,
            char_end: c.char_end,
            token_count: c.token_count,
            heading_path: c.heading_path,
            ocr_confidence: c.ocr_confidence,
        }
    }
}

/// A document with one page of its chunks.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "DocumentDetailDto.ts")]
pub struct DocumentDetailDto {
    pub document: DocumentDto,
    pub chunks: Vec<ChunkDto>,
}

/// What adding one path did: the document (new or already there), or why it was refused.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "AddedDocumentDto.ts")]
pub struct AddedDocumentDto {
    pub path: String,
    pub document: Option<DocumentDto>,
    /// The same content was already in the library.
    pub existing: bool,
    pub error: Option<IpcError>,
}

/// Progress of a document through the queue, sent as the `document-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "DocumentProgressDto.ts")]
pub struct DocumentProgressDto {
    pub document_id: String,
    pub name: String,
    pub status: DocStatus,
    pub chunks_done: u32,
    pub chunks_total: u32,
    /// While a scan is read by OCR: the page being read, of the pages that need it (else 0, 0).
    pub ocr_page: u32,
    pub ocr_pages: u32,
}

impl From<&Progress> for DocumentProgressDto {
    fn from(p: &Progress) -> Self {
        DocumentProgressDto {
            document_id: p.document_id.to_string(),
            name: p.name.clone(),
            status: p.status,
            chunks_done: p.chunks_done.try_into().unwrap_or(u32::MAX),
            chunks_total: p.chunks_total.try_into().unwrap_or(u32::MAX),
            ocr_page: p.ocr_page,
            ocr_pages: p.ocr_pages,
        }
    }
}

/// What `search` takes.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export_to = "SearchRequest.ts", optional_fields)]
pub struct SearchRequest {
    pub query: String,
    /// Results wanted (default 10).
    pub k: Option<u32>,
    /// Only these documents (a chat session's).
    pub document_ids: Option<Vec<String>>,
    pub mode: Option<Mode>,
}

impl TryFrom<SearchRequest> for retrieval::SearchRequest {
    type Error = hearth_core::Error;

    /// Parses the document ids; the defaults fill what the window left out.
    fn try_from(r: SearchRequest) -> Result<Self, Self::Error> {
        let documents = r
            .document_ids
            .map(|ids| ids.iter().map(|id| DocumentId::parse(id)).collect::<Result<Vec<_>, _>>())
            .transpose()?;
        Ok(retrieval::SearchRequest {
            query: r.query,
            k: r.k.map_or(retrieval::SearchRequest::DEFAULT_K, |k| k as usize),
            documents,
            mode: r.mode.unwrap_or(Mode::Hybrid),
        })
    }
}

/// A component's rank (1-based) and raw score for a hit.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[ts(export_to = "ComponentRankDto.ts")]
pub struct ComponentRankDto {
    pub rank: u32,
    pub score: f64,
}

impl From<ComponentRank> for ComponentRankDto {
    fn from(c: ComponentRank) -> Self {
        ComponentRankDto { rank: c.rank.try_into().unwrap_or(u32::MAX), score: c.score }
    }
}

/// One search result: the chunk, its document and page, the fused score and each component's,
/// and its text as runs with the words keyword search matched marked.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "SearchHitDto.ts")]
pub struct SearchHitDto {
    #[ts(type = "number")]
    pub chunk_id: i64,
    pub document_id: String,
    pub document_name: String,
    #[ts(type = "number | null")]
    pub page: Option<i64>,
    #[ts(type = "number")]
    pub ordinal: i64,
    /// The chunk's whole text, in order.
    pub runs: Vec<TextRunDto>,
    pub score: f64,
    pub keyword: Option<ComponentRankDto>,
    pub vector: Option<ComponentRankDto>,
    /// Set when the passage was read from a page's image by OCR: the recognizer's confidence.
    pub ocr_confidence: Option<f64>,
}

impl SearchHitDto {
    /// A hit with its text already cut into runs (`passages::mark_hits`).
    pub fn new(h: Hit, runs: Vec<Run>) -> Self {
        SearchHitDto {
            chunk_id: h.chunk_id.0,
            document_id: h.document_id.to_string(),
            document_name: h.document_name,
            page: h.page,
            ordinal: h.ordinal,
            runs: runs.into_iter().map(Into::into).collect(),
            score: h.score,
            keyword: h.keyword.map(Into::into),
            vector: h.vector.map(Into::into),
            ocr_confidence: h.ocr_confidence,
        }
    }
}

/// A folder kept in sync with the library.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "WatchedFolderDto.ts")]
pub struct WatchedFolderDto {
    pub path: String,
    /// How many of its files are documents in the library.
    #[ts(type = "number")]
    pub documents: i64,
    pub added_at: String,
}

impl From<hearth_core::ingest::watched::WatchedFolder> for WatchedFolderDto {
    fn from(f: hearth_core::ingest::watched::WatchedFolder) -> Self {
        WatchedFolderDto {
            path: f.path.display().to_string(),
            documents: f.documents,
            added_at: f.added_at.to_rfc3339(),
        }
    }
}

/// What a scan of a watched folder did, as `watch_folder` returns it and the `library-changed`
/// event carries it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "FolderScanDto.ts")]
pub struct FolderScanDto {
    pub folder: String,
    pub files: usize,
    pub added: usize,
    pub changed: usize,
    pub moved: usize,
    pub removed: usize,
    /// Files still being written, left for the next scan.
    pub unsettled: usize,
    pub errors: Vec<String>,
}

impl From<&hearth_core::ingest::watched::Scan> for FolderScanDto {
    fn from(s: &hearth_core::ingest::watched::Scan) -> Self {
        FolderScanDto {
            folder: s.folder.display().to_string(),
            files: s.files,
            added: s.added,
            changed: s.changed,
            moved: s.moved,
            removed: s.removed,
            unsettled: s.unsettled,
            errors: s.errors.clone(),
        }
    }
}

/// How far the library is embedded again for a new embedding model (the `reembed-progress`
/// event): search uses the previous model until `done` reaches `total`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "ReembeddingDto.ts")]
pub struct ReembeddingDto {
    pub done: usize,
    pub total: usize,
}

impl From<hearth_core::models::reembed::Reembedding> for ReembeddingDto {
    fn from(r: hearth_core::models::reembed::Reembedding) -> Self {
        ReembeddingDto { done: r.done, total: r.total }
    }
}
