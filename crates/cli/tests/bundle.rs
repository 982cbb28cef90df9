//! `ltikeys bundle …`: a registration's bundle out and back in, and every bundle refused with
//! nothing written.

use std::io::Write as _;
use std::path::Path;

use crate::support::{add_quiz_engine, peer_python, Env};

/// A registration of Quiz Engine on a Canvas with two deployment ids; returns its id.
fn registration(env: &Env) -> String {
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000001",
        "--deployment-id",
        "1:4dde05e8ca1973bcca9bffc13e1548820eee93a3",
        "--deployment-id",
        "2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2",
    ])
}

/// Every file of a bundle folder, by name, with `bundle.json`'s `created_at` blanked (the one
/// value two exports of the same records differ in).
fn folder_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let mut text = std::fs::read_to_string(e.path()).unwrap();
            if name == "bundle.json" {
                let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
                v["created_at"] = serde_json::Value::Null;
                text = v.to_string();
            }
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// Whether a data directory holds any tool, platform or registration.
fn is_empty(env: &Env) -> bool {
    ["tool", "platform", "registration"].iter().all(|noun| {
        env.json(&[noun, "list", "--json"])
            .as_array()
            .is_some_and(Vec::is_empty)
    })
}

/// A keyless registration's bundle folder, exported from a fresh data directory.
fn keyless_bundle(scratch: &Path) -> std::path::PathBuf {
    let env = Env::new();
    add_quiz_engine(&env);
    let reg = registration(&env);
    let out = scratch.join("bundle");
    env.ok(&["bundle", "export", &reg, "--out", out.to_str().unwrap()]);
    out
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_bundle_round_trips_through_an_empty_data_directory() {
    let a = Env::new();
    add_quiz_engine(&a);
    a.ok(&["key", "new", "--tool", "Quiz Engine", "--bits", "2048"]);
    a.ok(&[
        "key",
        "new",
        "--tool",
        "Quiz Engine",
        "--bits",
        "2048",
        "--next",
    ]);
    let reg = registration(&a);
    let first = a.scratch.path().join("first");
    let listed = a.json(&[
        "bundle",
        "export",
        &reg,
        "--out",
        first.to_str().unwrap(),
        "--json",
    ]);
    let names: Vec<&str> = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for expected in [
        "README.md",
        "platform.json",
        "jwks.json",
        "tool.json",
        "checks.json",
        "canvas-developer-key.json",
        "canvas-registration.json",
        "lti-tool-configuration.json",
        "pylti1p3.json",
        "ltijs-platform.json",
        "django-lti.json",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert_eq!(
        names.iter().filter(|n| n.starts_with("public.")).count(),
        2,
        "one PEM per published key: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("private.")),
        "no private key unless asked"
    );
    let readme = std::fs::read_to_string(first.join("README.md")).unwrap();
    assert!(
        readme.contains("1:4dde05e8ca1973bcca9bffc13e1548820eee93a3"),
        "{readme}"
    );
    assert!(readme.contains("Paste JSON"), "{readme}");

    let b = Env::new();
    let dry = b.json(&[
        "bundle",
        "import",
        first.to_str().unwrap(),
        "--dry-run",
        "--json",
    ]);
    assert_eq!(dry["written"], false);
    assert_eq!(dry["plan"]["tool"]["action"], "create");
    assert_eq!(
        dry["plan"]["deployments_added"].as_array().unwrap().len(),
        2
    );
    assert!(is_empty(&b), "a dry run writes nothing");

    let imported = b.json(&["bundle", "import", first.to_str().unwrap(), "--json"]);
    assert_eq!(imported["written"], true);
    let keys = b.json(&["key", "list", "--tool", "Quiz Engine", "--json"]);
    let states: Vec<(&str, &str)> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["status"].as_str().unwrap(),
                k["private_key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("current", "public_only"), ("next", "public_only")]
    );
    assert_eq!(
        b.ok(&["jwks", "--tool", "Quiz Engine"]),
        a.ok(&["jwks", "--tool", "Quiz Engine"]),
        "the same keys are published"
    );

    let again = b.json(&["bundle", "import", first.to_str().unwrap(), "--json"]);
    assert_eq!(
        again["plan"]["writes"], false,
        "a second import finds it all here"
    );

    let reg_b = b.json(&["registration", "list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = b.scratch.path().join("second");
    b.ok(&[
        "bundle",
        "export",
        &reg_b,
        "--out",
        second.to_str().unwrap(),
    ]);
    assert_eq!(folder_files(&first), folder_files(&second));
}

/// A data directory with Quiz Engine, its current key and a registration, exported as a bundle
/// at `out` (in its scratch folder) with the private key under the passphrase
/// "correct horse battery"; returns it with the kid and the registration's id.
fn exported_with_private(out: &str) -> (Env, String, String, std::path::PathBuf) {
    let env = Env::new();
    add_quiz_engine(&env);
    let kid = env.id(&["key", "new", "--tool", "Quiz Engine", "--bits", "2048"]);
    let reg = registration(&env);
    let pass = env.file("pass", "correct horse battery\n");
    let path = env.scratch.path().join(out);
    env.ok(&[
        "bundle",
        "export",
        &reg,
        "--out",
        path.to_str().unwrap(),
        "--include-private",
        "--passphrase-file",
        &pass,
    ]);
    (env, kid, reg, path)
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_private_key_travels_encrypted_and_needs_its_passphrase() {
    let (a, kid, _reg, zip) = exported_with_private("bundle.zip");
    let pass = a.scratch.path().join("pass").display().to_string();
    let b = Env::new();
    let err = b.fails(&["bundle", "import", zip.to_str().unwrap()]);
    assert!(err.contains("passphrase"), "{err}");
    let wrong = b.file("wrong", "not it\n");
    let err = b.fails(&[
        "bundle",
        "import",
        zip.to_str().unwrap(),
        "--passphrase-file",
        &wrong,
    ]);
    assert!(err.contains("passphrase"), "{err}");
    assert!(is_empty(&b), "a refused import writes nothing");

    b.ok(&[
        "bundle",
        "import",
        zip.to_str().unwrap(),
        "--passphrase-file",
        &pass,
    ]);
    let keys = b.json(&["key", "list", "--tool", "Quiz Engine", "--json"]);
    assert_eq!(keys[0]["kid"], kid.as_str());
    assert_eq!(keys[0]["private_key"], "present");
    let here = b.export_unencrypted("Quiz Engine", &kid, &b.scratch.path().join("k.pem"));
    let there = a.export_unencrypted("Quiz Engine", &kid, &a.scratch.path().join("k.pem"));
    assert_eq!(here, there, "the same private key arrived");
    // Neither data directory holds a byte of it: it went from the bundle to the keychain.
    let body: String = here.lines().filter(|l| !l.starts_with("-----")).collect();
    for env in [&a, &b] {
        for entry in walk(env.data.path()) {
            let bytes = std::fs::read(&entry).unwrap();
            let text = String::from_utf8_lossy(&bytes).replace(['\n', '\r'], "");
            assert!(
                !text.contains(&body[..64]),
                "{} holds the private key",
                entry.display()
            );
        }
    }
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_changed_file_is_refused_by_name_with_nothing_written() {
    let scratch = tempfile::tempdir().unwrap();
    let bundle = keyless_bundle(scratch.path());
    let platform = bundle.join("platform.json");
    let text = std::fs::read_to_string(&platform).unwrap();
    std::fs::write(&platform, text.replace("10000000000001", "10000000000002")).unwrap();
    let env = Env::new();
    let err = env.fails(&["bundle", "import", bundle.to_str().unwrap()]);
    assert!(err.contains("platform.json was changed"), "{err}");
    assert!(is_empty(&env));
}

#[test]
fn a_bundle_of_a_newer_format_is_refused_naming_the_version() {
    let scratch = tempfile::tempdir().unwrap();
    let bundle = keyless_bundle(scratch.path());
    let manifest = bundle.join("bundle.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    v["format_version"] = 7.into();
    std::fs::write(&manifest, v.to_string()).unwrap();
    let env = Env::new();
    let err = env.fails(&["bundle", "import", bundle.to_str().unwrap(), "--dry-run"]);
    assert!(err.contains("format version 7"), "{err}");
    assert!(is_empty(&env));
}

/// The bundle folder's files, zipped by the test, with one more entry named `extra`.
fn zip_with(bundle: &Path, out: &Path, extra: &str) {
    let file = std::fs::File::create(out).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for entry in std::fs::read_dir(bundle).unwrap() {
        let entry = entry.unwrap();
        zip.start_file(entry.file_name().to_string_lossy(), options)
            .unwrap();
        zip.write_all(&std::fs::read(entry.path()).unwrap())
            .unwrap();
    }
    zip.start_file(extra, options).unwrap();
    zip.write_all(b"#!/bin/sh\n").unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_zip_with_a_path_out_of_the_bundle_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let bundle = keyless_bundle(scratch.path());
    let zip = scratch.path().join("evil.zip");
    zip_with(&bundle, &zip, "../../.profile");
    let env = Env::new();
    let err = env.fails(&["bundle", "import", zip.to_str().unwrap()]);
    assert!(err.contains("../../.profile"), "{err}");
    assert!(is_empty(&env));
    assert!(!scratch.path().join("../.profile").exists());
}

#[test]
fn a_truncated_zip_is_refused_as_damaged() {
    let scratch = tempfile::tempdir().unwrap();
    let env = Env::new();
    add_quiz_engine(&env);
    let reg = registration(&env);
    let zip = scratch.path().join("bundle.zip");
    env.ok(&["bundle", "export", &reg, "--out", zip.to_str().unwrap()]);
    let bytes = std::fs::read(&zip).unwrap();
    let cut = scratch.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let other = Env::new();
    let err = other.fails(&["bundle", "import", cut.to_str().unwrap()]);
    assert!(err.contains("not a readable zip"), "{err}");
    assert!(is_empty(&other));
    // The whole zip imports.
    other.ok(&["bundle", "import", zip.to_str().unwrap()]);
    assert!(!is_empty(&other));
}

#[test]
fn export_never_writes_into_an_existing_folder_nor_over_a_zip_unasked() {
    let env = Env::new();
    add_quiz_engine(&env);
    let reg = registration(&env);
    let dir = env.scratch.path().join("there");
    std::fs::create_dir(&dir).unwrap();
    let err = env.fails(&["bundle", "export", &reg, "--out", dir.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    let zip = env.scratch.path().join("b.zip");
    env.ok(&["bundle", "export", &reg, "--out", zip.to_str().unwrap()]);
    let err = env.fails(&["bundle", "export", &reg, "--out", zip.to_str().unwrap()]);
    assert!(err.contains("--force") || err.contains("exists"), "{err}");
    env.ok(&[
        "bundle",
        "export",
        &reg,
        "--out",
        zip.to_str().unwrap(),
        "--force",
    ]);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn pylti1p3_from_pypi_loads_the_bundle_and_signs_with_the_published_kid() {
    let Some(python) = peer_python() else {
        return;
    };
    let (env, kid, reg, out) = exported_with_private("bundle");
    let shown = env.json(&["registration", "show", &reg, "--json"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/pylti1p3_loads.py");
    let run = std::process::Command::new(&python)
        .arg(&script)
        .arg(&out)
        .args([
            shown["issuer"].as_str().unwrap(),
            "10000000000001",
            &kid,
            "correct horse battery",
            "1:4dde05e8ca1973bcca9bffc13e1548820eee93a3",
            "2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "pylti1.3 refused the bundle: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_kid_pylti1p3_never_sends_is_refused_for_its_config_and_noted_at_key_new() {
    let env = Env::new();
    add_quiz_engine(&env);
    let out = env.run(&[
        "key",
        "new",
        "--tool",
        "Quiz Engine",
        "--bits",
        "2048",
        "--kid-scheme",
        "timestamp",
    ]);
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("pylti1.3") && note.contains("thumbprint"),
        "{note}"
    );
    let reg = registration(&env);
    let err = env.fails(&["registration", "export", &reg, "--format", "pylti1p3"]);
    assert!(
        err.contains("KidNotFound") && err.contains("rotate"),
        "{err}"
    );
    // The bundle leaves it out and says why.
    let dir = env.scratch.path().join("b");
    let listed = env.json(&[
        "bundle",
        "export",
        &reg,
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    let omitted = listed["omitted"].to_string();
    assert!(
        omitted.contains("pylti1p3.json") && omitted.contains("thumbprint"),
        "{omitted}"
    );
    // The other libraries do not care about the kid.
    let ltijs = env.json(&["registration", "export", &reg, "--format", "ltijs"]);
    assert_eq!(ltijs["clientId"], "10000000000001");
    assert_eq!(ltijs["authConfig"]["method"], "JWK_SET");
    let django = env.json(&["registration", "export", &reg, "--format", "django-lti"]);
    assert_eq!(django["deployments"].as_array().unwrap().len(), 2);
    let handoff = env.json(&["registration", "export", &reg, "--format", "handoff"]);
    assert_eq!(handoff["client_id"], "10000000000001");
}
