#!/usr/bin/env bash
# cargo deny on the Rust dependencies (deny.toml): licenses, sources, bans, and
# advisories from the RustSec copy in supply-chain/advisory-db (its date is in
# supply-chain/advisory-db/SNAPSHOT; scripts/update-advisories.sh refreshes it).
# Offline: cargo deny fetches nothing. Warnings (duplicate versions) are shown
# with `cargo deny check bans`; this prints errors only.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v cargo-deny >/dev/null 2>&1 || {
  echo "deny: cargo-deny not found; run scripts/install-deps.sh --test" >&2
  exit 1
}

# cargo deny reads the database as a git checkout, in a folder named after its URL
# (deny.toml: db-path and db-urls), and dates it by its HEAD commit.
snapshot=supply-chain/advisory-db
db=.advisory-db/advisory-db-3157b0e258782691
date=$(sed -n 's/^date //p' "$snapshot/SNAPSHOT")
rm -rf "$db"
mkdir -p "$db"
cp -r "$snapshot/crates" "$db/crates"
git -C "$db" init -q
git -C "$db" add -A
GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
  git -C "$db" -c user.name=snapshot -c user.email=snapshot@localhost commit -q -m "advisory-db $(sed -n 's/^commit //p' "$snapshot/SNAPSHOT")"

echo "advisories as of $date ($(sed -n 's/^crates //p' "$snapshot/SNAPSHOT") crates of Cargo.lock have any)"
cargo deny --offline --log-level error check --hide-inclusion-graph \
  advisories licenses sources bans
