//! Encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`): the schemes OpenSSL, Python's `cryptography`
//! and Node write, named in words, and decrypted by the RustCrypto crates.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use const_oid::ObjectIdentifier;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo as AnyEncrypted, Pbes2Params, Pkcs12PbeParams};
use pkcs8::der::Decode;
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// PBES2 (RFC 8018).
const PBES2: ObjectIdentifier = pbes2::PBES2_OID;

/// The OpenSSL command that rewrites any key OpenSSL reads as PBES2 with AES-256-CBC.
const CONVERT: &str = "convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out \
                       key-aes.pem` (OpenSSL asks for the old passphrase, then a new one) and \
                       import key-aes.pem";

/// Ciphers OpenSSL writes into PBES2 that the OID database does not name.
const CAMELLIA_CBC: [(&str, &str); 3] = [
    ("1.2.392.200011.61.1.1.1.2", "camellia128-cbc"),
    ("1.2.392.200011.61.1.1.1.3", "camellia192-cbc"),
    ("1.2.392.200011.61.1.1.1.4", "camellia256-cbc"),
];

/// An OID by its registered name, or as digits.
fn oid_name(oid: &ObjectIdentifier) -> String {
    let digits = oid.to_string();
    let camellia = CAMELLIA_CBC
        .iter()
        .find(|(o, _)| *o == digits)
        .map(|(_, n)| *n);
    match camellia.or_else(|| const_oid::db::DB.by_oid(oid)) {
        Some(name) => format!("{name} ({digits})"),
        None => digits,
    }
}

fn prf_name(prf: pbes2::Pbkdf2Prf) -> String {
    let name = match prf {
        pbes2::Pbkdf2Prf::HmacWithSha1 => "PBKDF2-HMAC-SHA1",
        pbes2::Pbkdf2Prf::HmacWithSha224 => "PBKDF2-HMAC-SHA224",
        pbes2::Pbkdf2Prf::HmacWithSha256 => "PBKDF2-HMAC-SHA256",
        pbes2::Pbkdf2Prf::HmacWithSha384 => "PBKDF2-HMAC-SHA384",
        pbes2::Pbkdf2Prf::HmacWithSha512 => "PBKDF2-HMAC-SHA512",
        other => return format!("PBKDF2 with {}", oid_name(&other.oid())),
    };
    name.to_string()
}

fn cipher_name(scheme: &pbes2::EncryptionScheme<'_>) -> String {
    match scheme {
        pbes2::EncryptionScheme::Aes128Cbc { .. } => "AES-128-CBC".into(),
        pbes2::EncryptionScheme::Aes192Cbc { .. } => "AES-192-CBC".into(),
        pbes2::EncryptionScheme::Aes256Cbc { .. } => "AES-256-CBC".into(),
        pbes2::EncryptionScheme::DesEde3Cbc { .. } => "DES-EDE3-CBC".into(),
        other => oid_name(&other.oid()),
    }
}

/// The scheme of a key pkcs5 parses, in words: `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`.
fn known_name(scheme: &pkcs5::EncryptionScheme<'_>) -> String {
    match scheme {
        pkcs5::EncryptionScheme::Pbes2(params) => {
            let kdf = match &params.kdf {
                pbes2::Kdf::Pbkdf2(p) => prf_name(p.prf),
                pbes2::Kdf::Scrypt(_) => "scrypt".to_string(),
                other => oid_name(&other.oid()),
            };
            format!("PBES2 ({kdf}, {})", cipher_name(&params.encryption))
        }
        other => oid_name(&other.oid()),
    }
}

/// The scheme of a key pkcs5 does not parse, from its OIDs.
fn other_name(info: &AnyEncrypted) -> String {
    let alg = &info.encryption_algorithm;
    if alg.oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
        return "PKCS#12 PBE (SHA-1, 3-key triple DES-CBC)".into();
    }
    if alg.oid == PBES2 {
        if let Some(params) = alg
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<Pbes2Params>().ok())
        {
            return format!(
                "PBES2 ({}, {})",
                oid_name(&params.kdf.oid),
                oid_name(&params.encryption.oid)
            );
        }
    }
    oid_name(&alg.oid)
}

/// The most PBKDF2 (or PKCS#12) rounds decrypted: over eight times the 600,000 this app writes,
/// a few seconds. A key file asking for more would hold the process for minutes or hours.
pub const MAX_KDF_ROUNDS: u64 = 5_000_000;

/// The most memory scrypt may ask for (128 × r × N bytes): sixteen times OpenSSL's default
/// (N = 16384, r = 8). A key file asking for more could exhaust the machine's memory.
pub const MAX_SCRYPT_BYTES: u64 = 256 * 1024 * 1024;

fn too_costly(scheme: &str, what: String) -> Error {
    Error::bad_key(
        "PEM",
        format!("the key's {scheme} parameters ask for {what}, so it is not decrypted"),
        format!("export the key again with usual parameters, or {CONVERT}"),
    )
}

/// Refuses a key whose key derivation would take too long or too much memory, before any of it
/// runs: the parameters come from the file, and a damaged or hostile one can ask for anything.
fn check_cost(scheme: &pkcs5::EncryptionScheme<'_>, name: &str) -> Result<()> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(());
    };
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(p) if u64::from(p.iteration_count) > MAX_KDF_ROUNDS => Err(too_costly(
            name,
            format!(
                "{} PBKDF2 rounds, more than {MAX_KDF_ROUNDS}",
                p.iteration_count
            ),
        )),
        pbes2::Kdf::Scrypt(p) => {
            let r = u64::from(p.block_size);
            let bytes = 128u64.saturating_mul(r).saturating_mul(p.cost_parameter);
            let work = bytes.saturating_mul(u64::from(p.parallelization));
            if bytes > MAX_SCRYPT_BYTES || work > 16 * MAX_SCRYPT_BYTES {
                Err(too_costly(
                    name,
                    format!(
                        "scrypt with N = {}, r = {r}, p = {}: {} MiB of memory, more than {} MiB",
                        p.cost_parameter,
                        p.parallelization,
                        bytes / (1024 * 1024),
                        MAX_SCRYPT_BYTES / (1024 * 1024)
                    ),
                ))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

fn wrong_passphrase(scheme: &str) -> Error {
    Error::invalid(
        "passphrase",
        format!("the key is encrypted with {scheme} and this passphrase does not decrypt it"),
        "check the passphrase (a trailing newline of a passphrase file is ignored)",
    )
    .at("passphrase")
}

fn unsupported(scheme: &str) -> Error {
    Error::bad_key(
        "PEM",
        format!("the key is encrypted with {scheme}, which is not supported"),
        CONVERT,
    )
}

/// Decrypts encrypted PKCS#8 DER into PKCS#8 DER. A result that is not a PKCS#8 structure is
/// a wrong passphrase too (CBC padding alone lets one in 256 wrong passphrases through).
pub(super) fn decrypt(der: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let any = AnyEncrypted::from_der(der).map_err(|e| {
        Error::bad_key(
            "PEM",
            format!("not a valid encrypted PKCS#8 structure ({e})"),
            "export the key again",
        )
    })?;
    let (scheme, plain) =
        if any.encryption_algorithm.oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
            let scheme = other_name(&any);
            let plain = pkcs12_3des(&any, passphrase)
                .map_err(|e| e.unwrap_or_else(|| wrong_passphrase(&scheme)))?;
            (scheme, plain)
        } else {
            let info = match EncryptedPrivateKeyInfo::try_from(der) {
                Ok(info) => info,
                Err(_) => return Err(unsupported(&other_name(&any))),
            };
            let scheme = known_name(&info.encryption_algorithm);
            check_cost(&info.encryption_algorithm, &scheme)?;
            let plain = match info
                .encryption_algorithm
                .decrypt(passphrase, info.encrypted_data)
            {
                Ok(plain) => Zeroizing::new(plain),
                // pkcs5 0.7 reports a CBC padding failure as `EncryptFailed`.
                Err(pkcs5::Error::DecryptFailed | pkcs5::Error::EncryptFailed) => {
                    return Err(wrong_passphrase(&scheme))
                }
                Err(_) => return Err(unsupported(&scheme)),
            };
            (scheme, plain)
        };
    if PrivateKeyInfo::try_from(plain.as_slice()).is_err() {
        return Err(wrong_passphrase(&scheme));
    }
    Ok(plain)
}

/// PKCS#12 PBE with SHA-1 and 3-key triple DES (RFC 7292 appendix B and C), which
/// `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` writes. `Err(None)` is a failed decryption.
fn pkcs12_3des(
    info: &AnyEncrypted,
    passphrase: &[u8],
) -> std::result::Result<Zeroizing<Vec<u8>>, Option<Error>> {
    let scheme = "PKCS#12 PBE (SHA-1, 3-key triple DES-CBC)";
    let params = info
        .encryption_algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Pkcs12PbeParams>().ok())
        .ok_or_else(|| {
            Some(Error::bad_key(
                "PEM",
                format!("the {scheme} parameters of the key could not be read"),
                "export the key again",
            ))
        })?;
    // RFC 7292 passwords are BMPString: text, not arbitrary bytes.
    let password = std::str::from_utf8(passphrase).map_err(|_| None)?;
    let salt = params.salt.as_bytes();
    let rounds = params.iterations;
    if rounds < 1 {
        return Err(Some(Error::bad_key(
            "PEM",
            format!("the key's {scheme} iteration count {rounds} is not positive"),
            "export the key again",
        )));
    }
    if u64::try_from(rounds).unwrap_or(u64::MAX) > MAX_KDF_ROUNDS {
        return Err(Some(too_costly(
            scheme,
            format!("{rounds} rounds, more than {MAX_KDF_ROUNDS}"),
        )));
    }
    let derive = |kind, len| {
        derive_key_utf8::<sha1::Sha1>(password, salt, kind, rounds, len)
            .map(Zeroizing::new)
            .map_err(|_| None)
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, 24)?;
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    let decryptor =
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv).map_err(|_| None)?;
    decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(info.encrypted_data.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| None)
}

#[cfg(test)]
mod tests {
    use pkcs8::der::Encode as _;

    use super::*;

    /// An encrypted PKCS#8 structure with these parameters; its data is not really encrypted,
    /// since a costly one must be refused before any decryption.
    fn with(params: pbes2::Parameters<'_>) -> Vec<u8> {
        EncryptedPrivateKeyInfo {
            encryption_algorithm: pkcs5::EncryptionScheme::Pbes2(params),
            encrypted_data: &[7u8; 64],
        }
        .to_der()
        .unwrap_or_default()
    }

    #[test]
    fn a_key_asking_for_hours_of_rounds_or_gigabytes_of_scrypt_is_refused_at_once() {
        let (salt, iv) = ([1u8; 16], [2u8; 16]);
        let started = std::time::Instant::now();
        let rounds = pbes2::Parameters::pbkdf2_sha256_aes256cbc(90_000_000, &salt, &iv);
        let err = decrypt(&with(rounds.unwrap()), b"x")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("90000000 PBKDF2 rounds, more than 5000000"),
            "{err}"
        );
        assert!(err.contains("export the key again"), "{err}");
        let huge = pkcs5::scrypt::Params::new(30, 8, 1, 32).unwrap();
        let scrypt = pbes2::Parameters::scrypt_aes256cbc(huge, &salt, &iv);
        let err = decrypt(&with(scrypt.unwrap()), b"x")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("N = 1073741824, r = 8, p = 1: 1048576 MiB of memory, more than 256 MiB"),
            "{err}"
        );
        assert!(
            started.elapsed().as_secs() < 2,
            "refused before deriving anything"
        );

        // Usual parameters go on to decryption (and this fake data fails as a wrong passphrase).
        let usual = pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv);
        let err = decrypt(&with(usual.unwrap()), b"x")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("passphrase: "), "{err}");
        let small = pkcs5::scrypt::Params::new(10, 8, 1, 32).unwrap();
        let scrypt = pbes2::Parameters::scrypt_aes256cbc(small, &salt, &iv);
        let err = decrypt(&with(scrypt.unwrap()), b"x")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("passphrase: "), "{err}");
    }
}
