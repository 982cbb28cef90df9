#!/usr/bin/env bash
# npm audit of the code the app ships: the UI's production dependencies and Svelte (compiled
# into the bundle from a devDependency), with what they depend on. An advisory on those fails;
# one on a build or test tool only is listed. Where the registry's advisory endpoint cannot be
# reached, says so and passes, unless LTIKEYS_REQUIRE_NPM_AUDIT=1 (scripts/npm-audit/).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

answer=$(mktemp)
trap 'rm -f -- "$answer"' EXIT
status=0
timeout 120 npm audit --json >"$answer" 2>/dev/null || status=$?
node scripts/npm-audit/judge.mjs "$answer" "$status"
