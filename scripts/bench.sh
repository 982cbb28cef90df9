#!/usr/bin/env bash
# Key-generation and signing benchmark: the rsa crate and aws-lc-rs against
# `openssl genpkey`. Release build; LTIKEYS_BENCH_RUNS sets runs per key size.
#
#   scripts/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v openssl >/dev/null 2>&1 ||
  echo "bench: openssl not found; its column will be empty (apt-get install openssl)" >&2
exec cargo bench -p ltikeys-core --bench keygen "$@"
