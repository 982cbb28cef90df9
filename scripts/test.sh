#!/usr/bin/env bash
# The one command that installs what is missing and runs every check and test:
# formatting, type checks, UI tests, lints, Rust tests (with a real keychain),
# and the end-to-end test of the built app under Xvfb.
#
#   scripts/test.sh
#
# Reuses CARGO_TARGET_DIR when it is set. Benchmarks are separate: scripts/bench.sh.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

started=$SECONDS
step_started=$SECONDS
current_step="start-up"

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

step() {
  if [[ $current_step != "start-up" ]]; then
    printf -- '---- %s: ok (%s)\n' "$current_step" "$(fmt_time $((SECONDS - step_started)))"
  fi
  current_step=$1
  step_started=$SECONDS
  printf '\n==== [%s] %s ====\n' "$(fmt_time $((SECONDS - started)))" "$current_step"
}

# shellcheck disable=SC2317 # called from the trap
on_exit() {
  local status=$?
  if ((status == 0)); then
    printf -- '---- %s: ok (%s)\n' "$current_step" "$(fmt_time $((SECONDS - step_started)))"
    printf '\n==== ALL PASSED in %s ====\n' "$(fmt_time $((SECONDS - started)))"
  else
    printf '\n==== FAILED at step "%s" (exit %d) after %s ====\n' \
      "$current_step" "$status" "$(fmt_time $((SECONDS - started)))" >&2
  fi
}
trap on_exit EXIT

step "install dependencies (scripts/install-deps.sh --test)"
bash scripts/install-deps.sh --test
# tauri-driver lives in cargo's bin directory, which a CI shell may not have on PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# A CI run builds once: incremental caches would only double the target directory's size.
if [[ -n "${CI:-}" ]]; then
  export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi

step "cargo metadata (target directory)"
metadata=$(cargo metadata --format-version 1 --no-deps)
target_dir=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)' \
  <<<"$metadata")
[[ -n $target_dir ]] || {
  echo "could not read target_directory from cargo metadata" >&2
  exit 1
}
echo "target directory: $target_dir"

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "npm run typecheck"
npm run typecheck

step "npm run test:ui"
npm run test:ui

step "npm run ui:build"
npm run ui:build

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo deny (advisories, licenses, sources, bans; offline)"
bash scripts/deny.sh

step "npm audit of the packages the app ships (where the registry's advisories answer)"
node --test scripts/npm-audit/
bash scripts/npm-audit.sh

step "cargo test --workspace (with a private keychain, ignored tests included)"
bash scripts/with-keychain.sh \
  cargo test --workspace --exclude ltikeys-e2e -- --include-ignored

step "cargo build -p ltikeys-app -p ltikeys"
cargo build -p ltikeys-app -p ltikeys
app_bin="$target_dir/debug/ltikeys-app"
[[ -x $app_bin ]] || {
  echo "the app binary was not built at $app_bin" >&2
  exit 1
}

step "end-to-end test (built app, Xvfb, tauri-driver, private keychain)"
export LTIKEYS_APP_BIN="$app_bin"
if [[ -z ${LTIKEYS_E2E_ARTIFACTS:-} ]]; then
  # The default folder only holds the previous run's output: start clean.
  export LTIKEYS_E2E_ARTIFACTS="$target_dir/e2e-artifacts"
  rm -rf -- "$LTIKEYS_E2E_ARTIFACTS"
fi
echo "screenshots and logs: $LTIKEYS_E2E_ARTIFACTS"
bash scripts/with-keychain.sh \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -p ltikeys-e2e -- --include-ignored --test-threads=1

step "installers (.deb and .rpm built; the .deb installed with dpkg and started under Xvfb)"
bash scripts/test-installers.sh
