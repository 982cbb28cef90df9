//! `ltikeys key …` against the real keychain where one is needed: the key contract, rotation.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::support::{add_quiz_engine, fixture, quiz, Env};

/// Each key of Quiz with its status, in the order `key list` gives.
fn statuses(env: &Env) -> Vec<(String, String)> {
    let keys = env.json(&["key", "list", "--tool", "Quiz", "--json"]);
    keys.as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kid"].as_str().unwrap().to_string(),
                k["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The kids of Quiz's JWKS.
fn published(env: &Env) -> Vec<String> {
    let jwks = env.json(&["jwks", "--tool", "Quiz"]);
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
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

/// Unreachable keychain: the command fails fast, says so with the fix, and leaves no key row.
#[cfg(target_os = "linux")]
#[test]
fn no_secret_service_fails_within_seconds_and_leaves_no_key() {
    let env = Env::new();
    add_quiz_engine(&env);
    let started = Instant::now();
    let out = env
        .cmd_without_keychain(&["key", "new", "--tool", "Quiz Engine"])
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

/// `key new` against a fake Secret Service at a socket that `serve` answers each connection
/// with; returns its stderr once it failed (within ten seconds, never a panic).
#[cfg(target_os = "linux")]
fn key_new_against(
    env: &Env,
    serve: impl Fn(std::os::unix::net::UnixStream) + Send + 'static,
) -> String {
    let socket = env.scratch.path().join("fake-bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            serve(conn);
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
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    let keys = env.json(&["key", "list", "--tool", "Quiz Engine", "--json"]);
    assert_eq!(
        keys,
        serde_json::json!([]),
        "no key row without its keychain entry"
    );
    err
}

/// A Secret Service that accepts the connection and never answers: our own timeout fires.
#[cfg(target_os = "linux")]
#[test]
fn a_hung_keychain_fails_within_ten_seconds() {
    let env = Env::new();
    add_quiz_engine(&env);
    let held = std::sync::Mutex::new(vec![]);
    let err = key_new_against(&env, move |conn| held.lock().unwrap().push(conn));
    assert!(
        err.contains("keychain is unavailable") && err.contains("did not answer"),
        "{err}"
    );
}

/// A Secret Service that dies mid-conversation (it reads the first bytes of the handshake and
/// hangs up, as a daemon killed while it answers): a clear error at once, no key row.
#[cfg(target_os = "linux")]
#[test]
fn a_keychain_that_dies_mid_conversation_fails_fast_and_leaves_no_key() {
    use std::io::Read as _;
    let env = Env::new();
    add_quiz_engine(&env);
    let err = key_new_against(&env, |mut conn| {
        let mut first = [0_u8; 16];
        let _ = conn.read(&mut first);
        // Dropped here: gone mid-handshake.
    });
    assert!(
        err.contains("keychain is unavailable") && err.contains("Fix:"),
        "{err}"
    );
}

/// Without a keychain, everything that needs no private key goes on working: tools, platforms,
/// registrations and their deployments, and `status` saying the keychain is unavailable.
#[cfg(target_os = "linux")]
#[test]
fn without_a_keychain_everything_but_private_keys_works() {
    let env = Env::new();
    let no_bus = |args: &[&str]| env.ok_without_keychain(args);
    add_quiz_engine(&env);
    let tools = no_bus(&["tool", "list"]);
    assert!(tools.contains("Quiz Engine"), "{tools}");
    no_bus(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let id = no_bus(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000001",
    ]);
    no_bus(&["registration", "deployment", "add", id.trim(), "1:abc"]);
    let shown = no_bus(&["registration", "show", id.trim()]);
    assert!(shown.contains("1:abc"), "{shown}");
    let status: serde_json::Value = serde_json::from_str(&no_bus(&["status", "--json"])).unwrap();
    assert_eq!(status["keychain_available"], false, "{status}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn the_key_contract_against_the_real_keychain() {
    let env = Env::new();
    add_quiz_engine(&env);
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
            &pass,
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
        &export_pass,
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
    add_quiz_engine(&reimport_env);
    let back = reimport_env.ok(&[
        "key",
        "import",
        "--tool",
        tool,
        "--pem",
        enc.to_str().unwrap(),
        "--passphrase-file",
        &export_pass,
    ]);
    assert_eq!(back.trim(), kid1, "export then import gives the same key");

    // No private key material in the data directory after the whole workflow.
    let kids = [&kid1, &kid2, &kid3, &kid4, &kid5, &kid6];
    let mut ders = vec![];
    for (i, kid) in kids.iter().enumerate() {
        let out = env.scratch.path().join(format!("plain-{i}.pem"));
        let pem = env.export_unencrypted(tool, kid, &out);
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

/// An endless or huge input is refused at the cap, in a process held to 1 GiB of memory.
#[cfg(target_os = "linux")]
#[test]
fn pem_and_passphrase_files_are_read_up_to_a_cap() {
    let env = Env::new();
    add_quiz_engine(&env);
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
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn rotate_retire_and_revoke_from_the_command_line() {
    let env = quiz();
    let err = env.fails(&["key", "new", "--tool", "Quiz", "--next"]);
    assert!(
        err.contains("--next") && err.contains("no current key"),
        "{err}"
    );
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k1"]);
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k2", "--next"]);

    // The dry run changes nothing and says the lead time is not over (k2 is brand new).
    let plan = env.json(&["key", "rotate", "--tool", "Quiz", "--dry-run", "--json"]);
    assert_eq!(plan["promote"], "k2");
    assert_eq!(plan["demote"], "k1");
    assert_eq!(plan["lead_time_skipped"], true);
    assert_eq!(
        statuses(&env),
        [
            ("k1".into(), "current".into()),
            ("k2".into(), "next".into())
        ]
    );

    let out = env.json(&["key", "rotate", "--tool", "Quiz", "--json"]);
    assert_eq!(
        (out["current"].as_str(), out["previous"].as_str()),
        (Some("k2"), Some("k1"))
    );
    assert!(
        out["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "paste_jwk" && r["kid"] == "k2"),
        "no JWKS URL: paste the new public JWK: {}",
        out["reminders"]
    );
    assert_eq!(
        statuses(&env),
        [
            ("k1".into(), "previous".into()),
            ("k2".into(), "current".into())
        ]
    );
    assert_eq!(
        published(&env),
        ["k1", "k2"],
        "the previous key stays published"
    );
    let keys = env.json(&["key", "list", "--tool", "Quiz", "--json"]);
    assert!(
        keys[0]["unpublish_after"].is_string() && keys[0]["signing_to"].is_string(),
        "{keys}"
    );
    assert!(keys[1]["signing_from"].is_string());

    // Inside the overlap window: refused with the time it becomes safe; --force overrides.
    let err = env.fails(&["key", "retire", "--tool", "Quiz", "--kid", "k1"]);
    assert!(
        err.contains("overlap window until") && err.contains("--force"),
        "{err}"
    );
    let err = env.fails(&["key", "retire", "--tool", "Quiz", "--kid", "k2"]);
    assert!(err.contains("only a previous key"), "{err}");
    env.ok(&["key", "retire", "--tool", "Quiz", "--kid", "k1", "--force"]);
    assert_eq!(published(&env), ["k2"]);

    // Revoking the current key with no next key: a new key signs, the old one is gone for good.
    let out = env.json(&[
        "key", "revoke", "--tool", "Quiz", "--kid", "k2", "--yes", "--json",
    ]);
    let new = out["current"].as_str().unwrap().to_string();
    assert_eq!(published(&env), std::slice::from_ref(&new));
    let keys = env.json(&["key", "list", "--tool", "Quiz", "--json"]);
    let k2 = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "k2")
        .unwrap();
    assert_eq!(
        (k2["status"].as_str(), k2["private_key"].as_str()),
        (Some("revoked"), Some("missing"))
    );
    let err = env.fails(&["key", "revoke", "--tool", "Quiz", "--kid", "k2", "--yes"]);
    assert!(err.contains("already revoked"), "{err}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn concurrent_rotations_from_two_processes_leave_exactly_one_current() {
    let env = quiz();
    env.ok(&["key", "new", "--tool", "Quiz"]);
    for round in 0..3 {
        let a = env
            .cmd(&["key", "rotate", "--tool", "Quiz", "--json"])
            .spawn()
            .unwrap();
        let b = env
            .cmd(&["key", "rotate", "--tool", "Quiz", "--json"])
            .spawn()
            .unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            a.status.success(),
            "round {round} A: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        assert!(
            b.status.success(),
            "round {round} B: {}",
            String::from_utf8_lossy(&b.stderr)
        );
        let statuses = statuses(&env);
        let current: Vec<_> = statuses.iter().filter(|(_, s)| s == "current").collect();
        assert_eq!(current.len(), 1, "round {round}: {statuses:?}");
        let published = published(&env);
        assert!(
            published.contains(&current[0].0),
            "the signing key is published"
        );
        let expected: Vec<_> = statuses
            .iter()
            .filter(|(_, s)| ["next", "current", "previous"].contains(&s.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(published, expected, "JWKS = next + current + previous");
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn rotate_says_what_to_deploy_with_the_commands_that_do_it() {
    let env = quiz();
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k1"]);
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k2", "--next"]);
    let out = env.ok(&["key", "rotate", "--tool", "Quiz"]);
    assert!(
        out.contains("next step: Publish the new JWKS now (`ltikeys jwks --tool Quiz`)."),
        "{out}"
    );
    assert!(
        out.contains("public JWK to kid k2 (`ltikeys jwk --tool Quiz --kid k2`)"),
        "{out}"
    );
}
