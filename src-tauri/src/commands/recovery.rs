//! When the database did not open at start: why, and (for a damaged file) the way out — the
//! newest automatic backup that passes its check, or an empty library — with the damaged file
//! kept aside either way (`hearth_core::store::integrity`).

use hearth_core::store::{backup, integrity, paths};
use tauri::{AppHandle, State};

use crate::dto::{RecoverRequest, RecoveredDto, StartupProblemDto};
use crate::error::{CommandResult, ErrorCode, IpcError};
use crate::state::{AppState, blocking};

/// Why the library did not open at start, or null when it did.
#[tauri::command]
pub async fn startup_problem(state: State<'_, AppState>) -> CommandResult<Option<StartupProblemDto>> {
    let Some(problem) = state.problem() else { return Ok(None) };
    let backups = match problem.code {
        ErrorCode::Damaged => blocking(|| integrity::usable_backups(&paths::data_dir()?)).await?,
        _ => Vec::new(),
    };
    Ok(Some(StartupProblemDto {
        code: problem.code,
        message: problem.message,
        backups: backups.into_iter().map(Into::into).collect(),
    }))
}

/// Puts the backup `request.backup` in the damaged database's place, or (with none) sets the
/// damaged file aside for an empty library; then opens the library and starts its work.
#[tauri::command]
pub async fn recover_database(
    app: AppHandle,
    state: State<'_, AppState>,
    request: RecoverRequest,
) -> CommandResult<RecoveredDto> {
    if state.engine().is_some() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the library is open: there is nothing to recover"));
    }
    let recovered = blocking(move || {
        let data_dir = paths::data_dir()?;
        Ok(match request.backup {
            Some(file) => {
                let restored = backup::restore(&data_dir, std::path::Path::new(&file))?;
                RecoveredDto {
                    restored: Some(restored.backup.into()),
                    set_aside: restored.previous.map(|p| p.display().to_string()),
                }
            }
            None => {
                RecoveredDto { restored: None, set_aside: Some(integrity::set_aside(&data_dir)?.display().to_string()) }
            }
        })
    })
    .await?;
    let engine = state.reopen()?;
    crate::start(&app, &engine).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(recovered)
}
