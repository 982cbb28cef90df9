//! LTI Key Manager's domain: keys and kids, JWK/JWKS, tools, the store and the keychain seam.
#![deny(missing_docs)]

pub mod error;
pub mod file;
pub mod finding;
pub mod jwk;
pub mod key;
pub mod kid;
pub mod secret;
pub mod status;
pub mod store;
pub mod tool;
pub mod vault;

pub use error::{Error, Result};
pub use finding::{Finding, Severity};
pub use jwk::{Jwk, Jwks};
pub use key::{KeyPair, KeySize, PublicKey};
pub use kid::KidScheme;
pub use secret::{Keychain, SecretStore};
pub use status::{AppStatus, KeyInfo, KeyStatus, PrivateKeyState};
pub use store::Store;
pub use tool::{NewTool, Tool, ToolSummary};
pub use vault::{GenerateKey, KeygenStage, Vault};
