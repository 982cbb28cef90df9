//! Key status and the views of keys and of the app that the CLI and the window show.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

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
}

/// A key as listed: public facts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyInfo {
    /// The tool it belongs to.
    pub tool_id: String,
    /// The key id.
    pub kid: String,
    /// Always RS256.
    pub alg: String,
    /// Modulus size.
    pub bits: u32,
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
    /// When its overlap window ends: it may be retired from then on.
    #[ts(type = "string | null")]
    pub unpublish_after: Option<DateTime<Utc>>,
    /// When it was retired.
    #[ts(type = "string | null")]
    pub retired_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    #[ts(type = "string | null")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it is in the published JWKS.
    pub published: bool,
    /// Whether the keychain holds the private key.
    pub private_key: PrivateKeyState,
}

/// What the window shows about its environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    /// The app's version.
    pub version: String,
    /// Where the database lives.
    pub data_dir: String,
    /// Whether the OS keychain answered.
    pub keychain_available: bool,
    /// Why it did not, and the fix.
    pub keychain_message: Option<String>,
    /// Keychain operations found cut short at this start, and how finishing them went.
    pub repairs: Vec<crate::pending::Repair>,
    /// Private keys in the keychain that belong to no live key of this data directory; `null`
    /// when the keychain cannot list its entries or is unavailable.
    pub orphans: Option<Vec<crate::pending::Orphan>>,
}
