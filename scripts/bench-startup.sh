#!/usr/bin/env bash
# Start-up benchmark: the time from launching built app binaries (release builds,
# say) to their first screen, on a fresh data directory holding a few tools each
# run. Two binaries run interleaved (A B A B ...) in one session and the ratios
# AFTER / BEFORE of the medians are printed.
#
#   scripts/bench-startup.sh [BEFORE_APP [AFTER_APP]]
#   scripts/bench-startup.sh --against-minimal [APP]
#
# --against-minimal builds the minimal Tauri app (tests/minimal-app) and the app
# (default target/release/ltikeys-app) in release, and runs the minimal one as
# BEFORE: the ratios say what the app costs over Tauri's own start and memory.
#
# No argument: LTIKEYS_APP_BIN alone. Each app's data directory is filled by the
# `ltikeys` next to it (ltikeys-app -> ltikeys in its file name, so
# before-ltikeys-app goes with before-ltikeys), or by LTIKEYS_CLI_BIN. Optional:
# LTIKEYS_BENCH_RUNS (15), LTIKEYS_BENCH_WARMUP (1, not counted),
# LTIKEYS_BENCH_TOOLS (5), LTIKEYS_BENCH_JSON (the summary, default
# <target>/bench-startup.json), LTIKEYS_BENCH_UI_BEFORE / LTIKEYS_BENCH_UI_AFTER
# (the ui/dist each app was built from, for its size), LTIKEYS_BENCH_SCREENSHOTS=1
# (what each app shows at the end of its last run, as a PNG among the artifacts).
# Each run also reads the memory of the app and its WebKit processes (PSS and RSS).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

die() {
  printf 'bench-startup: error: %s\n' "$*" >&2
  exit 1
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi
against_minimal=0
if [[ ${1:-} == --against-minimal ]]; then
  against_minimal=1
  shift
  (($# <= 1)) || die "--against-minimal takes at most one app binary, got $#"
fi
(($# <= 2)) || die "at most two app binaries (BEFORE and AFTER), got $#"

apps=("$@")
if ((${#apps[@]} == 0 && !against_minimal)); then
  [[ -n ${LTIKEYS_APP_BIN:-} ]] || die "no app binary: pass BEFORE_APP [AFTER_APP] or set LTIKEYS_APP_BIN"
  apps=("$LTIKEYS_APP_BIN")
fi
labels=(before after)
((${#apps[@]} == 2)) || labels=(app)
ui_dists=("${LTIKEYS_BENCH_UI_BEFORE:-}" "${LTIKEYS_BENCH_UI_AFTER:-}")

targets=()
if ((against_minimal)); then
  npm run ui:build
  cargo build --release -p ltikeys-app -p ltikeys -p ltikeys-minimal-app
  release_dir=$(cargo metadata --format-version 1 --no-deps |
    node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')/release
  ((${#apps[@]} == 1)) || apps=("$release_dir/ltikeys-app")
  targets+=("minimal=$release_dir/ltikeys-minimal-app,ready=#ready")
  labels=(app)
  ui_dists=(ui/dist)
fi
for i in "${!apps[@]}"; do
  [[ -f ${apps[$i]} ]] || die "app binary ${apps[$i]} not found"
  spec="${labels[$i]}=${apps[$i]}"
  [[ -z ${ui_dists[$i]} ]] || spec+=",ui=${ui_dists[$i]}"
  targets+=("$spec")
done

for tool in xvfb-run node; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/install-deps.sh --test"
done
# tauri-driver lives in cargo's bin directory, which a CI shell may not have on PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
[[ -n $target_dir ]] || die "could not read target_directory from cargo metadata"

cargo build --release -p ltikeys-e2e --bin bench-startup
bench="$target_dir/release/bench-startup"

options=(
  --runs "${LTIKEYS_BENCH_RUNS:-15}"
  --warmup "${LTIKEYS_BENCH_WARMUP:-1}"
  --tools "${LTIKEYS_BENCH_TOOLS:-5}"
  --json "${LTIKEYS_BENCH_JSON:-$target_dir/bench-startup.json}"
)
[[ ${LTIKEYS_BENCH_SCREENSHOTS:-0} == 0 ]] || options+=(--screenshots)

export LTIKEYS_E2E_ARTIFACTS="${LTIKEYS_E2E_ARTIFACTS:-$target_dir/bench-startup-artifacts}"
exec bash scripts/with-keychain.sh \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  "$bench" "${options[@]}" "${targets[@]}"
