//! `ltikeys` as a black box: the command-line contract, against the real OS keychain where one
//! is needed (scripts/with-keychain.sh provides a private one).
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

const KEYCHAIN: &str =
    "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored";

struct Env {
    data: tempfile::TempDir,
    scratch: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            data: tempfile::tempdir().unwrap(),
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ltikeys"));
        cmd.args(args).env("LTIKEYS_DATA_DIR", self.data.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs a `sh -c` script in which `$0` is ltikeys, for what a `Command` cannot say
    /// (`>&-`, `ulimit`).
    fn sh(&self, script: &str) -> Output {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_ltikeys"))
            .env("LTIKEYS_DATA_DIR", self.data.path())
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ltikeys {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "ltikeys {args:?} should have failed");
        assert!(out.stdout.is_empty(), "errors go to stderr only");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.scratch.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn add_tool(env: &Env) -> String {
    env.ok(&[
        "tool",
        "add",
        "Quiz Engine",
        "--launch-url",
        "https://quiz.example.edu/lti/launch",
        "--login-url",
        "https://quiz.example.edu/lti/login",
        "--redirect-uri",
        "https://quiz.example.edu/lti/launch",
        "--redirect-uri",
        "https://quiz.example.edu/lti/deep-link",
        "--jwks-url",
        "https://quiz.example.edu/.well-known/jwks.json",
        "--domain",
        "quiz.example.edu",
        "--description",
        "Quizzes",
    ])
    .trim()
    .to_string()
}

#[test]
fn tools_are_added_listed_and_shown_by_id_or_name() {
    let env = Env::new();
    let id = add_tool(&env);
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "tool add prints the id: {id:?}"
    );
    let list = env.json(&["tool", "list", "--json"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["key_count"], 0);
    for who in [id.as_str(), "Quiz Engine", "quiz engine"] {
        let tool = env.json(&["tool", "show", who, "--json"]);
        assert_eq!(tool["id"], id.as_str(), "found by {who}");
        assert_eq!(tool["redirect_uris"].as_array().unwrap().len(), 2);
        assert_eq!(tool["domain"], "quiz.example.edu");
    }
    let text = env.ok(&["tool", "show", "Quiz Engine"]);
    assert!(
        text.contains("https://quiz.example.edu/lti/login"),
        "{text}"
    );
}

#[test]
fn json_is_one_flag_taken_before_or_after_the_command() {
    let env = Env::new();
    let id = add_tool(&env);
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    for command in [
        &["tool", "list"][..],
        &["tool", "show", "Quiz Engine"],
        &["platform", "list"],
        &["canvas", "placements"],
        &["canvas", "export", "--tool", "Quiz Engine"],
    ] {
        let before = env.json(&[&["--json"], command].concat());
        let after = env.json(&[command, &["--json"]].concat());
        assert_eq!(
            before, after,
            "{command:?}: the flag means the same in both places"
        );
        assert!(
            before.is_array() || before.is_object(),
            "{command:?} --json prints a JSON document: {before}"
        );
    }
    assert_eq!(env.json(&["--json", "tool", "list"])[0]["id"], id.as_str());
    let text = env.ok(&["tool", "list"]);
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "without --json the listing is text: {text}"
    );
    assert_eq!(
        env.json(&["canvas", "export", "--tool", "Quiz Engine"]),
        env.json(&["canvas", "export", "--tool", "Quiz Engine", "--json"]),
        "canvas export prints JSON with or without the flag"
    );
}

#[test]
fn every_command_help_shows_the_json_flag() {
    let env = Env::new();
    for command in [
        &["tool", "list"][..],
        &["key", "rotate"],
        &["registration", "handoff"],
        &["check", "platforms"],
        &["jwks"],
    ] {
        let help = env.ok(&[command, &["--help"]].concat());
        assert!(
            help.contains("--json") && help.contains("Print JSON instead of text"),
            "ltikeys {command:?} --help lists --json: {help}"
        );
    }
}

#[test]
fn a_new_data_directory_opened_by_many_processes_at_once_works_for_all() {
    for round in 0..20 {
        let env = Env::new();
        let dir = env.data.path().join("new");
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_ltikeys"))
                    .args(["tool", "list", "--json"])
                    .env("LTIKEYS_DATA_DIR", &dir)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
        }
    }
}

#[cfg(unix)]
#[test]
fn export_private_refuses_a_symlink_or_a_device_before_reading_the_key() {
    let env = Env::new();
    let target = env.file("target.pem", "keep");
    let link = env.scratch.path().join("link.pem");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for out in [link.to_str().unwrap(), "/dev/null"] {
        // No such tool, and no keychain: the output path is refused first.
        let err = env.fails(&[
            "key",
            "export-private",
            "--tool",
            "nope",
            "--kid",
            "x",
            "--out",
            out,
            "--unencrypted",
            "--force",
        ]);
        assert!(
            err.contains(out) && err.contains("not a regular file"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn bad_input_names_the_field_and_the_fix_and_keeps_nothing() {
    let env = Env::new();
    let err = env.fails(&[
        "tool",
        "add",
        "X",
        "--launch-url",
        "http://quiz.example.edu/launch",
    ]);
    assert!(
        err.contains("launch URL") && err.contains("https://") && err.contains("Fix:"),
        "{err}"
    );
    let err = env.fails(&["tool", "add", "X", "--domain", "https://quiz.example.edu"]);
    assert!(err.contains("domain") && err.contains("scheme"), "{err}");
    assert_eq!(
        env.json(&["tool", "list", "--json"]),
        serde_json::json!([]),
        "nothing half-made"
    );
    add_tool(&env);
    let err = env.fails(&["tool", "add", "quiz engine"]);
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(&["key", "new", "--tool", "nope"]);
    assert!(
        err.contains("no tool") && err.contains("ltikeys tool list"),
        "{err}"
    );
    let err = env.fails(&["key", "new", "--tool", "Quiz Engine", "--bits", "1024"]);
    assert!(err.contains("2048, 3072 or 4096"), "{err}");
    let err = env.fails(&["key", "new", "--tool", "Quiz Engine", "--kid", "has space"]);
    assert!(err.starts_with("error: kid:"), "{err}");
    let err = env.fails(&["jwk", "--tool", "Quiz Engine", "--kid", "absent"]);
    assert!(err.contains("absent"), "{err}");
    let err = env.fails(&[
        "key",
        "export-private",
        "--tool",
        "Quiz Engine",
        "--kid",
        "k",
        "--out",
        "/tmp/x.pem",
    ]);
    assert!(
        err.contains("--passphrase-file") || err.contains("--unencrypted"),
        "{err}"
    );
    assert_eq!(
        env.json(&["jwks", "--tool", "Quiz Engine"]),
        serde_json::json!({"keys": []})
    );
}

/// Unreachable keychain: the command fails fast, says so with the fix, and leaves no key row.
#[cfg(target_os = "linux")]
#[test]
fn no_secret_service_fails_within_seconds_and_leaves_no_key() {
    let env = Env::new();
    add_tool(&env);
    let started = Instant::now();
    let out = env
        .cmd(&["key", "new", "--tool", "Quiz Engine"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ltikeys-test-bus",
        )
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keychain is unavailable") && err.contains("Fix:"),
        "{err}"
    );
    assert!(err.contains("never stored in plaintext"), "{err}");
    let keys = env.json(&["key", "list", "--tool", "Quiz Engine", "--json"]);
    assert_eq!(
        keys,
        serde_json::json!([]),
        "no key row without its keychain entry"
    );
}

/// A Secret Service that accepts the connection and never answers: our own timeout fires.
#[cfg(target_os = "linux")]
#[test]
fn a_hung_keychain_fails_within_ten_seconds() {
    let env = Env::new();
    add_tool(&env);
    let socket = env.scratch.path().join("hung-bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = vec![];
        for conn in listener.incoming().flatten() {
            held.push(conn); // accept, never reply
        }
    });
    let started = Instant::now();
    let out = env
        .cmd(&["key", "new", "--tool", "Quiz Engine"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        )
        // The default wait, whatever longer one the run was given.
        .env_remove("LTIKEYS_KEYCHAIN_TIMEOUT_SECS")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keychain is unavailable") && err.contains("did not answer"),
        "{err}"
    );
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn the_key_contract_against_the_real_keychain() {
    let env = Env::new();
    add_tool(&env);
    let tool = "Quiz Engine";

    // Generate: thumbprint by default, then timestamp, uuid and custom kids.
    let kid1 = env.ok(&["key", "new", "--tool", tool]).trim().to_string();
    assert_eq!(kid1.len(), 43, "thumbprint kid: {kid1}");
    let kid2 = env
        .ok(&[
            "key",
            "new",
            "--tool",
            tool,
            "--kid-scheme",
            "timestamp",
            "--bits",
            "3072",
        ])
        .trim()
        .to_string();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&kid2).is_ok(),
        "timestamp kid: {kid2}"
    );
    let kid3 = env
        .ok(&["key", "new", "--tool", tool, "--kid-scheme", "uuid"])
        .trim()
        .to_string();
    assert_eq!(kid3.len(), 36, "uuid kid: {kid3}");
    let kid4 = env
        .ok(&["key", "new", "--tool", tool, "--kid", "custom-2026"])
        .trim()
        .to_string();
    assert_eq!(kid4, "custom-2026");
    // A base64url thumbprint starts with '-' one time in 64: such kids must not read as flags.
    let dash = env.ok(&["key", "new", "--tool", tool, "--kid", "-dash-kid"]);
    assert_eq!(dash.trim(), "-dash-kid");
    assert_eq!(
        env.json(&["jwk", "--tool", tool, "--kid", "-dash-kid"])["kid"],
        "-dash-kid"
    );
    env.ok(&["key", "delete", "--tool", tool, "--kid", "-dash-kid"]);
    let err = env.fails(&["key", "new", "--tool", tool, "--kid", "custom-2026"]);
    assert!(err.contains("already used"), "{err}");

    let keys = env.json(&["key", "list", "--tool", tool, "--json"]);
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[0]["status"], "current");
    assert!(
        keys[1..].iter().all(|k| k["status"] == "next"),
        "later keys arrive as next"
    );
    assert!(keys.iter().all(|k| k["private_key"] == "present"));
    assert_eq!(keys[1]["bits"], 3072);

    // JWKS and JWK: public members only.
    let jwks = env.json(&["jwks", "--tool", tool]);
    let published = jwks["keys"].as_array().unwrap();
    assert_eq!(published.len(), 4);
    for jwk in published {
        let mut members: Vec<_> = jwk.as_object().unwrap().keys().cloned().collect();
        members.sort();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(
            (
                jwk["kty"].as_str(),
                jwk["alg"].as_str(),
                jwk["use"].as_str()
            ),
            (Some("RSA"), Some("RS256"), Some("sig"))
        );
    }
    let jwk = env.json(&["jwk", "--tool", tool, "--kid", &kid1]);
    assert_eq!(jwk, published[0]);

    // Import PKCS#1, PKCS#8 (same key: the second is refused) and encrypted PKCS#8.
    let expected = std::fs::read_to_string(fixture("rsa2048.thumbprint")).unwrap();
    let kid5 = env
        .ok(&[
            "key",
            "import",
            "--tool",
            tool,
            "--pem",
            &fixture("rsa2048-pkcs1.pem"),
        ])
        .trim()
        .to_string();
    assert_eq!(kid5, expected.trim());
    let err = env.fails(&[
        "key",
        "import",
        "--tool",
        tool,
        "--pem",
        &fixture("rsa2048-pkcs8.pem"),
    ]);
    assert!(err.contains("already used"), "{err}");
    let pass = env.file("pass.txt", "fixture-passphrase\n");
    let kid6 = env
        .ok(&[
            "key",
            "import",
            "--tool",
            tool,
            "--pem",
            &fixture("rsa2048-pkcs8-encrypted.pem"),
            "--kid",
            "imported-enc",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ])
        .trim()
        .to_string();
    assert_eq!(kid6, "imported-enc");
    let err = env.fails(&[
        "key",
        "import",
        "--tool",
        tool,
        "--pem",
        &fixture("rsa2048-pkcs8-encrypted.pem"),
        "--kid",
        "x",
    ]);
    assert!(err.contains("--passphrase-file"), "{err}");

    // Export: encrypted by default, readable by OpenSSL with the passphrase; plain on request.
    let enc = env.scratch.path().join("k1.pem");
    let export_pass = env.file("export-pass.txt", "s3cret export\n");
    env.ok(&[
        "key",
        "export-private",
        "--tool",
        tool,
        "--kid",
        &kid1,
        "--out",
        enc.to_str().unwrap(),
        "--passphrase-file",
        export_pass.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&enc).unwrap();
    assert!(
        text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&enc).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let err = env.fails(&[
        "key",
        "export-private",
        "--tool",
        tool,
        "--kid",
        &kid1,
        "--out",
        enc.to_str().unwrap(),
        "--unencrypted",
    ]);
    assert!(
        err.contains("--force"),
        "an existing file is not replaced silently: {err}"
    );
    let openssl = Command::new("openssl")
        .args(["pkey", "-noout", "-passin", "pass:s3cret export", "-in"])
        .arg(&enc)
        .output()
        .unwrap();
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stderr)
    );
    let reimport_env = Env::new();
    add_tool(&reimport_env);
    let back = reimport_env.ok(&[
        "key",
        "import",
        "--tool",
        tool,
        "--pem",
        enc.to_str().unwrap(),
        "--passphrase-file",
        export_pass.to_str().unwrap(),
    ]);
    assert_eq!(back.trim(), kid1, "export then import gives the same key");

    // No private key material in the data directory after the whole workflow.
    let kids = [&kid1, &kid2, &kid3, &kid4, &kid5, &kid6];
    let mut ders = vec![];
    for (i, kid) in kids.iter().enumerate() {
        let out = env.scratch.path().join(format!("plain-{i}.pem"));
        env.ok(&[
            "key",
            "export-private",
            "--tool",
            tool,
            "--kid",
            kid,
            "--out",
            out.to_str().unwrap(),
            "--unencrypted",
        ]);
        let pem = std::fs::read_to_string(&out).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        ders.push(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        );
    }
    assert_no_private_material(env.data.path(), &ders);

    // Delete: the signing key only when it is the last one.
    let err = env.fails(&["key", "delete", "--tool", tool, "--kid", &kid1]);
    assert!(err.contains("current signing key"), "{err}");
    env.ok(&["key", "delete", "--tool", tool, "--kid", &kid4]);
    let left = env.json(&["key", "list", "--tool", tool, "--json"]);
    assert_eq!(left.as_array().unwrap().len(), 5);
    assert!(env
        .fails(&["jwk", "--tool", tool, "--kid", &kid4])
        .contains(&kid4));
}

/// Looks in every file under `dir` for any 16-byte piece of the private keys' DER (past the
/// public header), its base64 forms, and PEM armour.
fn assert_no_private_material(dir: &Path, ders: &[Vec<u8>]) {
    let mut files = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "sqlite3")),
        "the database is there: {files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("PRIVATE KEY"),
            "{} holds PEM armour",
            file.display()
        );
        for der in ders {
            // The modulus ends before a third of the DER; what follows (d, p, q, ...) is private.
            for start in (der.len() / 3..der.len() - 16).step_by(64) {
                let piece = &der[start..start + 16];
                assert!(
                    !bytes.windows(16).any(|w| w == piece),
                    "{} holds raw private key bytes",
                    file.display()
                );
                let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(&der[start..start + 15]);
                let std_b64 =
                    base64::engine::general_purpose::STANDARD.encode(&der[start..start + 15]);
                assert!(
                    !text.contains(&b64) && !text.contains(&std_b64),
                    "{} holds base64 private key bytes",
                    file.display()
                );
            }
        }
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn status_reports_the_keychain() {
    let env = Env::new();
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["keychain_available"], true, "{status} ({KEYCHAIN})");
    assert_eq!(status["data_dir"], env.data.path().display().to_string());
}

/// Runs `args` with stdout into a pipe whose reader is already gone; returns the exit status and
/// stderr.
fn run_into_closed_pipe(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = env.cmd(args).stdout(writer).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_reader_that_went_away_ends_quietly_and_the_write_is_kept() {
    let env = Env::new();
    let (code, err) = run_into_closed_pipe(&env, &["tool", "add", "Gone Reader"]);
    assert_eq!(code, Some(0), "a broken pipe is a quiet success: {err}");
    assert_eq!(err, "", "nothing to say to a reader that went away");
    let (code, err) = run_into_closed_pipe(
        &env,
        &[
            "tool",
            "edit",
            "Gone Reader",
            "--description",
            "kept",
            "--json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    let tool = env.json(&["tool", "show", "Gone Reader", "--json"]);
    assert_eq!(tool["description"], "kept", "both writes were committed");
    let (code, err) = run_into_closed_pipe(&env, &["tool", "list", "--json"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
}

/// `ltikeys tool show … | head -1` with more output than a pipe holds (64 KiB on Linux): the
/// writer is blocked mid-listing when the reader goes away.
#[test]
fn a_reader_that_stops_after_one_line_ends_a_long_listing_quietly() {
    let env = Env::new();
    let uris: Vec<String> = (0..2000)
        .map(|i| format!("https://quiz.example.edu/lti/launch/{i:04}"))
        .collect();
    let mut args = vec!["tool", "add", "Long Listing"];
    for uri in &uris {
        args.extend(["--redirect-uri", uri]);
    }
    env.ok(&args);
    let mut child = env
        .cmd(&["tool", "show", "Long Listing"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id:"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "no panic, no message");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_error_line_and_exit_status_one() {
    let env = Env::new();
    add_tool(&env);
    for args in [
        &["tool", "list"][..],
        &["tool", "list", "--json"],
        &["tool", "show", "Quiz Engine"],
        &["tool", "add", "Full Disk"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = env.cmd(args).stdout(Stdio::from(full)).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "ltikeys {args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.starts_with("error: could not write the output: No space left on device"),
            "{err}"
        );
    }
    let tools = env.json(&["tool", "list", "--json"]);
    assert_eq!(
        tools.as_array().unwrap().len(),
        2,
        "the tool was added though its id could not be printed"
    );
}

/// A closed stdout (`>&-`): the command does its work and exits cleanly.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_no_crash() {
    let env = Env::new();
    for args in [
        "tool add Closed >&-",
        "tool list >&-",
        "tool list --json >&-",
    ] {
        let out = env.sh(&format!("exec \"$0\" {args}"));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{args}: {err}");
        assert_eq!(err, "", "{args}");
    }
    assert_eq!(env.json(&["tool", "list", "--json"])[0]["name"], "Closed");
}

/// An endless or huge input is refused at the cap, in a process held to 1 GiB of memory.
#[cfg(target_os = "linux")]
#[test]
fn pem_and_passphrase_files_are_read_up_to_a_cap() {
    let env = Env::new();
    add_tool(&env);
    let capped = |args: &str| {
        let started = Instant::now();
        let out = env.sh(&format!("ulimit -v 1048576 && exec \"$0\" {args}"));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "{args} took {took:?}");
        assert_eq!(out.status.code(), Some(1), "{args}");
        String::from_utf8(out.stderr).unwrap()
    };
    let err = capped("key import --tool 'Quiz Engine' --pem /dev/zero");
    assert_eq!(
        err,
        "error: --pem: /dev/zero is larger than 1 MiB. Fix: a PEM private key is a few KB: \
         check you gave the right file\n"
    );
    let pem = fixture("rsa2048-pkcs8-encrypted.pem");
    let err = capped(&format!(
        "key import --tool 'Quiz Engine' --pem {pem} --passphrase-file /dev/zero"
    ));
    assert!(
        err.starts_with("error: --passphrase-file: /dev/zero is larger than 64 KiB. Fix:"),
        "{err}"
    );
    let der = env.scratch.path().join("key.der");
    std::fs::write(&der, [0x30, 0x82, 0xff, 0xfe]).unwrap();
    let err = env.fails(&[
        "key",
        "import",
        "--tool",
        "Quiz Engine",
        "--pem",
        der.to_str().unwrap(),
    ]);
    assert!(
        err.starts_with("error: --pem:") && err.contains("is not a text file"),
        "{err}"
    );
}

#[test]
fn names_with_terminal_escapes_are_shown_escaped_and_round_trip_in_json() {
    let env = Env::new();
    let evil = "Evil\x1b]0;pwned\x07\x1b[31m";
    let c1 = "C1\u{9b}31m \u{202e}gnp.exe";
    env.ok(&["tool", "add", evil]);
    env.ok(&["tool", "add", c1]);
    let text = env.ok(&["tool", "list"]);
    assert!(
        !text.contains(['\x1b', '\x07', '\u{9b}', '\u{202e}']),
        "no raw control character reaches the terminal: {text:?}"
    );
    assert!(text.contains(r"Evil\x1b]0;pwned\x07\x1b[31m"), "{text}");
    assert!(text.contains(r"C1\u{9b}31m \u{202e}gnp.exe"), "{text}");
    let json = env.ok(&["tool", "list", "--json"]);
    assert!(
        !json.contains(['\x1b', '\u{9b}', '\u{202e}']),
        "JSON carries escapes only: {json:?}"
    );
    assert!(json.contains(r"C1\u009b31m \u202egnp.exe"), "{json}");
    let tools: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<_> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&evil) && names.contains(&c1),
        "the names parse back exactly: {names:?}"
    );
    let err = env.fails(&["tool", "show", "nope\x1b[2J\u{9b}H"]);
    assert!(
        err.contains(r"'nope\x1b[2J\u{9b}H'") && !err.contains(['\x1b', '\u{9b}']),
        "error lines are escaped too: {err:?}"
    );
}
