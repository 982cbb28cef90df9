//! The one error type of the core: each variant names what failed and how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong in the core. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of user input is invalid.
    #[error("{field}: {problem}. Fix: {fix}")]
    Invalid {
        /// The field, as the user knows it (a CLI flag or form label).
        field: String,
        /// What is wrong with it.
        problem: String,
        /// What to do instead.
        fix: String,
    },
    /// No tool with that id or name.
    #[error("no tool named or with id '{tool}'. Fix: run `ltikeys tool list` to see the tools")]
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
    /// No key with that kid in the tool.
    #[error(
        "tool '{tool}' has no key with kid '{kid}'. Fix: run `ltikeys key list --tool {tool}`"
    )]
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
    #[error("tool '{tool}' has no published key. Fix: generate one with `ltikeys key new --tool {tool}`")]
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
    #[error("cannot rotate tool '{tool}' to next key '{kid}': {problem}. Fix: generate another next key (`ltikeys key new --tool {tool} --next`), or import this key's private key (`ltikeys key import --tool {tool} --kid {kid} --pem FILE`), then rotate again")]
    CannotPromote {
        /// The tool.
        tool: String,
        /// The next key that would have been promoted.
        kid: String,
        /// Why it cannot sign.
        problem: String,
    },
    /// The private key of a key is gone from the keychain.
    #[error("the private key of kid '{kid}' is missing from the OS keychain. Fix: import it again with `ltikeys key import`, or delete the key and generate a new one")]
    PrivateKeyMissing {
        /// The kid.
        kid: String,
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
    #[error("no platform named or with id '{platform}'. Fix: run `ltikeys platform list` to see the platforms")]
    PlatformNotFound {
        /// The id or name asked for.
        platform: String,
    },
    /// A platform with that name exists already.
    #[error("a platform named '{name}' already exists. Fix: choose another name, or change it with `ltikeys platform update`")]
    PlatformExists {
        /// The name.
        name: String,
    },
    /// The platform still has registrations.
    #[error("platform '{platform}' still has {count} registration(s). Fix: remove them first with `ltikeys registration remove REG`")]
    PlatformInUse {
        /// The platform.
        platform: String,
        /// How many registrations use it.
        count: u32,
    },
    /// No registration with that id.
    #[error("no registration with id '{registration}'. Fix: run `ltikeys registration list` to see the registrations")]
    RegistrationNotFound {
        /// The id asked for.
        registration: String,
    },
    /// A registration with that (issuer, client_id) exists already.
    #[error("client_id '{client_id}' is already registered for issuer '{issuer}' (registration {existing}). Fix: add deployment ids to it with `ltikeys registration deployment add {existing} DEPLOYMENT_ID`, or check the client_id")]
    DuplicateRegistration {
        /// The issuer.
        issuer: String,
        /// The client_id.
        client_id: String,
        /// The registration that has them.
        existing: String,
    },
    /// The deployment id is already recorded on the registration.
    #[error("deployment id '{deployment_id}' is already recorded on registration {registration}. Fix: nothing to add; `ltikeys registration show {registration}` lists the deployment ids")]
    DeploymentExists {
        /// The registration.
        registration: String,
        /// The deployment id.
        deployment_id: String,
    },
    /// The registration has no such deployment id.
    #[error("registration {registration} has no deployment id '{deployment_id}'. Fix: run `ltikeys registration show {registration}` to see its deployment ids")]
    DeploymentNotFound {
        /// The registration.
        registration: String,
        /// The deployment id.
        deployment_id: String,
    },
    /// The output (a command's stdout) could not be written: the reader went away (a broken
    /// pipe), or the disk is full.
    #[error("could not write the output: {source}")]
    Output {
        /// The OS error.
        #[source]
        source: std::io::Error,
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
    /// A short stable code for the kind of failure, for the UI and `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::ToolNotFound { .. } => "tool_not_found",
            Error::ToolExists { .. } => "tool_exists",
            Error::KeyNotFound { .. } => "key_not_found",
            Error::KidExists { .. } => "kid_exists",
            Error::NoPublishedKey { .. } => "no_published_key",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::Keychain { .. } => "keychain",
            Error::PrivateKeyMissing { .. } => "private_key_missing",
            Error::KidBusy { .. } => "kid_busy",
            Error::CannotPromote { .. } => "cannot_promote",
            Error::BadKey { .. } => "bad_key",
            Error::Crypto(_) => "crypto",
            Error::Database(_) | Error::SchemaTooNew { .. } | Error::Unreadable { .. } => {
                "database"
            }
            Error::Io { .. } => "io",
            Error::NoDataDir => "no_data_dir",
            Error::PlatformNotFound { .. } => "platform_not_found",
            Error::PlatformExists { .. } => "platform_exists",
            Error::PlatformInUse { .. } => "platform_in_use",
            Error::RegistrationNotFound { .. } => "registration_not_found",
            Error::DuplicateRegistration { .. } => "duplicate_registration",
            Error::DeploymentExists { .. } => "deployment_exists",
            Error::DeploymentNotFound { .. } => "deployment_not_found",
            Error::Discovery { .. } => "discovery",
            Error::Output { .. } => "output",
        }
    }

    /// An invalid-input error.
    pub fn invalid(
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            field: field.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    pub(crate) fn bad_key(what: &str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::BadKey {
            what: what.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
