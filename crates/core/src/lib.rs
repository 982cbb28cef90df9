//! LTI Key Manager's domain: keys and kids, JWK/JWKS, tools, the store and the keychain seam.
#![deny(missing_docs)]

pub mod bundle;
pub mod canvas;
pub mod check;
pub mod discovery;
pub mod dynreg;
pub mod error;
pub mod file;
pub mod finding;
pub mod http;
pub mod input;
pub mod jwk;
pub mod key;
pub mod kid;
pub mod lti;
pub mod pending;
pub mod placement;
pub mod platform;
pub mod registration;
pub mod remedy;
pub mod rotation;
pub mod secret;
pub mod store;
pub mod team;
#[cfg(any(test, feature = "test-server"))]
pub mod testing;
pub mod token;
pub mod tool;
pub mod vault;

pub use canvas::{CanvasConfig, CanvasImport, CanvasImported};
pub use check::{
    check_jwks, check_many, ExpectedKeys, JwksCheck, JwksRole, KeySummary, CHECK_CONCURRENCY,
};
pub use discovery::{DiscoverOptions, DiscoveredPlatform, DiscoveryOutcome, FieldChange};
pub use error::{Error, ErrorKind, Result};
pub use finding::{Finding, Severity};
pub use http::{FetchError, Fetched, HttpClient, HttpLimits};
pub use jwk::{Jwk, Jwks};
pub use key::{
    KeyImported, KeyInfo, KeyPair, KeySize, KeyStatus, PemKey, PrivateKeyState, PublicKey,
};
pub use kid::KidScheme;
pub use lti::{DisplayType, MessageType, PrivacyLevel, WindowTarget};
pub use pending::{Orphan, Removal, Repair, RepairKind};
pub use placement::Placement;
pub use platform::{
    NewPlatform, Platform, PlatformCard, PlatformFamily, PlatformIndex, PlatformPage, PlatformSpec,
    PlatformUpdate, Preset,
};
pub use registration::{
    Deployment, Handoff, NewDeployment, NewRegistration, Registration, RegistrationBrief,
    RegistrationUpdate,
};
pub use remedy::Remedy;
pub use rotation::{Policy, RotationPlan};
pub use secret::{Keychain, SecretStore};
pub use tool::{Eula, Tool, ToolProfile, ToolSummary};
pub use vault::{
    AppStatus, BundleExported, BundleImported, CanvasDeploymentsSynced, CanvasRegistered,
    CanvasRegistrationStatus, DynregRegistered, GenerateKey, KeygenStage, LibraryFormat,
    PlatformCheck, RemovedKey, Revocation, RotationOutcome, RotationState, TeamConflictInfo,
    TeamKeyMade, TeamPushed, TeamStatus, TeamSynced, ToolRemoval, Vault,
};
