#!/usr/bin/env bash
# The installers under test: builds the .deb and the .rpm (scripts/package.sh, debug profile by
# default so that the build of the end-to-end test is reused; --release for the release build),
# checks what each one holds, installs the .deb with dpkg, starts the installed app under Xvfb
# through the end-to-end harness (a tool created and a key generated in its window), and removes
# the package again. Needs root (or sudo) for dpkg; run from scripts/test.sh.
#
#   scripts/test-installers.sh [--release]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
  printf 'test-installers: error: %s\n' "$*" >&2
  exit 1
}
note() { printf 'test-installers: %s\n' "$*"; }

profile_arg=--debug
[[ ${1:-} == --release ]] && profile_arg=
sudo=()
((EUID == 0)) || sudo=(sudo)

mapfile -t built < <(bash scripts/package.sh $profile_arg | tail -n 2)
deb=${built[0]:-}
rpm=${built[1]:-}
[[ $deb == *.deb && -f $deb ]] || die "no .deb was built (got: ${built[*]:-nothing})"
[[ $rpm == *.rpm && -f $rpm ]] || die "no .rpm was built (got: ${built[*]:-nothing})"
note "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$rpm") ($(du -h "$rpm" | cut -f1))"

# What each package holds: the binary, the desktop entry, the icon at every size.
sizes=(16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512)
expect_files() {
  local what=$1 listing=$2
  local want=(/usr/bin/ltikeys-app)
  want+=("/usr/share/applications/LTI Key Manager.desktop")
  for size in "${sizes[@]}"; do
    want+=("/usr/share/icons/hicolor/$size/apps/ltikeys-app.png")
  done
  for file in "${want[@]}"; do
    grep -qxF -- "$file" <<<"$listing" || die "$what lacks $file; it holds:
$listing"
  done
}
deb_name=$(dpkg-deb --field "$deb" Package)
expect_files "the .deb" "$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|^\([^/]\)|/\1|')"
if command -v rpm >/dev/null 2>&1; then
  rpm -qip "$rpm" >/dev/null || die "rpm cannot read $rpm"
  expect_files "the .rpm" "$(rpm -qlp "$rpm")"
else
  note "rpm is not installed: the .rpm was built but its contents not listed (apt-get install rpm)"
fi

# Installed with dpkg, as a user would, and started.
if dpkg-query -W -f='${Status}' "$deb_name" 2>/dev/null | grep -q 'install ok installed'; then
  die "$deb_name is installed on this machine already: remove it first (dpkg -r $deb_name)"
fi
"${sudo[@]}" dpkg -i "$deb" || die "dpkg -i $deb failed (missing dependencies?)"
remove() { "${sudo[@]}" dpkg -r "$deb_name" >/dev/null || note "could not remove $deb_name"; }
trap remove EXIT
installed=$(dpkg-query -L "$deb_name")
expect_files "the installed package" "$installed"
grep -q '^Exec=ltikeys-app' "/usr/share/applications/LTI Key Manager.desktop" ||
  die "the desktop entry does not start ltikeys-app"

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')
export LTIKEYS_APP_BIN=/usr/bin/ltikeys-app
# The .deb holds the window; the command line the harness seeds with comes from the build.
export LTIKEYS_CLI_BIN="$target_dir/debug/ltikeys"
[[ -x $LTIKEYS_CLI_BIN ]] || cargo build -p ltikeys
export LTIKEYS_E2E_ARTIFACTS="${LTIKEYS_E2E_ARTIFACTS:-$target_dir/e2e-artifacts}/installed"
note "starting the installed /usr/bin/ltikeys-app under Xvfb"
bash scripts/with-keychain.sh \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -p ltikeys-e2e --test app -- --include-ignored --exact create_tool_and_generate_keys
note "the installed app started, made a tool and a key; removing $deb_name"
