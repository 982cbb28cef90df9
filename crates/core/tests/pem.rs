//! PEM import of PKCS#1, PKCS#8 and encrypted PKCS#8, the ones that must be rejected, and
//! export round trips.

use ltikeys_core::kid::thumbprint;
use ltikeys_core::{KeyPair, KeySize};

use crate::fixture;

fn kid_of(pem: &str, passphrase: Option<&[u8]>) -> String {
    thumbprint(&KeyPair::from_pem(pem, passphrase).unwrap().public_key())
}

#[test]
fn pkcs1_pkcs8_and_encrypted_pkcs8_give_the_same_key() {
    let expected = fixture("rsa2048.thumbprint");
    assert_eq!(kid_of(&fixture("rsa2048-pkcs1.pem"), None), expected.trim());
    assert_eq!(kid_of(&fixture("rsa2048-pkcs8.pem"), None), expected.trim());
    assert_eq!(
        kid_of(
            &fixture("rsa2048-pkcs8-encrypted.pem"),
            Some(b"fixture-passphrase")
        ),
        expected.trim()
    );
}

#[test]
fn encrypted_pkcs8_needs_the_right_passphrase() {
    let pem = fixture("rsa2048-pkcs8-encrypted.pem");
    let err = KeyPair::from_pem(&pem, None).err().unwrap();
    assert_eq!(err.field(), Some("passphrase"));
    let err = err.to_string();
    assert!(
        err.starts_with("passphrase:") && err.contains("give the key's passphrase"),
        "{err}"
    );
    let err = KeyPair::from_pem(&pem, Some(b"wrong")).err().unwrap();
    assert_eq!(
        err.field(),
        Some("passphrase"),
        "a front end points at its passphrase field"
    );
    let err = err.to_string();
    assert!(err.starts_with("passphrase:"), "{err}");
}

#[test]
fn rejects_what_is_not_a_usable_rsa_private_key() {
    for (file, words) in [
        ("rsa1024-pkcs1.pem", "2048"),
        ("ec-p256-pkcs8.pem", "RSA"),
        ("rsa2048-public.pem", "public key"),
        ("rsa2048-pkcs1-legacy-encrypted.pem", "openssl pkcs8 -topk8"),
    ] {
        let err = KeyPair::from_pem(&fixture(file), Some(b"x"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(words), "{file}: {err}");
        assert!(
            err.contains("Fix:"),
            "{file}: the error should say how to fix it: {err}"
        );
    }
    let err = KeyPair::from_pem("not a pem", None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("BEGIN"), "{err}");
    let tampered = fixture("rsa2048-pkcs8.pem").replacen("MII", "MIJ", 1);
    assert!(
        KeyPair::from_pem(&tampered, None).is_err(),
        "a tampered PEM must be rejected"
    );
}

#[test]
fn export_round_trips_plain_and_encrypted_and_openssl_reads_it() {
    let key = KeyPair::generate(KeySize::Bits2048).unwrap();
    let plain = key.to_pkcs8_pem(None).unwrap();
    assert!(plain.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        KeyPair::from_pem(&plain, None).unwrap().public_key(),
        key.public_key()
    );
    let encrypted = key.to_pkcs8_pem(Some(b"pass phrase")).unwrap();
    assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert!(!encrypted.contains(plain.lines().nth(3).unwrap()));
    assert_eq!(
        KeyPair::from_pem(&encrypted, Some(b"pass phrase"))
            .unwrap()
            .public_key(),
        key.public_key()
    );
    assert!(
        key.to_pkcs8_pem(Some(b"")).is_err(),
        "an empty passphrase must be refused"
    );

    // OpenSSL, the reference reader, must open the encrypted export with the passphrase.
    if let Ok(out) = std::process::Command::new("openssl")
        .arg("version")
        .output()
    {
        if out.status.success() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.pem");
            std::fs::write(&path, encrypted.as_bytes()).unwrap();
            let out = std::process::Command::new("openssl")
                .args(["pkey", "-noout", "-passin", "pass:pass phrase", "-in"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
