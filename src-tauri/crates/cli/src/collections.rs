//! `hearth collections …` and the `--scope` arguments of `hearth sessions`.

use hearth_core::Database;
use hearth_core::collections;
use hearth_core::sessions::Scope;

use crate::args::{CollectionsCommand, ScopeArgs, ScopeKind};
use crate::output::Out;

/// The scope typed as `--scope` and `--collection`; `None` when neither was given.
pub fn scope_of(db: &Database, args: &ScopeArgs) -> hearth_core::Result<Option<Scope>> {
    let invalid = |m: &str| hearth_core::Error::InvalidInput(m.to_owned());
    match (args.scope, &args.collection) {
        (None, None) => Ok(None),
        (Some(ScopeKind::Library), None) => Ok(Some(Scope::Library)),
        (Some(ScopeKind::Documents), None) => Ok(Some(Scope::Documents)),
        (Some(ScopeKind::Collection) | None, Some(name)) => {
            Ok(Some(Scope::Collection(collections::find(db, name)?.id)))
        }
        (Some(ScopeKind::Collection), None) => Err(invalid("--scope collection needs --collection NAME")),
        (Some(_), Some(_)) => Err(invalid("--collection goes with --scope collection")),
    }
}

/// Prints a collection with its documents' names.
fn show(db: &Database, out: &Out, collection: &collections::Collection) -> hearth_core::Result<()> {
    let names = collection
        .document_ids
        .iter()
        .map(|id| hearth_core::ingest::documents::get(db, *id).map(|d| d.name))
        .collect::<hearth_core::Result<Vec<_>>>()?;
    out.collection(collection, &names)
}

/// Runs a `hearth collections` command.
pub fn run(db: &Database, out: &Out, command: CollectionsCommand) -> hearth_core::Result<()> {
    match command {
        CollectionsCommand::Create { name, docs } => show(db, out, &collections::create(db, &name, &docs)?),
        CollectionsCommand::List => out.collections(&collections::list(db)?),
        CollectionsCommand::Show { collection } => show(db, out, &collections::find(db, &collection)?),
        CollectionsCommand::Add { collection, docs } => {
            show(db, out, &collections::add(db, collections::find(db, &collection)?.id, &docs)?)
        }
        CollectionsCommand::Remove { collection, docs } => {
            show(db, out, &collections::remove(db, collections::find(db, &collection)?.id, &docs)?)
        }
        CollectionsCommand::Rename { collection, name } => {
            show(db, out, &collections::rename(db, collections::find(db, &collection)?.id, &name)?)
        }
        CollectionsCommand::Rm { collection } => {
            let found = collections::find(db, &collection)?;
            collections::delete(db, found.id)?;
            out.done(&format!("deleted collection {} (its documents stay in the library)", found.name))
        }
    }
}
