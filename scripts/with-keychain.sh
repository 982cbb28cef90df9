#!/usr/bin/env bash
# Run a command with a private, unlocked Secret Service (gnome-keyring) on a
# private D-Bus session bus. Nothing touches the user's own keyring or HOME.
#
#   scripts/with-keychain.sh CMD [ARGS...]
#
# The exit status is CMD's. LTIKEYS_KEYCHAIN_TIMEOUT_SECS (whole seconds, 1 to
# 60, default 5) is how long to wait for the keychain: here for the daemon to
# come up, and in CMD for every keychain call ltikeys and the app make.
set -euo pipefail

die() {
  printf 'with-keychain: error: %s\n' "$*" >&2
  exit 1
}

if [[ $# -eq 0 || $1 == -h || $1 == --help ]]; then
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

# The range ltikeys takes (crates/core/src/secret.rs, Keychain::default); it ignores other values.
timeout_s=${LTIKEYS_KEYCHAIN_TIMEOUT_SECS:-5}
[[ $timeout_s =~ ^[0-9]+$ ]] && ((10#$timeout_s >= 1 && 10#$timeout_s <= 60)) ||
  die "LTIKEYS_KEYCHAIN_TIMEOUT_SECS must be whole seconds from 1 to 60, got '$timeout_s'"
timeout_s=$((10#$timeout_s))

# ---------------------------------------------------------------------------
# Outer part: throw-away directories, then re-run this script on a new bus.
# ---------------------------------------------------------------------------
if [[ -z ${_LTIKEYS_KEYCHAIN_INNER:-} ]]; then
  for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "'$tool' not found; run scripts/install-deps.sh --test (packages dbus, gnome-keyring)"
  done

  scratch=$(mktemp -d "${TMPDIR:-/tmp}/ltikeys-keychain.XXXXXX")
  # shellcheck disable=SC2317 # called from the trap
  cleanup_outer() {
    local i
    # Retry briefly: a process from the run may still be unmounting or writing.
    for ((i = 0; i < 20; i++)); do
      rm -rf -- "$scratch" 2>/dev/null && return 0
      sleep 0.1
    done
    rm -rf -- "$scratch" || printf 'with-keychain: warning: could not remove %s\n' "$scratch" >&2
  }
  trap cleanup_outer EXIT
  mkdir -p "$scratch/data" "$scratch/runtime" "$scratch/home" "$scratch/config" "$scratch/cache"
  chmod 700 "$scratch" "$scratch/runtime"

  # A session bus with no activatable services: nothing (portals, accessibility
  # bus) starts behind our back and outlives the run; gnome-keyring is started below.
  cat >"$scratch/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$scratch</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

  status=0
  _LTIKEYS_KEYCHAIN_INNER=1 \
    _LTIKEYS_KEYCHAIN_SCRATCH="$scratch" \
    XDG_DATA_HOME="$scratch/data" \
    XDG_RUNTIME_DIR="$scratch/runtime" \
    dbus-run-session --config-file="$scratch/session.conf" -- \
    bash "${BASH_SOURCE[0]}" "$@" || status=$?
  exit "$status"
fi

# ---------------------------------------------------------------------------
# Inner part: runs on the private session bus started by dbus-run-session.
# ---------------------------------------------------------------------------
unset _LTIKEYS_KEYCHAIN_INNER
scratch=${_LTIKEYS_KEYCHAIN_SCRATCH:?}
unset _LTIKEYS_KEYCHAIN_SCRATCH
[[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] || die "dbus-run-session did not provide a session bus"

daemon_pid=""

bus_call() {
  dbus-send --session --reply-timeout=2000 --print-reply=literal "$@" 2>/dev/null
}

secrets_owner_pid() {
  bus_call --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets |
    awk '{ print $NF }'
}

# shellcheck disable=SC2317 # called from the trap
stop_daemon() {
  # A test may have replaced the daemon (to unlock it again): stop whoever owns the name now.
  local pid
  pid=$(secrets_owner_pid || true)
  [[ $pid =~ ^[0-9]+$ ]] || pid=${daemon_pid:-}
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  printf 'with-keychain: warning: gnome-keyring-daemon (pid %s) ignored SIGTERM\n' "$pid" >&2
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { date +%s%3N; }
deadline=$(($(now_ms) + timeout_s * 1000))

password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
# No DISPLAY: the daemon must never try to show a prompt.
if ! printf '%s' "$password" |
  env -u DISPLAY -u WAYLAND_DISPLAY -u GNOME_KEYRING_CONTROL \
    HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null; then
  die "gnome-keyring-daemon --unlock --components=secrets failed to start"
fi
export LTIKEYS_TEST_KEYRING_PASSWORD=$password # a throw-away keyring: tests lock and unlock it

# The daemon forks; it takes its bus name a few milliseconds later.
until [[ $(bus_call --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets || true) == *true* ]]; do
  (($(now_ms) < deadline)) ||
    die "org.freedesktop.secrets has no owner after ${timeout_s}s (gnome-keyring-daemon did not register)"
  sleep 0.05
done
daemon_pid=$(secrets_owner_pid || true)

# --unlock exits 0 even when unlocking failed: check the default collection.
until locked=$(bus_call --dest=org.freedesktop.secrets /org/freedesktop/secrets/aliases/default \
  org.freedesktop.DBus.Properties.Get \
  string:org.freedesktop.Secret.Collection string:Locked) && [[ $locked == *"boolean false"* ]]; do
  (($(now_ms) < deadline)) ||
    die "the default Secret Service collection is not unlocked after ${timeout_s}s (Locked: ${locked:-no answer})"
  sleep 0.05
done

status=0
"$@" || status=$?
exit "$status"
