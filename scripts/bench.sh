#!/usr/bin/env bash
# Key-generation and signing benchmark against `openssl genpkey`, in one run: in process (the
# rsa crate, aws-lc-rs with one prime search, the app's raced generation) and as whole
# processes (`ltikeys key new` storing into a private keychain, against `openssl genpkey`
# writing a file). Release build; LTIKEYS_BENCH_RUNS sets runs per key size. Then 500 JWKS
# URLs checked four at a time and CHECK_CONCURRENCY at a time (LTIKEYS_BENCH_URLS sets how many).
#
#   scripts/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v openssl >/dev/null 2>&1 ||
  echo "bench: openssl not found; its column will be empty (apt-get install openssl)" >&2
target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
cargo build --release -p ltikeys
export LTIKEYS_BIN="$target_dir/release/ltikeys"
bash scripts/with-keychain.sh cargo bench -p ltikeys-core --bench keygen "$@"
cargo bench -p ltikeys-core --bench checks
