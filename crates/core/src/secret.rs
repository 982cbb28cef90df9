//! The secret-store seam: private keys live in the OS keychain, behind a timeout of our own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The keychain service every entry is filed under.
pub const SERVICE: &str = "ltikeys";

/// The keychain account of a key: the tool id and the kid.
pub fn account(tool_id: &str, kid: &str) -> String {
    format!("{tool_id}/{kid}")
}

/// The keychain account of a platform's API token (Canvas's admin access token). It holds no
/// `/`, so it never reads as a key's account.
pub fn api_token_account(platform_id: &str) -> String {
    format!("api-token:{platform_id}")
}

/// The tool id and kid an account names, when it is one of ours (`tool id/kid`).
pub fn parse_account(account: &str) -> Option<(&str, &str)> {
    account
        .split_once('/')
        .filter(|(tool, kid)| !tool.is_empty() && !kid.is_empty())
}

/// Where private keys are kept.
pub trait SecretStore: Send + Sync {
    /// Stores a secret, replacing any with the same account.
    fn put(&self, account: &str, secret: &[u8]) -> Result<()>;
    /// Reads a secret; `None` when the store has no such entry.
    fn get(&self, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>>;
    /// Removes a secret; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether the store answers at all.
    fn check(&self) -> Result<()>;
    /// Every account filed under [`SERVICE`], or `None` when the store cannot list its entries
    /// (only some keychains can be searched).
    fn accounts(&self) -> Result<Option<Vec<String>>>;
}

/// A shared store is a store: a caller (a test, say) may keep a handle on the one a vault uses.
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn put(&self, account: &str, secret: &[u8]) -> Result<()> {
        (**self).put(account, secret)
    }
    fn get(&self, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        (**self).get(account)
    }
    fn delete(&self, account: &str) -> Result<()> {
        (**self).delete(account)
    }
    fn check(&self) -> Result<()> {
        (**self).check()
    }
    fn accounts(&self) -> Result<Option<Vec<String>>> {
        (**self).accounts()
    }
}

/// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
/// Every call runs on its own thread and fails after `timeout`: a hung daemon never hangs us.
pub struct Keychain {
    timeout: Duration,
    hung: AtomicBool,
}

impl Default for Keychain {
    fn default() -> Self {
        let secs = std::env::var("LTIKEYS_KEYCHAIN_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| (1..=60).contains(s))
            .unwrap_or(5);
        Keychain::with_timeout(Duration::from_secs(secs))
    }
}

#[cfg(target_os = "linux")]
const FIX: &str = "start and unlock a Secret Service provider (GNOME Keyring or KWallet) in your \
desktop session; on a machine without a desktop, run `gnome-keyring-daemon --unlock \
--components=secrets` inside a D-Bus session. Keys are never stored in plaintext instead";
#[cfg(target_os = "macos")]
const FIX: &str =
    "unlock the login keychain in Keychain Access and allow LTI Key Manager to use it";
#[cfg(target_os = "windows")]
const FIX: &str = "sign in to Windows normally so Credential Manager is available";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const FIX: &str = "use Linux, macOS or Windows, which have a supported keychain";

fn unavailable(reason: impl Into<String>) -> Error {
    Error::KeychainUnavailable {
        reason: reason.into(),
        fix: FIX.to_string(),
    }
}

/// Maps a keyring error to ours without ever formatting the secret bytes some variants carry.
fn map_err(err: keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    match err {
        K::NoStorageAccess(e) => unavailable(format!("it is locked or refused access ({e})")),
        K::PlatformFailure(e) => unavailable(format!("the keychain service failed ({e})")),
        K::NoDefaultStore => unavailable("no keychain store could be opened"),
        K::BadEncoding(_) | K::BadDataFormat(..) => Error::Keychain {
            reason: "the stored entry is not in the expected format".into(),
        },
        K::TooLong(what, limit) => Error::Keychain {
            reason: format!("{what} is longer than the keychain's limit of {limit}"),
        },
        K::Invalid(what, why) => Error::Keychain {
            reason: format!("{what}: {why}"),
        },
        K::Ambiguous(entries) => Error::Keychain {
            reason: format!("{} entries match; remove the duplicates", entries.len()),
        },
        K::NoEntry => Error::Keychain {
            reason: "no such entry".into(),
        },
        other => Error::Keychain {
            reason: match other {
                K::NotSupportedByStore(why) => why,
                K::BadStoreFormat(why) => why,
                _ => "unexpected keychain error".into(),
            },
        },
    }
}

fn open_default_store() -> std::result::Result<(), String> {
    static OPENED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    OPENED
        .get_or_init(|| {
            #[cfg(target_os = "linux")]
            let store = zbus_secret_service_keyring_store::Store::new();
            #[cfg(target_os = "macos")]
            let store = apple_native_keyring_store::keychain::Store::new();
            #[cfg(target_os = "windows")]
            let store = windows_native_keyring_store::store::Store::new();
            #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
            {
                match store {
                    Ok(store) => {
                        keyring_core::set_default_store(store);
                        Ok(())
                    }
                    Err(e) => Err(match map_err(e) {
                        Error::KeychainUnavailable { reason, .. } => reason,
                        other => other.to_string(),
                    }),
                }
            }
            #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
            Err("this OS has no supported keychain".to_string())
        })
        .clone()
}

impl Keychain {
    /// A keychain whose calls give up after `timeout`.
    pub fn with_timeout(timeout: Duration) -> Self {
        Keychain {
            timeout,
            hung: AtomicBool::new(false),
        }
    }

    fn call<T: Send + 'static>(
        &self,
        account: &str,
        op: impl FnOnce(&keyring_core::Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        let account = account.to_string();
        self.run(move || keyring_core::Entry::new(SERVICE, &account).and_then(|entry| op(&entry)))
    }

    /// Runs `op` against the default store on its own thread, within the timeout.
    fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce() -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        if self.hung.load(Ordering::SeqCst) {
            return Err(unavailable("it did not answer an earlier request"));
        }
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let result = open_default_store()
                    .map_err(unavailable)
                    .and_then(|()| op().map_err(map_err));
                let _ = tx.send(result);
            })
            .map_err(|e| unavailable(format!("no thread for the keychain call ({e})")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(_) => {
                self.hung.store(true, Ordering::SeqCst);
                Err(unavailable(format!(
                    "it did not answer within {} seconds",
                    self.timeout.as_secs()
                )))
            }
        }
    }
}

impl SecretStore for Keychain {
    fn put(&self, account: &str, secret: &[u8]) -> Result<()> {
        let secret = Zeroizing::new(secret.to_vec());
        self.call(account, move |entry| entry.set_secret(&secret))
    }

    fn get(&self, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        self.call(account, |entry| match entry.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.call(account, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }

    fn check(&self) -> Result<()> {
        self.get("ltikeys-availability-probe").map(drop)
    }

    fn accounts(&self) -> Result<Option<Vec<String>>> {
        self.run(|| {
            let spec = std::collections::HashMap::from([("service", SERVICE)]);
            match keyring_core::Entry::search(&spec) {
                Ok(entries) => Ok(Some(
                    entries
                        .iter()
                        .filter_map(keyring_core::Entry::get_specifiers)
                        .filter(|(service, _)| service == SERVICE)
                        .map(|(_, user)| user)
                        .collect(),
                )),
                Err(keyring_core::Error::NotSupportedByStore(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}

/// A secret store in memory, for unit tests of the rules around the keychain.
#[cfg(any(test, feature = "memory-store"))]
#[derive(Default)]
pub struct MemoryStore {
    entries: std::sync::Mutex<std::collections::HashMap<String, Zeroizing<Vec<u8>>>>,
    /// When set, every call fails as an unavailable keychain would.
    pub fail: AtomicBool,
}

#[cfg(any(test, feature = "memory-store"))]
impl MemoryStore {
    fn guard(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, std::collections::HashMap<String, Zeroizing<Vec<u8>>>>>
    {
        if self.fail.load(Ordering::SeqCst) {
            return Err(unavailable("test: failing on purpose"));
        }
        self.entries
            .lock()
            .map_err(|_| unavailable("test: poisoned"))
    }

    /// How many secrets it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(any(test, feature = "memory-store"))]
impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &[u8]) -> Result<()> {
        self.guard()?
            .insert(account.to_string(), Zeroizing::new(secret.to_vec()));
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        Ok(self.guard()?.get(account).cloned())
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.guard()?.remove(account);
        Ok(())
    }

    fn check(&self) -> Result<()> {
        self.guard().map(drop)
    }

    fn accounts(&self) -> Result<Option<Vec<String>>> {
        Ok(Some(self.guard()?.keys().cloned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_bytes_never_reach_error_messages() {
        let secret = b"-----BEGIN PRIVATE KEY-----".to_vec();
        let err = map_err(keyring_core::Error::BadEncoding(secret.clone()));
        assert!(!format!("{err} {err:?}").contains("PRIVATE"));
        let err = map_err(keyring_core::Error::BadDataFormat(
            secret,
            Box::new(std::io::Error::other("x")),
        ));
        assert!(!format!("{err} {err:?}").contains("PRIVATE"));
    }

    #[test]
    fn an_api_token_account_is_never_a_key_account() {
        assert_eq!(parse_account(&api_token_account("p1")), None);
    }

    #[test]
    fn accounts_hold_tool_and_kid() {
        assert_eq!(account("t1", "k1"), "t1/k1");
    }
}
