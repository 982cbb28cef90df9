//! What the CLI black-box tests share: a data directory per test, fixtures, the real keychain.
#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses part of it; helpers panic on broken set-ups.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Why a test is ignored: it needs the real Secret Service that scripts/with-keychain.sh starts
/// (the helpers below look at it with `secret-tool`).
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

    /// `ltikeys args` with no Secret Service to reach (its session bus is a path that does not
    /// exist), as on a machine whose keychain is down.
    #[cfg(target_os = "linux")]
    pub fn cmd_without_keychain(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd(args);
        cmd.env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ltikeys-test-bus",
        );
        cmd
    }

    /// Runs with no Secret Service to reach and nothing on stdin, and expects success; returns
    /// stdout.
    #[cfg(target_os = "linux")]
    pub fn ok_without_keychain(&self, args: &[&str]) -> String {
        let out = self
            .cmd_without_keychain(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ltikeys {args:?} without a keychain: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs with nothing on stdin (never a terminal: nothing asks).
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }

    /// Runs with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a `sh -c` script in which `$0` is ltikeys, for what a `Command` cannot say
    /// (`>&-`, `ulimit`).
    pub fn sh(&self, script: &str) -> Output {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_ltikeys"))
            .env("LTIKEYS_DATA_DIR", self.data.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
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

    /// Runs and expects success; returns stderr.
    pub fn ok_stderr(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "ltikeys {args:?} failed");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs and expects exit status `code`; returns stdout.
    pub fn code(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "ltikeys {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects the error exit (1) with an `error: ` message on stderr only; returns
    /// stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        self.error_exit(args, 1, "should exit 1")
    }

    /// Runs and expects clap's usage error: exit status 2, an `error: ` message on stderr only;
    /// returns stderr.
    pub fn usage_error(&self, args: &[&str]) -> String {
        self.error_exit(args, 2, "should be a usage error")
    }

    /// Runs and expects exit status `code` with an `error: ` message on stderr only; returns
    /// stderr. `should` says what was expected, for the failure message.
    fn error_exit(&self, args: &[&str], code: i32, should: &str) -> String {
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "ltikeys {args:?} {should}: {err}"
        );
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        assert!(err.starts_with("error: "), "{err}");
        err
    }

    /// Exports the private key of `kid` unencrypted to `out` (replacing it); returns the PEM.
    pub fn export_unencrypted(&self, tool: &str, kid: &str, out: &Path) -> String {
        self.ok(&[
            "key",
            "export-private",
            "--tool",
            tool,
            "--kid",
            kid,
            "--unencrypted",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ]);
        std::fs::read_to_string(out).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs a command that prints an id; returns it.
    pub fn id(&self, args: &[&str]) -> String {
        self.ok(args).trim().to_string()
    }

    /// Registers `tool` on `platform` under `client_id`; returns the registration's id.
    pub fn register(&self, tool: &str, platform: &str, client_id: &str) -> String {
        self.id(&[
            "registration",
            "add",
            "--tool",
            tool,
            "--platform",
            platform,
            "--client-id",
            client_id,
        ])
    }

    /// A tool with no keys; returns its id.
    pub fn tool(&self, name: &str) -> String {
        self.id(&["tool", "add", name])
    }

    /// Writes `text` to `name` in the scratch folder; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.scratch.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

/// A fixture of the core's tests (crates/core/tests/fixtures), e.g. `canvas/lint/x.json`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(name)
}

/// [`fixture_path`] as a command-line argument.
pub fn fixture(name: &str) -> String {
    fixture_path(name).display().to_string()
}

/// `tool add` of "Quiz Engine" with its launch, login and one redirect URL.
pub const ADD_QUIZ_ENGINE: [&str; 9] = [
    "tool",
    "add",
    "Quiz Engine",
    "--launch-url",
    "https://quiz.example.edu/lti/launch",
    "--login-url",
    "https://quiz.example.edu/lti/login",
    "--redirect-uri",
    "https://quiz.example.edu/lti/launch",
];

/// Adds the tool "Quiz Engine" with every URL; returns its id.
pub fn add_quiz_engine(env: &Env) -> String {
    env.id(&[
        &ADD_QUIZ_ENGINE[..],
        &[
            "--redirect-uri",
            "https://quiz.example.edu/lti/deep-link",
            "--jwks-url",
            "https://quiz.example.edu/.well-known/jwks.json",
            "--domain",
            "quiz.example.edu",
            "--description",
            "Quizzes",
        ],
    ]
    .concat())
}

/// A data directory with the tool "Quiz" (a launch URL, no keys).
pub fn quiz() -> Env {
    let env = Env::new();
    env.ok(&[
        "tool",
        "add",
        "Quiz",
        "--launch-url",
        "https://quiz.example.edu/launch",
    ]);
    env
}

/// A data directory with the tools "Quiz Engine" and "Video Notes" (no URLs, no keys).
pub fn two_tools() -> Env {
    let env = Env::new();
    env.tool("Quiz Engine");
    env.tool("Video Notes");
    env
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

/// The Python of the peer libraries' venv (`.venv`, made by scripts/install-deps.sh --test), or
/// `LTIKEYS_PYTHON`; `None` (the test then says it is skipped) only off CI.
pub fn peer_python() -> Option<std::path::PathBuf> {
    let python = std::env::var_os("LTIKEYS_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"));
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: run scripts/install-deps.sh --test",
        python.display()
    );
    eprintln!(
        "skipped: {} is missing (scripts/install-deps.sh --test makes it)",
        python.display()
    );
    None
}

/// The keys of `tool` as `key list --json` shows them: kid, status, private key state.
pub fn kids(env: &Env, tool: &str) -> Vec<(String, String, String)> {
    env.json(&["key", "list", "--tool", tool, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kid"].as_str().unwrap().to_string(),
                k["status"].as_str().unwrap().to_string(),
                k["private_key"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Verifies a client assertion with PyJWT against the JWKS in `jwks_file`, as a platform would
/// (tests/python/verify_assertion.py says what is checked). Skipped off CI without .venv.
pub fn verify_in_pyjwt(
    token: &str,
    jwks_file: &str,
    client_id: &str,
    audience: &str,
    deployment_id: &str,
) {
    let Some(python) = peer_python() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/verify_assertion.py");
    let run = Command::new(&python)
        .arg(&script)
        .args([token, jwks_file, client_id, audience, deployment_id])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "PyJWT: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}
