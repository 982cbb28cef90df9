#!/usr/bin/env bash
# The window's list screens at scale: fills a data directory as the list benchmark
# does (500 tools with 3 keys each, 1,000 platforms, 10,000 registrations), then
# times in the app's window under Xvfb how long each list screen takes to show and
# each filter to answer a key (tests/src/bin/bench-window.rs says how).
#
#   scripts/bench-window.sh [APP]
#
# APP defaults to LTIKEYS_APP_BIN, else target/release/ltikeys-app (built first).
# LTIKEYS_BENCH_RUNS (5): runs of each moment.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
app=${1:-${LTIKEYS_APP_BIN:-}}
if [[ -z $app ]]; then
  npm run ui:build
  cargo build --release -p ltikeys-app
  app=$target_dir/release/ltikeys-app
fi
[[ -x $app ]] || { echo "bench-window: $app is not an app binary" >&2; exit 1; }

data=$(mktemp -d "${TMPDIR:-/tmp}/ltikeys-bench-window.XXXXXX")
trap 'rm -rf -- "$data"' EXIT
LTIKEYS_BENCH_FILL=$data cargo bench -p ltikeys --bench lists
cargo build --release -p ltikeys-e2e --bin bench-window
# The command line makes a change while the window is open (one of the moments).
cargo build --release -p ltikeys
export LTIKEYS_CLI_BIN=$target_dir/release/ltikeys

export LTIKEYS_APP_BIN=$app
export LTIKEYS_E2E_ARTIFACTS="${LTIKEYS_E2E_ARTIFACTS:-$target_dir/bench-window-artifacts}"
bash scripts/with-keychain.sh \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  "$target_dir/release/bench-window" --data "$data" --runs "${LTIKEYS_BENCH_RUNS:-5}"
