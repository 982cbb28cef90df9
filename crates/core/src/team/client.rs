//! OpenBao's (and HashiCorp Vault's) HTTP API, as far as a team needs it: KV v2 documents
//! written with check-and-set, and a Transit key per tool that signs without ever leaving the
//! server. Every call goes through the core's bounded client (a deadline, a size cap, https
//! unless the server is this machine).

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::http::{FetchError, Fetched, HttpClient, HttpLimits};
use crate::key::{KeyPair, PublicKey};

/// A document as read: its content and the KV version it has.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The document's data.
    pub data: Value,
    /// Its KV v2 version (what a check-and-set write names).
    pub version: u64,
}

/// A Transit key as the server describes it: the public half of each live version.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitKey {
    /// The newest version.
    pub latest_version: u32,
    /// The oldest version that still signs and is still listed.
    pub min_decryption_version: u32,
    /// Whether the private halves may ever be exported.
    pub exportable: bool,
    /// The public key of each live version.
    pub versions: BTreeMap<u32, PublicKey>,
}

/// Who a credential is, as the server says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's display name (`token`, `approle`, a user name).
    pub display_name: String,
    /// The policies it carries.
    pub policies: Vec<String>,
}

/// A client of one OpenBao (or Vault) server, with one credential.
pub struct Bao {
    http: HttpClient,
    address: String,
    token: Zeroizing<String>,
}

/// The limits of every call to the server: a whole answer within 8 seconds (so that a silent
/// server is reported within 10), at most 4 MiB.
pub fn limits() -> HttpLimits {
    HttpLimits {
        connect_timeout: std::time::Duration::from_secs(4),
        total_timeout: std::time::Duration::from_secs(8),
        max_bytes: 4 * 1024 * 1024,
        max_redirects: 0,
    }
}

impl Bao {
    /// A client of the server at `address` (`https://bao.example.edu:8200`, or http on this
    /// machine), authenticating with `token`.
    pub fn new(address: &str, token: Zeroizing<String>) -> Result<Bao> {
        let address = address.trim().trim_end_matches('/').to_string();
        crate::http::check_url(&address).map_err(|e| {
            Error::invalid(
                "address",
                e.to_string(),
                "give the server's https address, such as https://bao.example.edu:8200",
            )
            .at("address")
        })?;
        if token.trim().is_empty() {
            return Err(Error::invalid(
                "token",
                "is empty",
                "give the OpenBao token (or the file that holds it)",
            )
            .at("token"));
        }
        Ok(Bao {
            http: HttpClient::new(limits()),
            address,
            token,
        })
    }

    /// Logs in with an AppRole (`auth/approle/login`): the client then holds the token the
    /// server gave, in memory only.
    pub fn login_approle(address: &str, role_id: &str, secret_id: &str) -> Result<Bao> {
        let placeholder = Bao::new(address, Zeroizing::new("-".into()))?;
        let action = "logging in with the AppRole";
        let body = json!({"role_id": role_id.trim(), "secret_id": secret_id.trim()});
        let fetched = placeholder
            .http
            .post_json(&placeholder.url("auth/approle/login"), &body, None)
            .map_err(|e| placeholder.unreachable(action, &e))?;
        let answer = match placeholder.answer(action, fetched) {
            Err(Error::Team {
                status: Some(400),
                problem,
                ..
            }) if problem.contains("invalid") => {
                return Err(placeholder.fail(
                    action,
                    Some(400),
                    "the role id or the secret id is not valid (or the secret id has expired)"
                        .into(),
                    "ask for a new secret id for the role",
                ))
            }
            other => other?,
        };
        let token = answer
            .as_ref()
            .and_then(|a| a["auth"]["client_token"].as_str())
            .map(|t| Zeroizing::new(t.to_string()))
            .ok_or_else(|| {
                placeholder.fail(
                    action,
                    None,
                    "the answer held no token (is AppRole enabled at auth/approle?)".into(),
                    "ask an operator to enable AppRole, or connect with a token",
                )
            })?;
        Bao::new(address, token)
    }

    /// The server's address, as given.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/{}", self.address, path.trim_start_matches('/'))
    }

    fn fail(&self, action: &str, status: Option<u16>, problem: String, fix: &str) -> Error {
        Error::Team {
            address: self.address.clone(),
            action: action.to_string(),
            status,
            problem,
            fix: fix.to_string(),
        }
    }

    fn unreachable(&self, action: &str, e: &FetchError) -> Error {
        self.fail(
            action,
            None,
            format!("the server did not answer ({e})"),
            "check the address and that the server is running and reachable; nothing was \
             changed here, and the local records stay usable",
        )
    }

    /// Reads an answer: `Ok(None)` on 404, the JSON body on 2xx, a plain-words error otherwise.
    fn answer(&self, action: &str, fetched: Fetched) -> Result<Option<Value>> {
        let body: Option<Value> = if fetched.body.is_empty() {
            None
        } else {
            crate::input::json(&fetched.body).ok()
        };
        let messages = body
            .as_ref()
            .and_then(|b| b.get("errors"))
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        match fetched.status {
            200..=299 => Ok(Some(body.unwrap_or(Value::Null))),
            404 if messages.is_empty() => Ok(None),
            503 if messages.contains("sealed") => Err(self.fail(
                action,
                Some(503),
                "the server is sealed".into(),
                "ask an operator to unseal it (`bao operator unseal`); nothing was changed here",
            )),
            403 => Err(self.fail(
                action,
                Some(403),
                format!("permission denied ({messages})"),
                "the credential may have expired, or its policy does not allow this: ask for a \
                 new token or a policy that does",
            )),
            status => Err(self.fail(
                action,
                Some(status),
                if messages.is_empty() {
                    format!("the server answered HTTP {status}")
                } else {
                    messages
                },
                "see the server's message; nothing was changed here",
            )),
        }
    }

    fn get(&self, action: &str, path: &str) -> Result<Option<Value>> {
        let fetched = self
            .http
            .fetch_with_bearer(&self.url(path), Some(&self.token))
            .map_err(|e| self.unreachable(action, &e))?;
        self.answer(action, fetched)
    }

    fn post(&self, action: &str, path: &str, body: &Value) -> Result<Option<Value>> {
        let fetched = self
            .http
            .post_json(&self.url(path), body, Some(&self.token))
            .map_err(|e| self.unreachable(action, &e))?;
        self.answer(action, fetched)
    }

    /// Who the credential is (`auth/token/lookup-self`). Only the display name and the policies
    /// are kept: the answer also holds the token itself.
    pub fn identity(&self) -> Result<Identity> {
        let action = "checking the credential";
        let data = self
            .get(action, "auth/token/lookup-self")?
            .and_then(|b| b.get("data").cloned())
            .ok_or_else(|| self.fail(action, Some(404), "no token data".into(), "log in again"))?;
        Ok(Identity {
            display_name: data["display_name"].as_str().unwrap_or("token").to_string(),
            policies: data["policies"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Enables the KV v2 engine at `mount` and Transit at `transit` when they are not there yet.
    pub fn ensure_mounts(&self, mount: &str, transit: &str) -> Result<()> {
        for (path, kind) in [(mount, "kv-v2"), (transit, "transit")] {
            let action = format!("looking for the {kind} engine at {path}/");
            match self.get(&action, &format!("sys/mounts/{path}/tune")) {
                Ok(Some(_)) => continue,
                // An admin's policy need not read the mount table: the first real call says
                // plainly if the engine is missing.
                Err(Error::Team {
                    status: Some(403), ..
                }) => continue,
                Ok(None) | Err(Error::Team { .. }) => {}
                Err(e) => return Err(e),
            }
            let body = match kind {
                "kv-v2" => json!({"type": "kv", "options": {"version": "2"}}),
                _ => json!({"type": "transit"}),
            };
            let action = format!("enabling the {kind} engine at {path}/");
            match self.post(&action, &format!("sys/mounts/{path}"), &body) {
                Ok(_) => {}
                Err(Error::Team { problem, .. }) if problem.contains("path is already in use") => {}
                Err(Error::Team {
                    status: Some(403), ..
                }) => {
                    return Err(self.fail(
                        &action,
                        Some(403),
                        format!("the {kind} engine is not enabled at {path}/ and this credential may not enable it"),
                        &format!("ask an operator to run `bao secrets enable -path={path} {kind}`"),
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads a KV v2 document; `None` when there is none (or only a deleted one).
    pub fn kv_get(&self, mount: &str, path: &str) -> Result<Option<Versioned>> {
        let action = format!("reading {path}");
        let Some(body) = self.get(&action, &format!("{mount}/data/{path}"))? else {
            return Ok(None);
        };
        let data = &body["data"];
        if data["data"].is_null() {
            return Ok(None);
        }
        Ok(Some(Versioned {
            data: data["data"].clone(),
            version: data["metadata"]["version"].as_u64().unwrap_or(0),
        }))
    }

    /// [`Bao::kv_get`] of every path in `paths`, `at_once` at a time, the answers in the order
    /// of `paths`; the first failure, in that order, when any read failed. Each read keeps its
    /// own time limit, so a silent server is still reported within it.
    pub fn kv_get_many(
        &self,
        mount: &str,
        paths: &[String],
        at_once: usize,
    ) -> Result<Vec<Option<Versioned>>> {
        let answers = crate::http::each_at_most(paths, at_once, |path| {
            let answer = self.kv_get(mount, path);
            let failed = answer.is_err();
            (answer, failed)
        });
        let mut read = Vec::with_capacity(paths.len());
        // Reads are taken in order, so a read never made comes after the failure that stopped
        // the others, which is returned first.
        for answer in answers.into_iter().map_while(|a| a) {
            read.push(answer?);
        }
        Ok(read)
    }

    /// Writes a KV v2 document with check-and-set: `cas` 0 creates it (refused when it exists),
    /// otherwise it must still be at version `cas`. `Ok(None)` when the check failed, else the
    /// new version.
    pub fn kv_put(&self, mount: &str, path: &str, data: &Value, cas: u64) -> Result<Option<u64>> {
        let action = format!("writing {path}");
        let body = json!({"options": {"cas": cas}, "data": data});
        match self.post(&action, &format!("{mount}/data/{path}"), &body) {
            Ok(answer) => Ok(Some(
                answer
                    .as_ref()
                    .and_then(|a| a["data"]["version"].as_u64())
                    .unwrap_or(cas + 1),
            )),
            Err(Error::Team { problem, .. }) if problem.contains("check-and-set") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The documents (or, with `folders`, the folders: `t1a2b3c4d/`) right under a KV v2
    /// folder (`tools/` → `["t1a2b3c4d", ...]`); empty when there are none.
    pub fn kv_list(&self, mount: &str, folder: &str, folders: bool) -> Result<Vec<String>> {
        let action = format!("listing {folder}");
        let Some(body) = self.get(&action, &format!("{mount}/metadata/{folder}?list=true"))? else {
            return Ok(vec![]);
        };
        Ok(body["data"]["keys"]
            .as_array()
            .map(|k| {
                k.iter()
                    .filter_map(Value::as_str)
                    .filter(|k| k.ends_with('/') == folders)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Creates a Transit RSA key (its version 1). `exportable` can never be undone.
    pub fn transit_create(
        &self,
        transit: &str,
        name: &str,
        bits: u32,
        exportable: bool,
    ) -> Result<()> {
        let action = format!("creating the Transit key {name}");
        let body = json!({"type": format!("rsa-{bits}"), "exportable": exportable});
        self.post(&action, &format!("{transit}/keys/{name}"), &body)
            .map(drop)
    }

    /// Adds a version to a Transit key and answers its number.
    pub fn transit_rotate(&self, transit: &str, name: &str) -> Result<u32> {
        let action = format!("adding a version to the Transit key {name}");
        self.post(
            &action,
            &format!("{transit}/keys/{name}/rotate"),
            &json!({}),
        )?;
        Ok(self.transit_key(transit, name)?.latest_version)
    }

    /// A Transit key's live versions and their public keys.
    pub fn transit_key(&self, transit: &str, name: &str) -> Result<TransitKey> {
        let action = format!("reading the Transit key {name}");
        let body = self
            .get(&action, &format!("{transit}/keys/{name}"))?
            .ok_or_else(|| {
                self.fail(
                    &action,
                    Some(404),
                    format!("there is no Transit key {name}"),
                    "push the tool to the team again, or ask who removed the key",
                )
            })?;
        let data = &body["data"];
        let mut versions = BTreeMap::new();
        if let Some(keys) = data["keys"].as_object() {
            for (version, key) in keys {
                let (Ok(version), Some(pem)) = (version.parse::<u32>(), key["public_key"].as_str())
                else {
                    continue;
                };
                versions.insert(version, PublicKey::from_spki_pem(pem)?);
            }
        }
        let number = |field: &str| u32::try_from(data[field].as_u64().unwrap_or(0)).unwrap_or(0);
        Ok(TransitKey {
            latest_version: number("latest_version"),
            min_decryption_version: number("min_decryption_version"),
            exportable: data["exportable"].as_bool().unwrap_or(false),
            versions,
        })
    }

    /// Signs `message` with one version of a Transit key: RS256 (PKCS#1 v1.5 over SHA-256).
    pub fn transit_sign(
        &self,
        transit: &str,
        name: &str,
        version: u32,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        let action = format!("signing with version {version} of the Transit key {name}");
        let body = json!({
            "input": STANDARD.encode(message),
            "key_version": version,
            "signature_algorithm": "pkcs1v15",
            "marshaling_algorithm": "jws",
        });
        let answer = self.post(&action, &format!("{transit}/sign/{name}/sha2-256"), &body)?;
        let signature = answer
            .as_ref()
            .and_then(|a| a["data"]["signature"].as_str())
            .and_then(|s| s.rsplit(':').next())
            .ok_or_else(|| {
                self.fail(
                    &action,
                    None,
                    "the answer held no signature".into(),
                    "report this",
                )
            })?;
        URL_SAFE_NO_PAD.decode(signature).map_err(|_| {
            self.fail(
                &action,
                None,
                "the signature is not base64url".into(),
                "report this",
            )
        })
    }

    /// Stops every version below `version` from signing and from being listed.
    pub fn transit_set_min_version(&self, transit: &str, name: &str, version: u32) -> Result<()> {
        let action = format!("retiring versions below {version} of the Transit key {name}");
        let body = json!({"min_decryption_version": version});
        self.post(&action, &format!("{transit}/keys/{name}/config"), &body)
            .map(drop)
    }

    /// Brings a private key into Transit (bring your own key), wrapped for the server's wrapping
    /// key so that it never crosses the network in the clear: as a new Transit key when `first`
    /// (rotatable, exportable only if asked), else as the key's next version.
    pub fn transit_import(
        &self,
        transit: &str,
        name: &str,
        key: &KeyPair,
        first: bool,
        exportable: bool,
    ) -> Result<()> {
        let action = format!("importing a key into the Transit key {name}");
        let wrapping = self
            .get(&action, &format!("{transit}/wrapping_key"))?
            .and_then(|b| b["data"]["public_key"].as_str().map(String::from))
            .ok_or_else(|| {
                self.fail(
                    &action,
                    None,
                    "the server has no wrapping key".into(),
                    "check that the Transit engine is enabled",
                )
            })?;
        let ciphertext = wrap_for_import(&wrapping, key)?;
        if first {
            let body = json!({
                "ciphertext": ciphertext,
                "hash_function": "SHA256",
                "type": format!("rsa-{}", key.public_key().bits()),
                "allow_rotation": true,
                "exportable": exportable,
            });
            self.post(&action, &format!("{transit}/keys/{name}/import"), &body)?;
        } else {
            let body = json!({"ciphertext": ciphertext, "hash_function": "SHA256"});
            self.post(
                &action,
                &format!("{transit}/keys/{name}/import_version"),
                &body,
            )?;
        }
        Ok(())
    }

    /// Writes an ACL policy.
    pub fn write_policy(&self, name: &str, hcl: &str) -> Result<()> {
        let action = format!("writing the policy {name}");
        self.post(
            &action,
            &format!("sys/policies/acl/{name}"),
            &json!({"policy": hcl}),
        )
        .map(drop)
    }
}

/// The BYOK envelope: an ephemeral AES-256 key wrapped with RSA-OAEP (SHA-256) for the server's
/// wrapping key, then the PKCS#8 private key wrapped with that AES key (AES key wrap with
/// padding, RFC 5649), base64 of both concatenated.
fn wrap_for_import(wrapping_pem: &str, key: &KeyPair) -> Result<String> {
    use aws_lc_rs::key_wrap::{AesKek, KeyWrapPadded as _, AES_256};
    use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
    use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA256_MGF1SHA256};
    let fail = |_| Error::Crypto("wrapping the key for import");
    let wrapping = PublicKey::from_spki_pem(wrapping_pem)?;
    let spki = pkcs8::Document::from_pem(wrapping_pem.trim())
        .map_err(|_| Error::Crypto("reading the wrapping key"))?
        .1;
    debug_assert!(wrapping.bits() >= 2048);
    let oaep = OaepPublicEncryptingKey::new(
        PublicEncryptingKey::from_der(spki.as_bytes())
            .map_err(|_| Error::Crypto("reading the wrapping key"))?,
    )
    .map_err(fail)?;
    let mut aes = Zeroizing::new([0u8; 32]);
    SystemRandom::new().fill(aes.as_mut()).map_err(fail)?;
    let mut wrapped_aes = vec![0u8; oaep.ciphertext_size()];
    let wrapped_aes = oaep
        .encrypt(
            &OAEP_SHA256_MGF1SHA256,
            aes.as_ref(),
            &mut wrapped_aes,
            None,
        )
        .map_err(fail)?
        .to_vec();
    let der = key.to_pkcs8_der()?;
    let mut wrapped_key = Zeroizing::new(vec![0u8; der.len() + 16]);
    let kek = AesKek::new(&AES_256, aes.as_ref()).map_err(fail)?;
    let wrapped_key = kek
        .wrap_with_padding(&der, &mut wrapped_key)
        .map_err(fail)?;
    let mut envelope = wrapped_aes;
    envelope.extend_from_slice(wrapped_key);
    Ok(STANDARD.encode(envelope))
}
