//! Remedies: what a user can do next about an error, a finding or a rotation, as data. The core
//! names no command line or button; each front end phrases a remedy its own way (the CLI as the
//! `ltikeys` command to run, the app as a button or a step to take).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One thing to do next. Tools, platforms and registrations are named as the user named them
/// (a name, or an id), so a front end can point at the same record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Remedy {
    /// See which tools there are.
    ListTools,
    /// See a tool's keys.
    ListKeys {
        /// The tool.
        tool: String,
    },
    /// Generate a key for the tool (a `next` key when `next`).
    GenerateKey {
        /// The tool.
        tool: String,
        /// Whether the key is to wait as `next`.
        next: bool,
    },
    /// Import the private key of a key from a PEM file.
    ImportPrivateKey {
        /// The tool.
        tool: String,
        /// The key, when it is one the tool has already.
        kid: Option<String>,
    },
    /// Change a field of the tool's profile.
    EditTool {
        /// The tool.
        tool: String,
        /// The field, as a path of the tool profile (`jwks_url`, `launch_url`…).
        field: String,
    },
    /// Rotate the tool's keys.
    Rotate {
        /// The tool.
        tool: String,
    },
    /// Publish the tool's JWKS (at its JWKS URL, when it has one).
    PublishJwks {
        /// The tool; `None` when the check that asks for it knows no tool.
        tool: Option<String>,
        /// Where it is to be published.
        jwks_url: Option<String>,
    },
    /// Check the JWKS a URL publishes (against the tool's keys, when a tool is given).
    CheckJwks {
        /// The URL.
        url: String,
        /// The tool whose keys it should publish.
        tool: Option<String>,
    },
    /// Paste the public JWK of `kid` where the platform holds the tool's key (Canvas: the
    /// developer key's "Public JWK" field), for tools without a JWKS URL.
    PasteJwk {
        /// The tool.
        tool: String,
        /// The key to paste.
        kid: String,
    },
    /// See which platforms there are.
    ListPlatforms,
    /// Add the platform from a preset.
    AddPlatform {
        /// The name to give it.
        name: String,
    },
    /// Change a field of the platform.
    UpdatePlatform {
        /// The platform.
        platform: String,
        /// The field, as a path of the platform (`token_url`, `jwks_url`…); `None` for any.
        field: Option<String>,
    },
    /// Fill the platform's endpoints from its OpenID configuration.
    DiscoverPlatform {
        /// The platform, when it is recorded.
        platform: Option<String>,
    },
    /// See which registrations there are.
    ListRegistrations,
    /// See a registration with its deployment ids.
    ShowRegistration {
        /// The registration's id.
        registration: String,
    },
    /// Record a deployment id on a registration.
    AddDeployment {
        /// The registration's id.
        registration: String,
        /// The deployment id to add, when it is known (a token carried it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        deployment_id: Option<String>,
    },
    /// Remove the registrations a platform still has.
    RemoveRegistrations {
        /// The platform.
        platform: String,
    },
    /// Remove the tool together with its registrations (and their deployment ids).
    RemoveToolWithRegistrations {
        /// The tool.
        tool: String,
    },
    /// See the Canvas placements and the message types each accepts.
    ListCanvasPlacements,
    /// See the scopes Canvas accepts.
    ListCanvasScopes,
    /// Write over the file that is in the way.
    ReplaceFile,
    /// Retire the key now, inside its overlap window.
    RetireAnyway {
        /// The key.
        kid: String,
    },
    /// Give a value for the input field at this path (`issuer`, `passphrase`…).
    Give {
        /// The field, as a path of the input.
        field: String,
    },
}
