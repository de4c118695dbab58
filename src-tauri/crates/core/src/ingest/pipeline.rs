//! Processing one queued document: extraction, chunking, embedding, and storing its chunks and
//! vectors. A document becomes `ready` in the same transaction that stores them, so it is never
//! visible as ready with anything missing; cancelling or deleting it meanwhile stores nothing.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};

use super::chunking::{Chunk, Chunker, PATH_SEPARATOR, PageBox};
use super::documents::{self, DocStatus, Document, OriginalGone};
use super::extract::{DocType, ExtractOptions, Parsers};
use super::originals::Originals;
use super::queue::{Added, Progress, Source, enqueue, enqueue_file};
use crate::error::{Error, Result, StorageContext};
use crate::models::embedding::Embedder;
use crate::retrieval::index::VectorIndex;
use crate::retrieval::vectors;
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::DocumentId;
use crate::text;

/// Tokens embedded in one model call. Peak memory grows with batch × length, so batches are
/// bounded by tokens, not by count. Measured (`hearth bench ingest`, 480 chunks of ~245 tokens):
/// 4,096 → 956 MB peak, 2,048 → 555 MB, 1,024 → 362 MB, all at the same 39 chunks/s.
pub const BATCH_TOKENS: usize = 1024;

/// What processing a document needs: the database, the model, the chunker and, when the app
/// keeps one, the vector index to add ready documents to.
pub struct Pipeline<'a> {
    pub db: &'a Database,
    pub embedder: &'a dyn Embedder,
    pub chunker: &'a Chunker,
    pub index: Option<&'a VectorIndex>,
    /// Where parsers run: a worker process in the app and the CLI ([`Parsers::in_process`] in
    /// tests and benchmarks).
    pub parsers: &'a Parsers,
    /// Where to keep a copy of each PDF (and image), so its pages can be drawn later; `None`
    /// keeps none.
    pub originals: Option<&'a Originals>,
    /// How documents are read (OCR and its resolution).
    pub options: ExtractOptions,
}

impl Pipeline<'_> {
    /// Adds the file at `path` and processes it now (the CLI and benchmarks; the app queues).
    pub fn add_file(&self, path: &Path, progress: &mut dyn FnMut(&Progress)) -> Result<Added> {
        let added = enqueue_file(self.db, path)?;
        self.finish(added, None, progress)
    }

    /// Adds a document from its bytes and processes it now.
    pub fn add_bytes(&self, source: Source<'_>, progress: &mut dyn FnMut(&Progress)) -> Result<Added> {
        let added = enqueue(self.db, &source)?;
        self.finish(added, Some(source.bytes), progress)
    }

    fn finish(&self, added: Added, bytes: Option<&[u8]>, progress: &mut dyn FnMut(&Progress)) -> Result<Added> {
        if added.existing {
            return Ok(added);
        }
        let document = self.process_with(added.document.id, bytes, progress)?;
        Ok(Added { document, existing: false })
    }

    /// Takes a queued document through extraction and embedding, reading its file again. A
    /// document that is not queued (cancelled, taken by another worker) is returned as it is.
    pub fn process(&self, id: DocumentId, progress: &mut dyn FnMut(&Progress)) -> Result<Document> {
        self.process_with(id, None, progress)
    }

    fn process_with(
        &self,
        id: DocumentId,
        bytes: Option<&[u8]>,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Document> {
        match self.prepare(id, bytes, progress)? {
            Stage::Done(document) => Ok(document),
            Stage::Prepared(prepared) => self.embed_and_store(prepared, progress),
        }
    }

    /// Processes documents one after another as `next` names them, extracting and chunking the
    /// next one on a thread of its own while the current one is embedded (the model is the slow
    /// part; this hides the rest behind it). `done` hears each document's outcome in order; an
    /// error from it stops the loop, and a document already extracted for the next turn goes
    /// back to the queue, never left "extracting".
    pub fn process_overlapped(
        &self,
        next: &mut (dyn FnMut() -> Result<Option<DocumentId>> + Send),
        progress: &(dyn Fn(&Progress) + Sync),
        done: &mut dyn FnMut(DocumentId, Result<Document>) -> Result<()>,
    ) -> Result<()> {
        std::thread::scope(|scope| {
            // One document waits while one is embedded: memory for at most three documents' text.
            let (ready, prepared) = std::sync::mpsc::sync_channel::<(DocumentId, Result<Stage>)>(1);
            let preparer = std::thread::Builder::new()
                .name("extract".into())
                .spawn_scoped(scope, move || -> Result<()> {
                    while let Some(id) = next()? {
                        let stage = self.prepare(id, None, &mut |p| progress(p));
                        if let Err(std::sync::mpsc::SendError((_, Ok(Stage::Prepared(unused))))) =
                            ready.send((id, stage))
                        {
                            advance(self.db, unused.document.id, DocStatus::Extracting, DocStatus::Queued)?;
                            break;
                        }
                    }
                    Ok(())
                })
                .map_err(|source| Error::Io { context: "starting the extraction thread".into(), source })?;
            let mut result = Ok(());
            for (id, stage) in prepared.iter() {
                let outcome = stage.and_then(|stage| match stage {
                    Stage::Done(document) => Ok(document),
                    Stage::Prepared(p) => self.embed_and_store(p, &mut |p| progress(p)),
                });
                if let Err(e) = done(id, outcome) {
                    result = Err(e);
                    break;
                }
            }
            drop(prepared);
            // A panic there is this thread's, as it would be without the overlap.
            let extracted = preparer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            result.and(extracted)
        })
    }

    /// Extraction and chunking: the queued document becomes `extracting`. A document that is not
    /// queued (cancelled, taken by another worker), or that cannot be read, is done here.
    fn prepare(&self, id: DocumentId, bytes: Option<&[u8]>, progress: &mut dyn FnMut(&Progress)) -> Result<Stage> {
        let Some(document) = advance(self.db, id, DocStatus::Queued, DocStatus::Extracting)? else {
            return self.db.read(|conn| documents::load(conn, id)).map(Stage::Done);
        };
        let mut reading = |ocr_page, ocr_pages| {
            progress(&Progress {
                document_id: id,
                name: document.name.clone(),
                status: DocStatus::Extracting,
                chunks_done: 0,
                chunks_total: 0,
                ocr_page,
                ocr_pages,
            })
        };
        reading(0, 0);
        let prepared = match bytes {
            Some(bytes) => Ok(Arc::from(bytes)),
            None => reread(&document),
        }
        .and_then(|bytes| {
            let doc_type = DocType::parse(&document.doc_type)
                .ok_or_else(|| Error::invalid(format!("unknown document type {:?}", document.doc_type)))?;
            let extracted =
                self.parsers.extract_with(doc_type, bytes.clone(), &document.name, self.options, &mut |p| {
                    reading(p.page, p.pages)
                })?;
            if let Some(originals) = self.originals.filter(|_| matches!(doc_type, DocType::Pdf | DocType::Image)) {
                // Without a copy only the page view is lost, so the document goes on.
                if let Err(e) = originals.keep(&document.sha256, &bytes) {
                    tracing::warn!(%id, error = %e, "could not keep a copy of the PDF");
                }
            }
            let title = extracted.title.clone().unwrap_or_else(|| title_from_name(&document.name));
            let chunks = self.chunker.split(&extracted, &title)?;
            let ocr = Ocr::of(&extracted);
            Ok((chunks, Facts { pages: extracted.pages, title: extracted.title, ocr }))
        });
        match prepared {
            Ok((chunks, facts)) => Ok(Stage::Prepared(Prepared { document, chunks, facts })),
            Err(e) => fail(self.db, id, DocStatus::Extracting, &e).map(Stage::Done),
        }
    }

    /// Embedding and storing an extracted document: it becomes `ready` with its chunks and
    /// vectors in one transaction.
    fn embed_and_store(&self, prepared: Prepared, progress: &mut dyn FnMut(&Progress)) -> Result<Document> {
        let Prepared { document, chunks, facts } = prepared;
        let id = document.id;
        let mut report = |status, done, total| {
            progress(&Progress {
                document_id: id,
                name: document.name.clone(),
                status,
                chunks_done: done,
                chunks_total: total,
                ocr_page: 0,
                ocr_pages: 0,
            })
        };
        if advance(self.db, id, DocStatus::Extracting, DocStatus::Embedding)?.is_none() {
            return self.db.read(|conn| documents::load(conn, id));
        }
        report(DocStatus::Embedding, 0, chunks.len());
        let embedded = embed_all(self.embedder, &chunks, &mut |done| {
            report(DocStatus::Embedding, done, chunks.len());
            still(self.db, id, DocStatus::Embedding)
        });
        let vectors = match embedded {
            Ok(Some(vectors)) => vectors,
            Ok(None) => return self.db.read(|conn| documents::load(conn, id)),
            Err(e) => return fail(self.db, id, DocStatus::Embedding, &e),
        };

        let stored = store_ready(self.db, id, &chunks, facts, &vectors, self.embedder.model_id());
        let Some((document, chunk_ids)) = stored.inspect_err(|e| {
            // Storing failed (a full disk, above all): the document is marked failed, so it can
            // be retried once the cause is gone, instead of staying "embedding" for as long as
            // this process lives. The caller still gets the error, with its code.
            if let Err(also) = fail(self.db, id, DocStatus::Embedding, e) {
                tracing::warn!(%id, error = %also, "could not mark the document failed either");
            }
        })?
        else {
            return self.db.read(|conn| documents::load(conn, id));
        };
        if let Some(index) = self.index.filter(|i| i.model_id() == self.embedder.model_id()) {
            index.add(&chunk_ids.into_iter().zip(vectors).collect::<Vec<_>>())?;
        }
        report(DocStatus::Ready, chunks.len(), chunks.len());
        Ok(document)
    }
}

/// Where a document is after [`Pipeline::prepare`].
enum Stage {
    /// Extracted and chunked, for the model.
    Prepared(Prepared),
    /// Nothing more to do here: failed, cancelled or taken by another worker.
    Done(Document),
}

/// A document extracted and chunked.
struct Prepared {
    document: Document,
    chunks: Vec<Chunk>,
    facts: Facts,
}

/// How much of a document OCR read, and how surely.
#[derive(Debug, Clone, Copy, Default)]
struct Ocr {
    pages: u32,
    /// The mean of the pages' confidences.
    confidence: Option<f32>,
}

impl Ocr {
    fn of(extracted: &super::extract::Extracted) -> Ocr {
        let read: Vec<f32> = extracted.parts.iter().filter_map(|p| p.ocr_confidence).collect();
        let confidence = (!read.is_empty()).then(|| read.iter().sum::<f32>() / read.len() as f32);
        Ocr { pages: extracted.ocr_pages, confidence }
    }
}

/// What is stored about a document beside its chunks.
struct Facts {
    pages: Option<u32>,
    title: Option<String>,
    ocr: Ocr,
}

/// A document's title when it gives none: its file name without the extension, with `_` and
/// `-` read as spaces ("R-intro.pdf" → "R intro").
pub fn title_from_name(name: &str) -> String {
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name);
    text::one_line(&stem.replace(['_', '-'], " "))
}

/// A queued document's bytes, read again from where it was added, checked against its hash.
fn reread(document: &Document) -> Result<Arc<[u8]>> {
    document.read_original().map(Arc::from).map_err(|gone| {
        Error::invalid(match gone {
            OriginalGone::NoPath => "there is no file to read it from".to_owned(),
            OriginalGone::Unreadable { path, error } => {
                format!("the file can no longer be read at {path} ({error}); add it again")
            }
            OriginalGone::Changed { path } => format!("the file at {path} changed after it was added; add it again"),
        })
    })
}

/// Moves a document from `from` to `to` if it is still in `from` (not cancelled or deleted).
fn advance(db: &Database, id: DocumentId, from: DocStatus, to: DocStatus) -> Result<Option<Document>> {
    db.write(|tx| {
        let changed = tx
            .execute(
                "UPDATE documents SET status = ?3, error = NULL, updated_at = ?4,
                        worker = CASE WHEN ?3 IN ('extracting', 'embedding') THEN ?5 END
                 WHERE id = ?1 AND status = ?2",
                params![
                    id.to_string(),
                    from.as_str(),
                    to.as_str(),
                    codec::to_db(codec::now()),
                    super::lease::this_worker()
                ],
            )
            .context("advancing a document")?;
        if changed == 0 { Ok(None) } else { documents::load(tx, id).map(Some) }
    })
}

/// Whether the document is still in `status` (it has not been cancelled or deleted meanwhile).
fn still(db: &Database, id: DocumentId, status: DocStatus) -> Result<bool> {
    db.read(|conn| {
        conn.query_row("SELECT status FROM documents WHERE id = ?1", [id.to_string()], |r| r.get::<_, String>(0))
            .optional()
            .context("checking a document's status")
            .map(|s| s.as_deref() == Some(status.as_str()))
    })
}

/// Embeds chunks in batches of about [`BATCH_TOKENS`], shortest first so that each batch pads
/// little, and returns the vectors in the chunks' order. After each batch `go_on` says whether
/// to continue; `None` means it said no.
fn embed_all(
    embedder: &dyn Embedder,
    chunks: &[Chunk],
    go_on: &mut dyn FnMut(usize) -> Result<bool>,
) -> Result<Option<Vec<Vec<f32>>>> {
    let mut order: Vec<usize> = (0..chunks.len()).collect();
    order.sort_by_key(|&i| chunks[i].embedded_tokens);
    let mut vectors = vec![Vec::new(); chunks.len()];
    let mut finished = 0;
    let mut start = 0;
    while start < order.len() {
        // Sorted ascending, so the batch's last chunk is its longest: padding is to that length.
        let mut end = start + 1;
        while end < order.len() && (end - start + 1) * (chunks[order[end]].embedded_tokens + 2) <= BATCH_TOKENS {
            end += 1;
        }
        let owned: Vec<String> = order[start..end].iter().map(|&i| chunks[i].embedded_text()).collect();
        let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
        for (&i, vector) in order[start..end].iter().zip(embedder.embed(&texts)?) {
            vectors[i] = vector;
        }
        finished += end - start;
        if !go_on(finished)? {
            return Ok(None);
        }
        start = end;
    }
    Ok(Some(vectors))
}

/// Stores the chunks and vectors and marks the document ready, in one transaction, unless it
/// was cancelled or deleted meanwhile (then nothing is stored). Returns the chunk ids in order.
fn store_ready(
    db: &Database,
    id: DocumentId,
    chunks: &[Chunk],
    Facts { pages, title, ocr }: Facts,
    vectors: &[Vec<f32>],
    model_id: &str,
) -> Result<Option<(Document, Vec<i64>)>> {
    db.write(|tx| {
        let status: Option<String> = tx
            .query_row("SELECT status FROM documents WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()
            .context("checking a document before storing it")?;
        if status.as_deref() != Some(DocStatus::Embedding.as_str()) {
            return Ok(None);
        }
        let mut insert_chunk = tx
            .prepare_cached(
                "INSERT INTO chunks (document_id, ordinal, text, page, char_start, char_end, token_count,
                                     heading_path, context, boxes, ocr_confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .context("preparing chunk insert")?;
        let mut insert_vector = tx
            .prepare_cached("INSERT INTO chunk_vectors (chunk_id, model_id, vector) VALUES (?1, ?2, ?3)")
            .context("preparing vector insert")?;
        let mut chunk_ids = Vec::with_capacity(chunks.len());
        for (chunk, vector) in chunks.iter().zip(vectors) {
            insert_chunk
                .execute(params![
                    id.to_string(),
                    chunk.ordinal as i64,
                    chunk.text,
                    chunk.page,
                    chunk.char_start as i64,
                    chunk.char_end as i64,
                    chunk.token_count as i64,
                    chunk.heading_path.join(PATH_SEPARATOR),
                    chunk.context,
                    PageBox::to_stored(&chunk.boxes),
                    chunk.ocr_confidence,
                ])
                .context("storing a chunk")?;
            let chunk_id = tx.last_insert_rowid();
            insert_vector.execute(params![chunk_id, model_id, vectors::to_blob(vector)]).context("storing a vector")?;
            chunk_ids.push(chunk_id);
        }
        tx.execute(
            "UPDATE documents SET status = 'ready', error = NULL, chunk_count = ?2, pages = ?3, updated_at = ?4,
                                  title = ?5, ocr_pages = ?6, ocr_confidence = ?7
             WHERE id = ?1",
            params![
                id.to_string(),
                chunks.len() as i64,
                pages,
                codec::to_db(codec::now()),
                title,
                ocr.pages,
                ocr.confidence
            ],
        )
        .context("marking a document ready")?;
        Ok(Some((documents::load(tx, id)?, chunk_ids)))
    })
}

/// Records why a document failed, unless it left `stage` meanwhile (cancelled or deleted).
pub(super) fn fail(db: &Database, id: DocumentId, stage: DocStatus, error: &Error) -> Result<Document> {
    tracing::warn!(%id, %error, "document failed");
    db.write(|tx| {
        tx.execute(
            "UPDATE documents SET status = 'failed', error = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
            params![id.to_string(), stage.as_str(), error.to_string(), codec::to_db(codec::now())],
        )
        .context("recording a failure")?;
        documents::load(tx, id)
    })
}
