//! The TypeScript bindings in `ui/src/lib/api/bindings/` are generated from the DTOs and
//! committed. This test fails when they are stale; `UPDATE_BINDINGS=1 cargo test -p hearth-app
//! bindings` rewrites them.

use std::path::PathBuf;

use ts_rs::TS;

use hearth_core::chat::llm::servers::DetectedServer;
use hearth_core::chat::llm::{Finish, Generation, PromptMessage, PromptRole};
use hearth_core::chat::prompt::TokenCounts;
use hearth_core::chat::{PromptRecord, Retrieval, SourceRecord, Timings, TurnRecord};
use hearth_core::ingest::documents::DocStatus;
use hearth_core::models::discovery::{FoundModel, ModelSource};
use hearth_core::models::embedding::EmbeddingCompute;
use hearth_core::models::gguf::GgufInfo;
use hearth_core::retrieval::{ComponentRank, Mode};
use hearth_core::sessions::messages::Role;
use hearth_core::settings::{LlmBackendKind, Theme};
use hearth_core::store::secrets::KeptIn;

use crate::dto::*;
use crate::error::{ErrorCode, IpcError};

fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/api/bindings")
}

fn check<T: TS + 'static>(stale: &mut Vec<String>) {
    let path = bindings_dir().join(T::output_path().expect("every DTO has export_to"));
    let fresh = T::export_to_string().expect("export");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    } else if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn bindings_are_fresh() {
    let mut stale = Vec::new();
    check::<ErrorCode>(&mut stale);
    check::<IpcError>(&mut stale);
    check::<SessionDto>(&mut stale);
    check::<SessionPageDto>(&mut stale);
    check::<ScopeDto>(&mut stale);
    check::<ScopeKind>(&mut stale);
    check::<CollectionDto>(&mut stale);
    check::<ImportedDto>(&mut stale);
    check::<WatchedFolderDto>(&mut stale);
    check::<FolderScanDto>(&mut stale);
    check::<ReembeddingDto>(&mut stale);
    check::<ChatMessageDto>(&mut stale);
    check::<CreateSessionRequest>(&mut stale);
    check::<AddMessageRequest>(&mut stale);
    check::<DocumentDto>(&mut stale);
    check::<DocumentPageDto>(&mut stale);
    check::<ChunkDto>(&mut stale);
    check::<DocumentDetailDto>(&mut stale);
    check::<AddedDocumentDto>(&mut stale);
    check::<DocumentProgressDto>(&mut stale);
    check::<SearchRequest>(&mut stale);
    check::<ComponentRankDto>(&mut stale);
    check::<SearchHitDto>(&mut stale);
    check::<TextRunDto>(&mut stale);
    check::<PassageDto>(&mut stale);
    check::<PageBoxDto>(&mut stale);
    check::<PageImageDto>(&mut stale);
    check::<TurnEventDto>(&mut stale);
    check::<ChatReplyDto>(&mut stale);
    check::<ChatSettingsDto>(&mut stale);
    check::<LlmSettingsDto>(&mut stale);
    check::<IngestSettingsDto>(&mut stale);
    check::<BackupSettingsDto>(&mut stale);
    check::<BackupInfoDto>(&mut stale);
    check::<StartupProblemDto>(&mut stale);
    check::<RecoverRequest>(&mut stale);
    check::<RecoveredDto>(&mut stale);
    check::<SettingsDto>(&mut stale);
    check::<SaveLlmSettings>(&mut stale);
    check::<SaveSettingsRequest>(&mut stale);
    check::<Theme>(&mut stale);
    check::<EmbeddingCompute>(&mut stale);
    check::<LlmBackendKind>(&mut stale);
    check::<TurnRecord>(&mut stale);
    check::<Retrieval>(&mut stale);
    check::<SourceRecord>(&mut stale);
    check::<ComponentRank>(&mut stale);
    check::<Mode>(&mut stale);
    check::<Role>(&mut stale);
    check::<DocStatus>(&mut stale);
    check::<PromptRecord>(&mut stale);
    check::<TokenCounts>(&mut stale);
    check::<PromptMessage>(&mut stale);
    check::<PromptRole>(&mut stale);
    check::<Finish>(&mut stale);
    check::<Timings>(&mut stale);
    check::<Generation>(&mut stale);
    check::<GgufInfo>(&mut stale);
    check::<FoundModel>(&mut stale);
    check::<ModelSource>(&mut stale);
    check::<DetectedServer>(&mut stale);
    check::<KeptIn>(&mut stale);
    assert!(
        stale.is_empty(),
        "stale TypeScript bindings (run `UPDATE_BINDINGS=1 cargo test -p hearth-app bindings`): {stale:?}"
    );
}
