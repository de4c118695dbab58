//! The command names live in one list (`commands/list.rs`, which registers the handlers and gives
//! each its permission). The window's capability and the UI's wrappers name commands too; these
//! tests fail when either names one that is not in the list, or the list has one that nothing
//! grants or calls.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::commands::COMMANDS;

/// Registered but deliberately not granted to the window: the window asks through
/// `send_message` (a chat turn), never by writing messages itself.
const NOT_FOR_THE_WINDOW: &[&str] = &["add_message"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Hearth commands the window's capability grants (`allow-get-session` → `get_session`).
fn granted() -> BTreeSet<String> {
    let path = repo().join("src-tauri/capabilities/default.json");
    let capability: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    capability["permissions"]
        .as_array()
        .expect("a list of permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':')) // plugins' and core's permissions
        .map(|p| p.strip_prefix("allow-").expect("Hearth permissions are allow-…").replace('-', "_"))
        .collect()
}

/// The commands the UI's wrappers call: every `call<…>("name"` in `ui/src/lib/api/*.ts`.
fn called_by_the_ui() -> BTreeSet<String> {
    let dir = repo().join("ui/src/lib/api");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".ts") || name.ends_with(".test.ts") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (at, _) in source.match_indices("call<") {
            if source[..at].ends_with("function ") {
                continue; // `call` itself, in invoke.ts
            }
            let call = &source[at..];
            let name = call.split_once(">(\"").and_then(|(_, rest)| rest.split_once('"')).map(|(name, _)| name);
            names.insert(name.unwrap_or_else(|| panic!("a call in {path:?} names its command literally")).to_owned());
        }
    }
    names
}

#[test]
fn the_capability_grants_exactly_the_listed_commands_the_window_may_use() {
    let listed: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    let granted = granted();
    let unknown: Vec<_> = granted.difference(&listed).collect();
    assert!(unknown.is_empty(), "capabilities/default.json grants commands that are not registered: {unknown:?}");
    let expected: BTreeSet<String> =
        listed.iter().filter(|c| !NOT_FOR_THE_WINDOW.contains(&c.as_str())).cloned().collect();
    let missing: Vec<_> = expected.difference(&granted).collect();
    assert!(
        missing.is_empty(),
        "registered commands the window is not granted (grant them or say why not): {missing:?}"
    );
    assert!(NOT_FOR_THE_WINDOW.iter().all(|c| !granted.contains(*c)));
}

#[test]
fn the_ui_calls_exactly_the_granted_commands() {
    let granted = granted();
    let called = called_by_the_ui();
    let refused: Vec<_> = called.difference(&granted).collect();
    assert!(refused.is_empty(), "the UI calls commands the window is not granted: {refused:?}");
    let unused: Vec<_> = granted.difference(&called).collect();
    assert!(unused.is_empty(), "granted commands no wrapper in ui/src/lib/api calls: {unused:?}");
}
