//! Encrypted and bundled PEM keys as the real tools write them: OpenSSL (every PBES2 cipher
//! and PRF it offers, scrypt, PKCS#12 PBE), Python's `cryptography` and Node, made at test time.
//! A tool that is missing fails the test under `CI=true` and skips it otherwise.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use ltikeys_core::error::ErrorKind;
use ltikeys_core::KeyPair;

const PASS: &str = "correct horse battery";

/// Whether `program` runs; without it the test fails on CI and is skipped elsewhere.
fn have(program: &str, version_arg: &str) -> bool {
    let ok = Command::new(program)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is needed for this test on CI (scripts/install-deps.sh --test installs it)"
        );
        eprintln!("skipped: {program} is not installed");
    }
    ok
}

fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The modulus of a key, as upper-case hex (what `openssl rsa -modulus` prints).
fn modulus_hex(key: &KeyPair) -> String {
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key.public_key().n_b64())
        .unwrap();
    n.iter().map(|b| format!("{b:02X}")).collect()
}

/// `openssl pkcs8 -topk8` of plain.pem into `file`, encrypted with [`PASS`] as `args` say.
fn topk8(dir: &Path, file: &str, args: &[&str]) {
    let pass = format!("pass:{PASS}");
    let mut all = vec![
        "pkcs8",
        "-topk8",
        "-in",
        "plain.pem",
        "-passout",
        &pass,
        "-out",
        file,
    ];
    all.extend_from_slice(args);
    run("openssl", &all, dir);
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// Reads `file` with the passphrase, checks its modulus, and that a wrong passphrase says
/// so, naming `scheme`.
fn imports(dir: &Path, file: &str, modulus: &str, scheme: &str) {
    let pem = read(dir, file);
    let key =
        KeyPair::from_pem(&pem, Some(PASS.as_bytes())).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(modulus_hex(&key), modulus, "{file}: another key came out");
    refuses_a_wrong_passphrase(
        &pem,
        &format!("encrypted with {scheme} and this passphrase does not decrypt it"),
    );
}

/// A wrong passphrase is an error on the passphrase field whose message holds `words`.
fn refuses_a_wrong_passphrase(pem: &str, words: &str) {
    let err = KeyPair::from_pem(pem, Some(b"not the passphrase"))
        .err()
        .expect("a wrong passphrase was accepted");
    assert_eq!(err.field(), Some("passphrase"), "{err}");
    assert!(err.to_string().contains(words), "{err}");
}

#[test]
fn openssl_pkcs8_in_every_scheme_it_writes() {
    if !have("openssl", "version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "plain.pem",
        ],
        d,
    );
    let modulus = run(
        "openssl",
        &["rsa", "-in", "plain.pem", "-noout", "-modulus"],
        d,
    )
    .trim()
    .trim_start_matches("Modulus=")
    .to_string();
    for (file, args, scheme) in [
        (
            "sha512-aes256.pem",
            &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"][..],
            "PBES2 (PBKDF2-HMAC-SHA512, AES-256-CBC)",
        ),
        (
            "sha1-aes128.pem",
            &["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"],
            "PBES2 (PBKDF2-HMAC-SHA1, AES-128-CBC)",
        ),
        (
            "sha256-aes192.pem",
            &["-v2", "aes-192-cbc"],
            "PBES2 (PBKDF2-HMAC-SHA256, AES-192-CBC)",
        ),
        (
            "des3.pem",
            &["-v2", "des3"],
            "PBES2 (PBKDF2-HMAC-SHA256, DES-EDE3-CBC)",
        ),
        ("scrypt.pem", &["-scrypt"], "PBES2 (scrypt, AES-256-CBC)"),
        (
            "pkcs12-3des.pem",
            &["-v1", "PBE-SHA1-3DES"],
            "PKCS#12 PBE (SHA-1, 3-key triple DES-CBC)",
        ),
    ] {
        topk8(d, file, args);
        imports(d, file, &modulus, scheme);
    }

    // A cipher PBES2 allows but this app does not decrypt: unsupported, not a wrong passphrase.
    topk8(d, "camellia.pem", &["-v2", "camellia-256-cbc"]);
    let err = KeyPair::from_pem(&read(d, "camellia.pem"), Some(PASS.as_bytes()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::BadKey, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("the key is encrypted with PBES2 (")
            && text.contains("camellia256-cbc")
            && text.contains("which is not supported")
            && text.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
        "{text}"
    );

    // The key with its certificate on either side: the key comes in, the certificates are noted.
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-key",
            "plain.pem",
            "-subj",
            "/CN=tool.example",
            "-days",
            "1",
            "-out",
            "cert.pem",
        ],
        d,
    );
    let cert = read(d, "cert.pem");
    let bundle = format!(
        "Bag Attributes\n    friendlyName: tool\n{cert}{}{cert}",
        read(d, "sha512-aes256.pem")
    );
    let read_back = KeyPair::read_pem(&bundle, Some(PASS.as_bytes())).unwrap();
    assert_eq!(modulus_hex(&read_back.key), modulus);
    assert_eq!(read_back.notes.len(), 2, "{:?}", read_back.notes);
    assert!(
        read_back.notes[0].contains("certificate") && read_back.notes[0].contains("ignored"),
        "{:?}",
        read_back.notes
    );
    let only_cert = KeyPair::from_pem(&cert, None).err().unwrap().to_string();
    assert!(only_cert.contains("not a private key"), "{only_cert}");
    let two_keys = format!("{}{}", read(d, "plain.pem"), read(d, "plain.pem"));
    let err = KeyPair::from_pem(&two_keys, None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("2 private keys"), "{err}");

    // Legacy OpenSSL encryption of PKCS#1 stays refused, with the conversion to run.
    run(
        "openssl",
        &[
            "rsa",
            "-in",
            "plain.pem",
            "-traditional",
            "-aes256",
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            "legacy.pem",
        ],
        d,
    );
    let err = KeyPair::from_pem(&read(d, "legacy.pem"), Some(PASS.as_bytes()))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("openssl pkcs8 -topk8"), "{err}");
}

#[test]
fn python_cryptography_best_available_encryption() {
    // The peer libraries' venv (scripts/install-deps.sh --test) pins cryptography; else the
    // system's python3.
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let python = if venv.exists() {
        venv.display().to_string()
    } else {
        "python3".to_string()
    };
    if !have(&python, "--version") {
        return;
    }
    let probe = Command::new(&python)
        .args(["-c", "import cryptography"])
        .output()
        .unwrap();
    if !probe.status.success() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Python's cryptography is needed on CI (scripts/install-deps.sh --test installs it)"
        );
        eprintln!("skipped: Python's cryptography is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "from cryptography.hazmat.primitives.asymmetric import rsa\n\
         from cryptography.hazmat.primitives import serialization as s\n\
         k = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
         open('py.pem', 'wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, \
         s.BestAvailableEncryption(b'{PASS}')))\n\
         print('%X' % k.public_key().public_numbers().n)\n"
    );
    let modulus = run(&python, &["-c", &script], dir.path());
    let pem = read(dir.path(), "py.pem");
    let key = KeyPair::from_pem(&pem, Some(PASS.as_bytes())).unwrap();
    assert_eq!(modulus_hex(&key), modulus.trim());
    refuses_a_wrong_passphrase(&pem, "this passphrase does not decrypt it");
}

#[test]
fn node_generate_key_pair_with_a_cipher() {
    if !have("node", "--version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "const c = require('crypto'); const fs = require('fs');\n\
         const {{ privateKey, publicKey }} = c.generateKeyPairSync('rsa', {{ modulusLength: 2048,\n\
           publicKeyEncoding: {{ type: 'spki', format: 'pem' }},\n\
           privateKeyEncoding: {{ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', \
         passphrase: '{PASS}' }} }});\n\
         fs.writeFileSync('node.pem', privateKey);\n\
         console.log(c.createPublicKey(publicKey).export({{ format: 'jwk' }}).n);\n"
    );
    let n = run("node", &["-e", &script], dir.path());
    let pem = read(dir.path(), "node.pem");
    let key = KeyPair::from_pem(&pem, Some(PASS.as_bytes())).unwrap();
    assert_eq!(key.public_key().n_b64(), n.trim());
    refuses_a_wrong_passphrase(&pem, "AES-256-CBC) and this passphrase");
}
