// The command list, shared with the shell (src/commands/list.rs).
include!("src/commands/list.rs");

/// The names of the listed commands, as Tauri's permissions know them.
macro_rules! names {
    ($($module:ident::$name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

/// Every command the shell registers. Each gets an `allow-…` permission of its own, so the
/// window's capability (`capabilities/default.json`) can list exactly the ones the UI calls; a
/// command left out there is refused at the IPC boundary.
const COMMANDS: &[&str] = hearth_commands!(names);

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("the Tauri build step");
}
