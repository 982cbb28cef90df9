#!/usr/bin/env bash
# Install what is missing, build LTI Key Manager and open its window.
#
#   scripts/run.sh [--release]
#
# LTIKEYS_DATA_DIR points the app at another data directory (default: the OS's).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

profile=()
for arg in "$@"; do
  case $arg in
    --release) profile=(--release) ;;
    *)
      printf 'run: unknown argument: %s (usage: scripts/run.sh [--release])\n' "$arg" >&2
      exit 2
      ;;
  esac
done

bash scripts/install-deps.sh
npm run ui:build
exec cargo run -p ltikeys-app "${profile[@]}"
