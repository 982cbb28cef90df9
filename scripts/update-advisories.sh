#!/usr/bin/env bash
# Refreshes supply-chain/advisory-db, the copy of the RustSec advisory database
# that `cargo deny check advisories` reads in the test command (this machine's
# network cannot reach GitHub, where the database lives). Only the advisories of
# crates in Cargo.lock are kept. Run it after a dependency change, and whenever a
# newer copy of the database is at hand:
#
#   scripts/update-advisories.sh PATH_TO_ADVISORY_DB_CHECKOUT
#
# e.g. after `git clone https://github.com/rustsec/advisory-db /tmp/advisory-db`.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${1:?usage: scripts/update-advisories.sh PATH_TO_ADVISORY_DB_CHECKOUT}
[[ -d $src/crates ]] || { echo "update-advisories: $src has no crates/ folder" >&2; exit 1; }
dest=$repo_root/supply-chain/advisory-db

rm -rf "$dest"
mkdir -p "$dest/crates"
kept=0
while read -r name; do
  if [[ -d $src/crates/$name ]]; then
    cp -r "$src/crates/$name" "$dest/crates/$name"
    kept=$((kept + 1))
  fi
done < <(sed -n 's/^name = "\(.*\)"$/\1/p' "$repo_root/Cargo.lock" | sort -u)
{
  echo "commit $(git -C "$src" rev-parse HEAD)"
  echo "date $(git -C "$src" show -s --format=%cI HEAD)"
  echo "crates $kept"
} >"$dest/SNAPSHOT"
echo "kept the advisories of $kept crates of Cargo.lock:"
cat "$dest/SNAPSHOT"
