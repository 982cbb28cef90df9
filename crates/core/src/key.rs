//! Keys: RSA pairs (generated, PEM, RS256; private bytes zeroized), the stored record, its views.

use std::sync::atomic::AtomicBool;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize as LcKeySize;
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use pkcs8::der::pem::LineEnding;
use pkcs8::pkcs5::pbes2;
use pkcs8::PrivateKeyInfo;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::remedy::Remedy;

mod encrypted;
mod generate;

pub use generate::{default_racers, yield_to_interactive_work, MAX_RACERS};

/// PBKDF2-HMAC-SHA256 rounds for passphrase-protected exports (OWASP's 2023 figure).
const PBKDF2_ROUNDS: u32 = 600_000;

/// The modulus sizes the app generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySize {
    /// 2048 bits: what every platform accepts.
    Bits2048,
    /// 3072 bits.
    Bits3072,
    /// 4096 bits.
    Bits4096,
}

impl KeySize {
    /// The size in bits.
    pub fn bits(self) -> u32 {
        match self {
            KeySize::Bits2048 => 2048,
            KeySize::Bits3072 => 3072,
            KeySize::Bits4096 => 4096,
        }
    }

    fn lc(self) -> LcKeySize {
        match self {
            KeySize::Bits2048 => LcKeySize::Rsa2048,
            KeySize::Bits3072 => LcKeySize::Rsa3072,
            KeySize::Bits4096 => LcKeySize::Rsa4096,
        }
    }
}

impl TryFrom<u32> for KeySize {
    type Error = Error;

    fn try_from(bits: u32) -> Result<Self> {
        match bits {
            2048 => Ok(KeySize::Bits2048),
            3072 => Ok(KeySize::Bits3072),
            4096 => Ok(KeySize::Bits4096),
            other => Err(Error::invalid(
                "bits",
                format!("{other} is not a supported key size"),
                "use 2048, 3072 or 4096",
            )),
        }
    }
}

/// The public half of an RSA key: big-endian modulus and exponent without leading zeros.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} bits)", self.bits())
    }
}

impl PublicKey {
    /// From big-endian modulus and exponent bytes (leading zeros are dropped).
    pub fn from_components(n: &[u8], e: &[u8]) -> Self {
        let strip = |b: &[u8]| {
            let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
            b[start..].to_vec()
        };
        PublicKey {
            n: strip(n),
            e: strip(e),
        }
    }

    /// The modulus, base64url without padding, as a JWK's `n`.
    pub fn n_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.n)
    }

    /// The exponent, base64url without padding, as a JWK's `e`.
    pub fn e_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.e)
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> u32 {
        match self.n.first() {
            None => 0,
            Some(&top) => {
                let len = u32::try_from(self.n.len()).unwrap_or(u32::MAX / 8);
                len * 8 - top.leading_zeros()
            }
        }
    }

    /// Reads an RSA public key from SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), as
    /// OpenBao's Transit engine publishes each version of a key.
    pub fn from_spki_pem(pem: &str) -> Result<Self> {
        use pkcs8::der::{Decode as _, DecodePem as _};
        let bad = |problem: String| {
            Error::bad_key(
                "public key",
                problem,
                "give an RSA public key in PEM (-----BEGIN PUBLIC KEY-----)",
            )
        };
        let spki = pkcs8::spki::SubjectPublicKeyInfoOwned::from_pem(pem.trim())
            .map_err(|e| bad(format!("is not a public key in PEM ({e})")))?;
        if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(bad(format!("its algorithm is {}", spki.algorithm.oid)));
        }
        let rsa = pkcs1::RsaPublicKey::from_der(spki.subject_public_key.raw_bytes())
            .map_err(|e| bad(format!("is not an RSA public key ({e})")))?;
        Ok(PublicKey::from_components(
            rsa.modulus.as_bytes(),
            rsa.public_exponent.as_bytes(),
        ))
    }

    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), what Moodle,
    /// Sakai and tool libraries read.
    pub fn to_spki_pem(&self) -> Result<String> {
        use pkcs8::der::{asn1::BitStringRef, Encode as _, EncodePem as _};
        let fail = |_| Error::Crypto("public key encoding");
        let rsa = pkcs1::RsaPublicKey {
            modulus: pkcs1::UintRef::new(&self.n).map_err(fail)?,
            public_exponent: pkcs1::UintRef::new(&self.e).map_err(fail)?,
        };
        let der = rsa.to_der().map_err(fail)?;
        let spki = pkcs8::SubjectPublicKeyInfoRef {
            algorithm: pkcs1::ALGORITHM_ID,
            subject_public_key: BitStringRef::from_bytes(&der).map_err(fail)?,
        };
        spki.to_pem(LineEnding::LF).map_err(fail)
    }

    /// Verifies an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature.
    pub fn verify_rs256(&self, message: &[u8], sig: &[u8]) -> bool {
        signature::RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
        .is_ok()
    }
}

/// A private key read from a PEM file, and notes on what else the file held.
pub struct PemKey {
    /// The key.
    pub key: KeyPair,
    /// One sentence for each block passed over (certificates, public keys).
    pub notes: Vec<String>,
}

/// A `-----BEGIN label-----` … `-----END label-----` block of a PEM file.
struct PemBlock<'a> {
    label: &'a str,
    text: &'a str,
}

/// The PEM blocks of a file, in order; text between them (OpenSSL's `Bag Attributes`) is
/// skipped. An unterminated block runs to the end, where decoding reports it.
fn pem_blocks(pem: &str) -> Vec<PemBlock<'_>> {
    let mut blocks = Vec::new();
    let mut rest = pem;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let from = &rest[begin..];
        let label = from["-----BEGIN ".len()..]
            .split_once("-----")
            .map_or("", |(label, _)| label);
        let end_line = format!("-----END {label}-----");
        let len = from
            .find(&end_line)
            .map_or(from.len(), |i| i + end_line.len());
        blocks.push(PemBlock {
            label,
            text: &from[..len],
        });
        rest = &from[len..];
    }
    blocks
}

/// An RSA private key. It has no `Debug`, `Display` or `Serialize`: its bytes leave only as
/// PKCS#8 DER for the keychain or as a PEM the user asked for.
pub struct KeyPair {
    inner: aws_lc_rs::rsa::KeyPair,
}

impl KeyPair {
    /// Generates a new key of the given size, racing one prime search per core
    /// ([`default_racers`]) and keeping the first key found.
    pub fn generate(size: KeySize) -> Result<Self> {
        KeyPair::generate_raced(size, default_racers(), &AtomicBool::new(false))
    }

    /// [`KeyPair::generate`] with `racers` searches at once (1 for a single search), which
    /// fails with [`Error::Cancelled`] soon after `cancelled` is set; the keys the other
    /// searches find are dropped and wiped.
    pub fn generate_raced(size: KeySize, racers: usize, cancelled: &AtomicBool) -> Result<Self> {
        let inner = generate::race(size, racers, cancelled)?;
        Ok(KeyPair { inner })
    }

    /// Reads PKCS#8 DER, as stored in the keychain.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        Self::from_pkcs8_as(der, "private key")
    }

    fn from_pkcs8_as(der: &[u8], what: &str) -> Result<Self> {
        let inner =
            aws_lc_rs::rsa::KeyPair::from_pkcs8(der).map_err(|e| rejected(what, der, true, &e))?;
        Ok(KeyPair { inner })
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or encrypted
    /// PKCS#8 (`ENCRYPTED PRIVATE KEY`, which needs the passphrase). Certificates beside the key
    /// are passed over; [`KeyPair::read_pem`] says so.
    pub fn from_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<Self> {
        Ok(Self::read_pem(pem, passphrase)?.key)
    }

    /// Reads the one private key of a PEM file, as [`KeyPair::from_pem`], with a note for each
    /// other block (a certificate, a public key) that was passed over.
    ///
    /// Encrypted PKCS#8 may use PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, or scrypt; AES-128,
    /// -192 or -256-CBC, or DES-EDE3-CBC) or PKCS#12 PBE with SHA-1 and 3-key triple DES, what
    /// OpenSSL, Python's `cryptography` and Node write. A wrong passphrase and a scheme that is
    /// not supported are different errors, each naming the scheme found.
    pub fn read_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<PemKey> {
        let blocks = pem_blocks(pem);
        if blocks.is_empty() {
            return Err(Error::bad_key(
                "PEM",
                "no `-----BEGIN ...-----` line found",
                "pass a PEM file holding an RSA private key",
            ));
        }
        let (keys, others): (Vec<_>, Vec<_>) = blocks.iter().partition(|b| {
            matches!(
                b.label,
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
            )
        });
        let block = match keys.as_slice() {
            [one] => one,
            [] => {
                let label = others[0].label;
                return Err(match label {
                    "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Error::bad_key(
                        "PEM",
                        format!("it holds a {}, not a private key", label.to_lowercase()),
                        "import the private key; the public key is derived from it",
                    ),
                    other => Error::bad_key(
                        "PEM",
                        format!("unsupported PEM type `{other}`"),
                        "use an RSA private key in PKCS#8 or PKCS#1 PEM",
                    ),
                });
            }
            many => {
                return Err(Error::bad_key(
                    "PEM",
                    format!("it holds {} private keys", many.len()),
                    "give a file with the one private key to import",
                ))
            }
        };
        let key = Self::from_pem_block(block.text, passphrase)?;
        let mut notes = Vec::new();
        for label in others.iter().map(|b| b.label) {
            let what = match label {
                "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => "a certificate",
                "PUBLIC KEY" | "RSA PUBLIC KEY" => "a public key",
                _ => "a block",
            };
            notes.push(format!(
                "the file also holds {what} (`{label}`), which was ignored: only the private key \
                 is imported"
            ));
        }
        Ok(PemKey { key, notes })
    }

    fn from_pem_block(pem: &str, passphrase: Option<&[u8]>) -> Result<Self> {
        if pem.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::bad_key(
                "PEM",
                "legacy OpenSSL-encrypted PKCS#1 keys are not supported",
                "convert it with `openssl pkcs8 -topk8 -in key.pem -out key-pkcs8.pem` and import that",
            ));
        }
        let (label, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).map_err(|e| {
            Error::bad_key(
                "PEM",
                format!("it could not be decoded ({e})"),
                "pass an unmodified PEM file with one private key",
            )
        })?;
        let der = Zeroizing::new(der);
        match label {
            "RSA PRIVATE KEY" => {
                let inner = aws_lc_rs::rsa::KeyPair::from_der(&der)
                    .map_err(|e| rejected("PEM", &der, false, &e))?;
                Ok(KeyPair { inner })
            }
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or_else(|| {
                    Error::invalid(
                        "passphrase",
                        "the key is encrypted and no passphrase was given",
                        "give the key's passphrase",
                    )
                    .at("passphrase")
                    .with_remedy(Remedy::Give {
                        field: "passphrase".into(),
                    })
                })?;
                let plain = encrypted::decrypt(&der, passphrase)?;
                Self::from_pkcs8_as(&plain, "PEM")
            }
            _ => Self::from_pkcs8_as(&der, "PEM"),
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        let public = self.inner.public_key();
        PublicKey::from_components(
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        )
    }

    /// The private key as PKCS#8 DER bytes, zeroized on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let der = self
            .inner
            .as_der()
            .map_err(|_| Error::Crypto("PKCS#8 encoding"))?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// The private key as PKCS#8 PEM: encrypted (PBES2: PBKDF2-SHA256 and AES-256-CBC) when a
    /// passphrase is given, in the clear otherwise.
    pub fn to_pkcs8_pem(&self, passphrase: Option<&[u8]>) -> Result<Zeroizing<String>> {
        let der = self.to_pkcs8_der()?;
        let Some(passphrase) = passphrase else {
            return pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &der)
                .map(Zeroizing::new)
                .map_err(|_| Error::Crypto("PEM encoding"));
        };
        if passphrase.is_empty() {
            return Err(Error::invalid(
                "passphrase",
                "it is empty",
                "give a passphrase, or export the key unencrypted",
            )
            .at("passphrase"));
        }
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| Error::Crypto("random salt"))?;
        aws_lc_rs::rand::fill(&mut iv).map_err(|_| Error::Crypto("random IV"))?;
        let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ROUNDS, &salt, &iv)
            .map_err(|_| Error::Crypto("PBES2 parameters"))?;
        let info =
            PrivateKeyInfo::try_from(der.as_slice()).map_err(|_| Error::Crypto("PKCS#8 parse"))?;
        let encrypted = info
            .encrypt_with_params(params, passphrase)
            .map_err(|_| Error::Crypto("PKCS#8 encryption"))?;
        encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|_| Error::Crypto("PEM encoding"))
    }

    /// Signs a message with RS256.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.inner.public_modulus_len()];
        self.inner
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .map_err(|_| Error::Crypto("RS256 signing"))?;
        Ok(sig)
    }
}

/// Where a key is in its life (DESIGN.md): next → current → previous → retired; revoked from any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Published, not signing yet.
    Next,
    /// Signs; exactly one per tool.
    Current,
    /// Published, no longer signs, until its overlap window ends.
    Previous,
    /// Unpublished.
    Retired,
    /// Unpublished at once, never signs again.
    Revoked,
}

impl KeyStatus {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Next => "next",
            KeyStatus::Current => "current",
            KeyStatus::Previous => "previous",
            KeyStatus::Retired => "retired",
            KeyStatus::Revoked => "revoked",
        }
    }

    /// Whether keys in this state belong in the published JWKS.
    pub fn is_published(self) -> bool {
        matches!(
            self,
            KeyStatus::Next | KeyStatus::Current | KeyStatus::Previous
        )
    }
}

impl std::str::FromStr for KeyStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "next" => KeyStatus::Next,
            "current" => KeyStatus::Current,
            "previous" => KeyStatus::Previous,
            "retired" => KeyStatus::Retired,
            "revoked" => KeyStatus::Revoked,
            other => {
                return Err(Error::invalid(
                    "status",
                    format!("unknown key status '{other}'"),
                    "the database may be from a newer version",
                ))
            }
        })
    }
}

/// A key row: the public facts of a key. Serialized without the public key itself (a JWK
/// carries that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeyRecord {
    /// The tool it belongs to.
    pub tool_id: String,
    /// The key id.
    pub kid: String,
    /// The signing algorithm: always RS256.
    pub alg: String,
    /// Modulus size.
    pub bits: u32,
    /// The public key.
    #[serde(skip)]
    #[ts(skip)]
    pub public: PublicKey,
    /// Life-cycle state.
    pub status: KeyStatus,
    /// When it was generated or imported.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Since when it has been in the published JWKS.
    #[ts(type = "string")]
    pub published_at: DateTime<Utc>,
    /// When it started signing.
    #[ts(type = "string | null")]
    pub signing_from: Option<DateTime<Utc>>,
    /// When it stopped signing.
    #[ts(type = "string | null")]
    pub signing_to: Option<DateTime<Utc>>,
    /// When its overlap window ends (previous keys): it may be retired from then on.
    #[ts(type = "string | null")]
    pub unpublish_after: Option<DateTime<Utc>>,
    /// When it was retired.
    #[ts(type = "string | null")]
    pub retired_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    #[ts(type = "string | null")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Came in from a registration bundle without its private half: it is published and never
    /// signs here.
    pub public_only: bool,
}

/// Whether a key's private half is in the OS keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PrivateKeyState {
    /// The keychain holds it.
    Present,
    /// The keychain answered that it is gone.
    Missing,
    /// The keychain could not be asked.
    Unknown,
    /// Never held here: the key came in public only (from a bundle without its private key).
    #[serde(rename = "public_only")]
    PublicOnly,
    /// Held by the team's OpenBao (or Vault) Transit engine, which signs with it; it never
    /// leaves the server.
    Transit,
}

/// A key as listed: its record and whether the keychain holds its private half; public facts
/// only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeyInfo {
    /// The key.
    #[serde(flatten)]
    pub key: KeyRecord,
    /// Whether it is in the published JWKS.
    pub published: bool,
    /// Whether the keychain holds the private key.
    pub private_key: PrivateKeyState,
}

/// A key imported from a PEM file, and what the file held besides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeyImported {
    /// The key as stored.
    #[serde(flatten)]
    pub key: KeyInfo,
    /// One sentence for each block of the file that was passed over (certificates, public
    /// keys); empty for a file with the key alone.
    pub notes: Vec<String>,
}

impl KeyInfo {
    /// A key and the state of its private half.
    pub fn new(key: KeyRecord, private_key: PrivateKeyState) -> Self {
        KeyInfo {
            published: key.status.is_published(),
            key,
            private_key,
        }
    }
}

/// Why aws-lc-rs refused a key, in words: what kind of key it is, or how many bits it has.
fn rejected(what: &str, der: &[u8], pkcs8: bool, e: &aws_lc_rs::error::KeyRejected) -> Error {
    use pkcs1::der::Decode as _;
    let fix = "use an RSA key of 2048 to 8192 bits; LTI signs with RS256";
    let info = pkcs8.then(|| PrivateKeyInfo::try_from(der).ok()).flatten();
    let rsa_der = match &info {
        Some(info) => info.private_key,
        None => der,
    };
    let bits = pkcs1::RsaPrivateKey::from_der(rsa_der)
        .ok()
        .map(|k| k.modulus.as_bytes().len() * 8);
    let problem = match (e.to_string().as_str(), &info, bits) {
        ("WrongAlgorithm", Some(info), _) => {
            let oid = info.algorithm.oid;
            let name = const_oid::db::DB
                .by_oid(&oid)
                .unwrap_or("an unknown algorithm");
            format!("it is not an RSA key: its algorithm is {name} ({oid})")
        }
        ("TooSmall", _, Some(bits)) => {
            format!("it is a {bits}-bit RSA key, smaller than the 2048 bits platforms accept")
        }
        ("TooLarge", _, Some(bits)) => {
            format!("it is a {bits}-bit RSA key, larger than the 8192 bits that can be used")
        }
        (why, _, _) => format!("it is not a usable RSA private key ({why})"),
    };
    Error::bad_key(what, problem, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_has_the_asked_size_and_signs() {
        let key = KeyPair::generate(KeySize::Bits2048).unwrap();
        let public = key.public_key();
        assert_eq!(public.bits(), 2048);
        assert_eq!(public.e_b64(), "AQAB", "the exponent should be 65537");
        let sig = key.sign_rs256(b"hello").unwrap();
        assert!(public.verify_rs256(b"hello", &sig));
        assert!(
            !public.verify_rs256(b"hellO", &sig),
            "a tampered message must not verify"
        );
    }

    #[test]
    fn pkcs8_der_round_trips() {
        let key = KeyPair::generate(KeySize::Bits2048).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        let again = KeyPair::from_pkcs8_der(&der).unwrap();
        assert_eq!(key.public_key(), again.public_key());
    }

    #[test]
    fn rejects_unsupported_sizes() {
        for bits in [0, 1024, 2047, 8192] {
            let err = KeySize::try_from(bits).unwrap_err();
            assert!(err.to_string().contains("2048, 3072 or 4096"), "{err}");
        }
    }

    #[test]
    fn bits_counts_from_the_top_set_bit() {
        let pk = PublicKey::from_components(&[0, 0, 0x01, 0xff], &[1, 0, 1]);
        assert_eq!(pk.bits(), 9);
        assert_eq!(pk.e_b64(), "AQAB");
    }
}
