#!/usr/bin/env bash
# Builds the Linux installers, a .deb and an .rpm, with Tauri's bundler, and prints where they are.
#
#   scripts/package.sh            release build: <target>/release/bundle/{deb,rpm}/
#   scripts/package.sh --debug    debug build (what scripts/test.sh installs and starts):
#                                 <target>/debug/bundle/{deb,rpm}/
#
# AppImage, .dmg and .msi are built the same way on machines that can fetch their bundler tools
# (see "Building installers" in the README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=release
args=()
if [[ ${1:-} == --debug ]]; then
  profile=debug
  args+=(--debug)
fi
target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
# Tauri's bundler reads the target directory from this variable, as cargo does.
export CARGO_TARGET_DIR="$target_dir"
npx tauri build "${args[@]}" --bundles deb,rpm --ci
shopt -s nullglob
packages=("$target_dir/$profile/bundle/deb/"*.deb "$target_dir/$profile/bundle/rpm/"*.rpm)
((${#packages[@]} == 2)) || {
  echo "package: expected one .deb and one .rpm, found: ${packages[*]:-none}" >&2
  exit 1
}
printf '%s\n' "${packages[@]}"
