//! The one error type of the core: each variant names what failed and how to fix it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::remedy::Remedy;

/// Everything that can go wrong in the core. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of user input is invalid.
    #[error("{field}: {problem}. Fix: {fix}")]
    Invalid {
        /// The field, in words (a form label: "launch URL", "placement 2 (link_selection)").
        field: String,
        /// The field as a path of the input it belongs to, for a front end to point at
        /// (`launch_url`, `placements[1].target_link_uri`); `None` when it is not one field.
        path: Option<String>,
        /// What is wrong with it.
        problem: String,
        /// What to do instead.
        fix: String,
        /// What else the user can do about it, for a front end to offer.
        remedies: Vec<Remedy>,
    },
    /// No tool with that id or name.
    #[error("no tool named or with id '{tool}'")]
    ToolNotFound {
        /// The id or name asked for.
        tool: String,
    },
    /// A tool with that name exists already.
    #[error("a tool named '{name}' already exists. Fix: choose another name")]
    ToolExists {
        /// The name.
        name: String,
    },
    /// The tool still has registrations, and removing them with it was not asked for.
    #[error("tool '{tool}' still has {count} registration(s) on platforms. Fix: remove its registrations first, or remove the tool together with them")]
    ToolHasRegistrations {
        /// The tool, as the user named it.
        tool: String,
        /// How many registrations it has.
        count: u32,
    },
    /// No key with that kid in the tool.
    #[error("tool '{tool}' has no key with kid '{kid}'")]
    KeyNotFound {
        /// The tool asked for.
        tool: String,
        /// The kid asked for.
        kid: String,
    },
    /// The kid is taken within the tool.
    #[error(
        "kid '{kid}' is already used by a key of this tool. Fix: choose another kid or kid scheme"
    )]
    KidExists {
        /// The kid.
        kid: String,
    },
    /// The tool has no published key to export.
    #[error("tool '{tool}' has no published key. Fix: generate a key for it")]
    NoPublishedKey {
        /// The tool.
        tool: String,
    },
    /// The OS keychain could not be reached, is locked, or did not answer in time.
    #[error("the OS keychain is unavailable: {reason}. Fix: {fix}")]
    KeychainUnavailable {
        /// Why it is unavailable.
        reason: String,
        /// How to make it available.
        fix: String,
    },
    /// The keychain answered with an error.
    #[error("the OS keychain refused the operation: {reason}")]
    Keychain {
        /// The keychain's own words, without any secret.
        reason: String,
    },
    /// Another keychain operation on this kid is in flight (or was cut short and is still to be
    /// finished).
    #[error("kid '{kid}' has a keychain operation in progress. Fix: wait for it to finish and try again")]
    KidBusy {
        /// The kid.
        kid: String,
    },
    /// Rotation would hand signing to a key that cannot sign.
    #[error("cannot rotate tool '{tool}' to next key '{kid}': {problem}. Fix: generate another next key, or import this key's private key, then rotate again")]
    CannotPromote {
        /// The tool.
        tool: String,
        /// The next key that would have been promoted.
        kid: String,
        /// Why it cannot sign.
        problem: String,
    },
    /// The private key of a key is gone from the keychain.
    #[error("the private key of kid '{kid}' is missing from the OS keychain. Fix: import it again, or delete the key and generate a new one")]
    PrivateKeyMissing {
        /// The tool.
        tool: String,
        /// The kid.
        kid: String,
    },
    /// A previous key may not be retired yet: platforms may still verify tokens it signed.
    #[error("key {kid} is inside its overlap window until {until}: platforms may still verify tokens signed with it. Fix: wait until {until}, or retire it anyway")]
    RetireTooEarly {
        /// The key.
        kid: String,
        /// When its overlap window ends, as shown to users.
        until: String,
    },
    /// A PEM or DER key could not be read.
    #[error("{what}: {problem}. Fix: {fix}")]
    BadKey {
        /// Which input.
        what: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// A cryptographic operation failed.
    #[error("{0} failed")]
    Crypto(&'static str),
    /// The database failed.
    #[error("the database failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer version of the app.
    #[error("the database has schema version {found}, newer than this version understands ({supported}). Fix: update LTI Key Manager")]
    SchemaTooNew {
        /// The version on disk.
        found: i64,
        /// The newest version known here.
        supported: i64,
    },
    /// A value in the database that this version cannot read.
    #[error("the database holds {what} that this version cannot read ({problem}). Fix: {fix}")]
    Unreadable {
        /// What the value is, e.g. a tool's redirect URIs.
        what: String,
        /// Why it cannot be read.
        problem: String,
        /// What to do about it.
        fix: String,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// No data directory could be found.
    #[error("no data directory could be found for this user. Fix: set LTIKEYS_DATA_DIR")]
    NoDataDir,
    /// No platform with that id or name.
    #[error("no platform named or with id '{platform}'")]
    PlatformNotFound {
        /// The id or name asked for.
        platform: String,
    },
    /// A platform with that name exists already.
    #[error("a platform named '{name}' already exists. Fix: choose another name, or change the platform that has it")]
    PlatformExists {
        /// The name.
        name: String,
    },
    /// The platform still has registrations.
    #[error("platform '{platform}' still has {count} registration(s). Fix: remove them first")]
    PlatformInUse {
        /// The platform.
        platform: String,
        /// How many registrations use it.
        count: u32,
    },
    /// No registration with that id.
    #[error("no registration with id '{registration}'")]
    RegistrationNotFound {
        /// The id asked for.
        registration: String,
    },
    /// A registration with that (issuer, client_id) exists already.
    #[error("client_id '{client_id}' is already registered for issuer '{issuer}' (registration {existing}). Fix: add the deployment ids to that registration, or check the client_id")]
    DuplicateRegistration {
        /// The issuer.
        issuer: String,
        /// The client_id.
        client_id: String,
        /// The registration that has them.
        existing: String,
    },
    /// The deployment id is already recorded on the registration.
    #[error("deployment id '{deployment_id}' is already recorded on registration {registration}. Fix: nothing to add")]
    DeploymentExists {
        /// The registration.
        registration: String,
        /// The deployment id.
        deployment_id: String,
    },
    /// The registration has no such deployment id.
    #[error("registration {registration} has no deployment id '{deployment_id}'")]
    DeploymentNotFound {
        /// The registration.
        registration: String,
        /// The deployment id.
        deployment_id: String,
    },
    /// The output (a command's stdout) could not be written: the reader went away (a broken
    /// The user stopped the operation; nothing of it was kept.
    #[error("{what} was cancelled; nothing was kept")]
    Cancelled {
        /// What was stopped ("key generation").
        what: &'static str,
    },
    /// pipe), or the disk is full.
    #[error("could not write the output: {source}")]
    Output {
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Canvas's API refused a call or could not be reached.
    #[error("Canvas API, {action}: {problem}. Fix: {fix}")]
    CanvasApi {
        /// What was asked, e.g. "creating the registration on account 1".
        action: String,
        /// The HTTP status Canvas answered with, when it answered.
        status: Option<u16>,
        /// What went wrong, in plain words.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// The team's OpenBao (or Vault) refused a call, or could not be reached.
    #[error("team ({address}), {action}: {problem}. Fix: {fix}")]
    Team {
        /// The server's address.
        address: String,
        /// What was asked, e.g. "reading tools/t1a2b3c4d".
        action: String,
        /// The HTTP status the server answered with, when it answered.
        status: Option<u16>,
        /// What went wrong, in plain words.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// A shared document changed on the server since this data directory last read it: the
    /// write was refused, nothing was overwritten.
    #[error(
        "{what} changed in the team since this data directory last synced it (version {version}, \
         by {by} at {at}); nothing was overwritten. Fix: sync with the team to see the change, \
         then make yours again"
    )]
    TeamConflict {
        /// The record, e.g. "the keys of tool 'Quiz'".
        what: String,
        /// Its KV path.
        path: String,
        /// The version on the server.
        version: u64,
        /// Who wrote that version.
        by: String,
        /// When.
        at: String,
    },
    /// An OpenID configuration could not be read.
    #[error("OpenID configuration {url}: {problem}. Fix: {fix}")]
    Discovery {
        /// The URL read.
        url: String,
        /// What went wrong.
        problem: String,
        /// What to do.
        fix: String,
    },
}

impl Error {
    /// What kind of failure this is, for a front end to branch on (never on the message).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::ToolNotFound { .. } => ErrorKind::ToolNotFound,
            Error::ToolExists { .. } => ErrorKind::ToolExists,
            Error::ToolHasRegistrations { .. } => ErrorKind::ToolHasRegistrations,
            Error::KeyNotFound { .. } => ErrorKind::KeyNotFound,
            Error::KidExists { .. } => ErrorKind::KidExists,
            Error::NoPublishedKey { .. } => ErrorKind::NoPublishedKey,
            Error::KeychainUnavailable { .. } => ErrorKind::KeychainUnavailable,
            Error::Keychain { .. } => ErrorKind::Keychain,
            Error::PrivateKeyMissing { .. } => ErrorKind::PrivateKeyMissing,
            Error::RetireTooEarly { .. } => ErrorKind::RetireTooEarly,
            Error::KidBusy { .. } => ErrorKind::KidBusy,
            Error::CannotPromote { .. } => ErrorKind::CannotPromote,
            Error::BadKey { .. } => ErrorKind::BadKey,
            Error::Crypto(_) => ErrorKind::Crypto,
            Error::Database(_) | Error::SchemaTooNew { .. } | Error::Unreadable { .. } => {
                ErrorKind::Database
            }
            Error::Io { .. } => ErrorKind::Io,
            Error::NoDataDir => ErrorKind::NoDataDir,
            Error::PlatformNotFound { .. } => ErrorKind::PlatformNotFound,
            Error::PlatformExists { .. } => ErrorKind::PlatformExists,
            Error::PlatformInUse { .. } => ErrorKind::PlatformInUse,
            Error::RegistrationNotFound { .. } => ErrorKind::RegistrationNotFound,
            Error::DuplicateRegistration { .. } => ErrorKind::DuplicateRegistration,
            Error::DeploymentExists { .. } => ErrorKind::DeploymentExists,
            Error::DeploymentNotFound { .. } => ErrorKind::DeploymentNotFound,
            Error::Discovery { .. } => ErrorKind::Discovery,
            Error::CanvasApi { .. } => ErrorKind::CanvasApi,
            Error::Team { .. } => ErrorKind::Team,
            Error::TeamConflict { .. } => ErrorKind::TeamConflict,
            Error::Output { .. } => ErrorKind::Output,
            Error::Cancelled { .. } => ErrorKind::Cancelled,
        }
    }

    /// The input field the error is about, as a path (`name`, `placements[1].message_type`),
    /// when it is about one. The name clash errors point at the `name` they clash on.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { path, .. } => path.as_deref(),
            Error::ToolExists { .. } | Error::PlatformExists { .. } => Some("name"),
            _ => None,
        }
    }

    /// What the user can do next, as data each front end phrases (a command, a button).
    pub fn remedies(&self) -> Vec<Remedy> {
        vec![match self {
            Error::Invalid { remedies, .. } => return remedies.clone(),
            Error::ToolNotFound { .. } => Remedy::ListTools,
            Error::KeyNotFound { tool, .. } => Remedy::ListKeys { tool: tool.clone() },
            Error::NoPublishedKey { tool } => Remedy::GenerateKey {
                tool: tool.clone(),
                next: false,
            },
            Error::CannotPromote { tool, kid, .. } => {
                return vec![
                    Remedy::GenerateKey {
                        tool: tool.clone(),
                        next: true,
                    },
                    Remedy::ImportPrivateKey {
                        tool: tool.clone(),
                        kid: Some(kid.clone()),
                    },
                ]
            }
            Error::RetireTooEarly { kid, .. } => Remedy::RetireAnyway { kid: kid.clone() },
            Error::PrivateKeyMissing { tool, kid } => Remedy::ImportPrivateKey {
                tool: tool.clone(),
                kid: Some(kid.clone()),
            },
            Error::PlatformNotFound { .. } => Remedy::ListPlatforms,
            Error::PlatformExists { name } => Remedy::UpdatePlatform {
                platform: name.clone(),
                field: None,
            },
            Error::PlatformInUse { platform, .. } => Remedy::RemoveRegistrations {
                platform: platform.clone(),
            },
            Error::ToolHasRegistrations { tool, .. } => {
                Remedy::RemoveToolWithRegistrations { tool: tool.clone() }
            }
            Error::RegistrationNotFound { .. } => Remedy::ListRegistrations,
            Error::DuplicateRegistration { existing, .. } => Remedy::AddDeployment {
                registration: existing.clone(),
                deployment_id: None,
            },
            Error::DeploymentExists { registration, .. }
            | Error::DeploymentNotFound { registration, .. } => Remedy::ShowRegistration {
                registration: registration.clone(),
            },
            _ => return vec![],
        }]
    }

    /// An invalid-input error about a field named in words only.
    pub fn invalid(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            field: field.into(),
            path: None,
            problem: problem.into(),
            fix: fix.into(),
            remedies: vec![],
        }
    }

    /// The same error, about the input field at `at` (a path such as `launch_url`). Only
    /// invalid-input errors have a field; any other error is returned as it is.
    #[must_use]
    pub fn at(mut self, at: impl Into<String>) -> Self {
        if let Error::Invalid { path, .. } = &mut self {
            *path = Some(at.into());
        }
        self
    }

    /// The same error, with a remedy a front end can offer. Only invalid-input errors carry
    /// remedies of their own; any other error is returned as it is.
    #[must_use]
    pub fn with_remedy(mut self, offered: Remedy) -> Self {
        if let Error::Invalid { remedies, .. } = &mut self {
            remedies.push(offered);
        }
        self
    }

    pub(crate) fn bad_key(what: &str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::BadKey {
            what: what.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// The kinds of [`Error`], stable across versions: what front ends branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A field of user input is invalid.
    Invalid,
    /// No tool with that id or name.
    ToolNotFound,
    /// A tool with that name exists already.
    ToolExists,
    /// The tool still has registrations.
    ToolHasRegistrations,
    /// No key with that kid.
    KeyNotFound,
    /// The kid is taken.
    KidExists,
    /// The tool has no published key.
    NoPublishedKey,
    /// The OS keychain could not be reached.
    KeychainUnavailable,
    /// The OS keychain refused.
    Keychain,
    /// A private key is gone from the keychain.
    PrivateKeyMissing,
    /// A previous key is still inside its overlap window.
    RetireTooEarly,
    /// A keychain operation on the kid is in flight.
    KidBusy,
    /// Rotation would hand signing to a key that cannot sign.
    CannotPromote,
    /// A PEM or DER key could not be read.
    BadKey,
    /// A cryptographic operation failed.
    Crypto,
    /// The database failed, is too new, or holds what this version cannot read.
    Database,
    /// A file could not be read or written.
    Io,
    /// No data directory could be found.
    NoDataDir,
    /// No platform with that id or name.
    PlatformNotFound,
    /// A platform with that name exists already.
    PlatformExists,
    /// The platform still has registrations.
    PlatformInUse,
    /// No registration with that id.
    RegistrationNotFound,
    /// The client_id is registered for the issuer already.
    DuplicateRegistration,
    /// The deployment id is recorded already.
    DeploymentExists,
    /// No such deployment id.
    DeploymentNotFound,
    /// An OpenID configuration could not be read.
    Discovery,
    /// Canvas's API refused a call or could not be reached.
    CanvasApi,
    /// The team's OpenBao (or Vault) refused a call or could not be reached.
    Team,
    /// A shared document changed in the team since it was last synced.
    TeamConflict,
    /// The output could not be written.
    Output,
    /// The user stopped the operation before it finished.
    Cancelled,
    /// A failure of the program itself, not of the input or the machine (a front end's own).
    Internal,
}

impl ErrorKind {
    /// The kind as its stable snake_case code (`tool_not_found`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "invalid",
            ErrorKind::ToolNotFound => "tool_not_found",
            ErrorKind::ToolExists => "tool_exists",
            ErrorKind::ToolHasRegistrations => "tool_has_registrations",
            ErrorKind::KeyNotFound => "key_not_found",
            ErrorKind::KidExists => "kid_exists",
            ErrorKind::NoPublishedKey => "no_published_key",
            ErrorKind::KeychainUnavailable => "keychain_unavailable",
            ErrorKind::Keychain => "keychain",
            ErrorKind::PrivateKeyMissing => "private_key_missing",
            ErrorKind::RetireTooEarly => "retire_too_early",
            ErrorKind::KidBusy => "kid_busy",
            ErrorKind::CannotPromote => "cannot_promote",
            ErrorKind::BadKey => "bad_key",
            ErrorKind::Crypto => "crypto",
            ErrorKind::Database => "database",
            ErrorKind::Io => "io",
            ErrorKind::NoDataDir => "no_data_dir",
            ErrorKind::PlatformNotFound => "platform_not_found",
            ErrorKind::PlatformExists => "platform_exists",
            ErrorKind::PlatformInUse => "platform_in_use",
            ErrorKind::RegistrationNotFound => "registration_not_found",
            ErrorKind::DuplicateRegistration => "duplicate_registration",
            ErrorKind::DeploymentExists => "deployment_exists",
            ErrorKind::DeploymentNotFound => "deployment_not_found",
            ErrorKind::Discovery => "discovery",
            ErrorKind::CanvasApi => "canvas_api",
            ErrorKind::Team => "team",
            ErrorKind::TeamConflict => "team_conflict",
            ErrorKind::Output => "output",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, code: &&str) -> bool {
        self.as_str() == *code
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_serialises_as_its_code() {
        let kinds = [
            ErrorKind::Invalid,
            ErrorKind::ToolNotFound,
            ErrorKind::RetireTooEarly,
            ErrorKind::Internal,
            ErrorKind::DuplicateRegistration,
            ErrorKind::Cancelled,
        ];
        for kind in kinds {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().into())
            );
        }
    }

    #[test]
    fn an_invalid_error_keeps_its_field_path_and_remedy() {
        let err = Error::invalid("placement 2 (link_selection) message type", "x", "y")
            .at("placements[1].message_type")
            .with_remedy(Remedy::ListCanvasPlacements);
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert_eq!(err.field(), Some("placements[1].message_type"));
        assert_eq!(err.remedies(), [Remedy::ListCanvasPlacements]);
        assert!(err
            .to_string()
            .starts_with("placement 2 (link_selection) message type: x"));
        // Only invalid-input errors have a field of their own.
        let other = Error::NoDataDir.at("name");
        assert_eq!(other.field(), None);
    }

    #[test]
    fn no_message_names_a_command_line() {
        let errors = [
            Error::ToolNotFound { tool: "t".into() },
            Error::KeyNotFound {
                tool: "t".into(),
                kid: "k".into(),
            },
            Error::NoPublishedKey { tool: "t".into() },
            Error::CannotPromote {
                tool: "t".into(),
                kid: "k".into(),
                problem: "p".into(),
            },
            Error::PrivateKeyMissing {
                tool: "t".into(),
                kid: "k".into(),
            },
            Error::RetireTooEarly {
                kid: "k".into(),
                until: "2026-01-01".into(),
            },
            Error::PlatformNotFound {
                platform: "p".into(),
            },
            Error::PlatformExists { name: "p".into() },
            Error::PlatformInUse {
                platform: "p".into(),
                count: 1,
            },
            Error::ToolHasRegistrations {
                tool: "t".into(),
                count: 1,
            },
            Error::RegistrationNotFound {
                registration: "r".into(),
            },
            Error::DuplicateRegistration {
                issuer: "i".into(),
                client_id: "c".into(),
                existing: "r".into(),
            },
            Error::DeploymentExists {
                registration: "r".into(),
                deployment_id: "d".into(),
            },
            Error::DeploymentNotFound {
                registration: "r".into(),
                deployment_id: "d".into(),
            },
        ];
        for err in errors {
            let text = err.to_string();
            assert!(
                !text.contains("ltikeys") && !text.contains("--") && !text.contains('`'),
                "{text}"
            );
        }
    }
}
