//! Collections: named sets of library documents ("R manuals", "Tax 2026"), made in the library,
//! that a chat can be limited to (`sessions::scope`). The `collections` and
//! `collection_documents` tables.
//!
//! Owns: creating, listing, renaming and deleting collections and their membership. A document
//! may be in several collections; deleting a document takes it out of all of them (the foreign
//! key), and deleting a collection leaves its documents in the library and turns the chats that
//! searched it to the whole library. Uses [`crate::store`] and checks documents exist in the
//! library's table.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::error::{Error, Result, StorageContext};
use crate::store::Database;
use crate::store::codec;
use crate::store::ids::{CollectionId, DocumentId};
use crate::text;

/// Longest collection name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A named set of library documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    pub id: CollectionId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Its documents, in the order they were added.
    pub document_ids: Vec<DocumentId>,
}

/// Creates a collection named `name` (unique, ignoring case) holding `documents`.
pub fn create(db: &Database, name: &str, documents: &[DocumentId]) -> Result<Collection> {
    let name = text::required("collection name", name, MAX_NAME_CHARS)?;
    let id = CollectionId::new();
    db.write(|tx| {
        ensure_name_free(tx, &name, None)?;
        tx.execute(
            "INSERT INTO collections (id, name, created_at) VALUES (?1, ?2, ?3)",
            params![id, name, codec::to_db(codec::now())],
        )
        .context("creating a collection")?;
        insert_documents(tx, id, documents)?;
        load(tx, id)
    })
}

/// Every collection, by name.
pub fn list(db: &Database) -> Result<Vec<Collection>> {
    db.read(|conn| {
        let mut stmt = conn
            .prepare_cached("SELECT id FROM collections ORDER BY name COLLATE NOCASE, id")
            .context("preparing the collection list")?;
        let ids: Vec<CollectionId> = stmt
            .query_map([], |row| codec::uuid(row, 0).map(CollectionId))
            .context("listing collections")?
            .collect::<rusqlite::Result<_>>()
            .context("reading collections")?;
        ids.into_iter().map(|id| load(conn, id)).collect()
    })
}

/// One collection.
pub fn get(db: &Database, id: CollectionId) -> Result<Collection> {
    db.read(|conn| load(conn, id))
}

/// The collection with this id, or else this name (ignoring case): what a person types.
pub fn find(db: &Database, id_or_name: &str) -> Result<Collection> {
    if let Ok(id) = CollectionId::parse(id_or_name) {
        return get(db, id);
    }
    let name = id_or_name.trim();
    db.read(|conn| {
        let id = conn
            .query_row("SELECT id FROM collections WHERE name = ?1", [name], |row| codec::uuid(row, 0))
            .optional()
            .context("finding a collection by name")?;
        match id {
            Some(id) => load(conn, CollectionId(id)),
            None => Err(Error::not_found("collection", name)),
        }
    })
}

/// Renames a collection.
pub fn rename(db: &Database, id: CollectionId, name: &str) -> Result<Collection> {
    let name = text::required("collection name", name, MAX_NAME_CHARS)?;
    db.write(|tx| {
        ensure_name_free(tx, &name, Some(id))?;
        let changed = tx
            .execute("UPDATE collections SET name = ?2 WHERE id = ?1", params![id, name])
            .context("renaming a collection")?;
        if changed == 0 {
            return Err(Error::not_found("collection", id));
        }
        load(tx, id)
    })
}

/// Adds documents to a collection; ones already in it are skipped.
pub fn add(db: &Database, id: CollectionId, documents: &[DocumentId]) -> Result<Collection> {
    db.write(|tx| {
        load(tx, id)?;
        insert_documents(tx, id, documents)?;
        load(tx, id)
    })
}

/// Takes documents out of a collection (they stay in the library); ones not in it are ignored.
pub fn remove(db: &Database, id: CollectionId, documents: &[DocumentId]) -> Result<Collection> {
    db.write(|tx| {
        load(tx, id)?;
        for document in documents {
            tx.execute(
                "DELETE FROM collection_documents WHERE collection_id = ?1 AND document_id = ?2",
                params![id, document],
            )
            .context("taking a document out of a collection")?;
        }
        load(tx, id)
    })
}

/// Deletes a collection (not its documents). Chats limited to it search the whole library from
/// then on, in the same transaction, so none is left pointing at nothing.
pub fn delete(db: &Database, id: CollectionId) -> Result<()> {
    db.write(|tx| {
        tx.execute("UPDATE sessions SET scope = 'library', collection_id = NULL WHERE collection_id = ?1", [id])
            .context("moving chats off a deleted collection")?;
        let removed = tx.execute("DELETE FROM collections WHERE id = ?1", [id]).context("deleting a collection")?;
        if removed == 0 {
            return Err(Error::not_found("collection", id));
        }
        Ok(())
    })
}

pub(crate) fn load(conn: &Connection, id: CollectionId) -> Result<Collection> {
    let found = conn
        .query_row("SELECT name, created_at FROM collections WHERE id = ?1", [id], |row| {
            Ok((row.get::<_, String>(0)?, codec::timestamp(row, 1)?))
        })
        .optional()
        .context("loading a collection")?;
    let (name, created_at) = found.ok_or_else(|| Error::not_found("collection", id))?;
    Ok(Collection { id, name, created_at, document_ids: documents_of(conn, id)? })
}

/// The collection's documents, in the order they were added.
pub(crate) fn documents_of(conn: &Connection, id: CollectionId) -> Result<Vec<DocumentId>> {
    let mut stmt = conn
        .prepare_cached("SELECT document_id FROM collection_documents WHERE collection_id = ?1 ORDER BY rowid")
        .context("preparing a collection's documents")?;
    let ids = stmt
        .query_map([id], |row| codec::uuid(row, 0).map(DocumentId))
        .context("listing a collection's documents")?
        .collect::<rusqlite::Result<_>>()
        .context("reading a collection's documents")?;
    Ok(ids)
}

fn insert_documents(tx: &Transaction<'_>, id: CollectionId, documents: &[DocumentId]) -> Result<()> {
    let now = codec::to_db(codec::now());
    for document in documents {
        crate::ingest::documents::ensure_exists(tx, *document)?;
        tx.execute(
            "INSERT OR IGNORE INTO collection_documents (collection_id, document_id, added_at) VALUES (?1, ?2, ?3)",
            params![id, document, now],
        )
        .context("adding a document to a collection")?;
    }
    Ok(())
}

fn ensure_name_free(tx: &Transaction<'_>, name: &str, except: Option<CollectionId>) -> Result<()> {
    let taken: Option<String> = tx
        .query_row("SELECT id FROM collections WHERE name = ?1", [name], |row| row.get(0))
        .optional()
        .context("checking a collection name")?;
    match taken {
        Some(other) if except.is_none_or(|id| id.to_string() != other) => {
            Err(Error::invalid(format!("a collection named {name:?} already exists")))
        }
        _ => Ok(()),
    }
}
