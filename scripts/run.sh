#!/usr/bin/env bash
# Builds Hearth (installing whatever is missing) and opens the window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build --silent
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: run this from a desktop session (or under xvfb-run)." >&2
  exit 1
fi
# The same packages and features as scripts/test.sh, so the two commands share one build (Cargo
# unifies features per build: a different selection recompiles). This also builds `hearth`.
cargo build -p hearth-app -p hearth-cli --features hearth-app/custom-protocol
exec "${CARGO_TARGET_DIR:-target}/debug/hearth-app" "$@"
