//! What the CLI black-box tests share: a data directory per test, the binary, and the real
//! Secret Service that scripts/with-keychain.sh starts (looked at with `secret-tool`).
#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses part of it; helpers panic on broken set-ups.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const KEYCHAIN: &str =
    "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored";

/// A fresh data directory and a scratch folder.
pub struct Env {
    pub data: tempfile::TempDir,
    pub scratch: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env {
            data: tempfile::tempdir().unwrap(),
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ltikeys"));
        cmd.args(args).env("LTIKEYS_DATA_DIR", self.data.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ltikeys {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure with an `error:` line; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "ltikeys {args:?} should have failed");
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("error: "), "{err}");
        err
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// A tool with no keys; returns its id.
    pub fn tool(&self, name: &str) -> String {
        self.ok(&["tool", "add", name]).trim().to_string()
    }
}

/// Whether the Secret Service holds an entry for `account` under the app's service.
pub fn in_keychain(account: &str) -> bool {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "ltikeys", "username", account])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("secret-tool (package libsecret-tools)");
    out.success()
}

/// Files an entry under the app's service behind the app's back.
pub fn put_in_keychain(account: &str, secret: &[u8]) {
    let mut child = Command::new("secret-tool")
        .args([
            "store", "--label", "test", "service", "ltikeys", "username", account,
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool (package libsecret-tools)");
    child.stdin.take().unwrap().write_all(secret).unwrap();
    assert!(child.wait().unwrap().success(), "secret-tool store");
}

/// Removes an entry behind the app's back.
pub fn clear_in_keychain(account: &str) {
    let status = Command::new("secret-tool")
        .args(["clear", "service", "ltikeys", "username", account])
        .status()
        .expect("secret-tool (package libsecret-tools)");
    assert!(status.success(), "secret-tool clear");
}

fn default_collection_locked() -> Option<bool> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/aliases/default",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("boolean true") {
        Some(true)
    } else if text.contains("boolean false") {
        Some(false)
    } else {
        None
    }
}

fn wait_until_locked(locked: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while default_collection_locked() != Some(locked) {
        assert!(
            Instant::now() < deadline,
            "the default collection did not become locked={locked}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Locks the default collection, as a screen lock or the user would.
pub fn lock_keychain() {
    let status = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "Secret Service Lock");
    wait_until_locked(true);
}

/// Unlocks it again with the throw-away password scripts/with-keychain.sh made (a new daemon
/// replaces the old one and opens the same keyring file).
pub fn unlock_keychain() {
    let password = std::env::var("LTIKEYS_TEST_KEYRING_PASSWORD")
        .expect("run under scripts/with-keychain.sh, which sets LTIKEYS_TEST_KEYRING_PASSWORD");
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets"])
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "gnome-keyring-daemon --replace --unlock"
    );
    wait_until_locked(false);
}

/// Where a test binary's temporary files may go.
pub fn scratch_file(env: &Env, name: &str, text: &str) -> PathBuf {
    let path = env.scratch.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}
