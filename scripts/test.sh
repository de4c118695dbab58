#!/usr/bin/env bash
# Runs every check and test Hearth has, after installing whatever is missing (scripts/setup.sh).
# Ends with one line `total: N passed, N failed`; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh || { echo "setup failed"; echo "total: 0 passed, 1 failed"; exit 1; }

logs=$(mktemp -d)
passed=0
failed=0
failed_steps=()
FEATURES=(--features hearth-app/custom-protocol)

# step NAME COMMAND...: runs the command, shows its output, and remembers whether it failed.
step() {
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  if "$@" 2>&1 | tee "$logs/$name.log"; then return 0; fi
  failed_steps+=("$name")
  return 1
}

# A step that is a check, not a test runner, counts as one test.
check() {
  if step "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

count_cargo() {
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$logs/$1.log" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$logs/$1.log" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

# The UI must be built before the app compiles: custom-protocol embeds ui/dist.
check ui-build npm --prefix ui run build --silent
check fmt cargo fmt --all --check
check clippy cargo clippy --workspace --all-targets "${FEATURES[@]}" -- -D warnings
check svelte-check npm --prefix ui run check --silent

# --no-fail-fast: one failing test binary must not hide the results (and the count) of the others.
if ! step cargo-test cargo test --workspace --no-fail-fast "${FEATURES[@]}"; then
  grep -q 'test result:' "$logs/cargo-test.log" || failed=$((failed + 1))
fi
count_cargo cargo-test

step vitest npx --prefix ui vitest run --root ui --reporter=default --reporter=json --outputFile.json="$logs/vitest.json"
if [ -f "$logs/vitest.json" ]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests)' "$logs/vitest.json")
  passed=$((passed + p)); failed=$((failed + f))
else
  failed=$((failed + 1))
fi

if step app-build cargo build -p hearth-app -p hearth-cli "${FEATURES[@]}"; then
  step e2e env -C tests/e2e xvfb-run -a -s "-screen 0 1280x800x24" \
    node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$logs/e2e.tap" sessions.test.mjs documents.test.mjs models.test.mjs daily.test.mjs reembed.test.mjs recovery.test.mjs writers.test.mjs scans.test.mjs
  if [ -f "$logs/e2e.tap" ] && grep -q '^# pass' "$logs/e2e.tap"; then
    passed=$((passed + $(awk '/^# pass/ {print $3}' "$logs/e2e.tap")))
    failed=$((failed + $(awk '/^# fail/ {print $3}' "$logs/e2e.tap")))
  else
    failed=$((failed + 1))
  fi
else
  failed=$((failed + 1))
fi

echo
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]} (logs in $logs)"; fi
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_steps[@]} -eq 0 ]
