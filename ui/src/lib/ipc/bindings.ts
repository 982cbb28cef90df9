// Generated from the Rust types by ts-rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p ltikeys-app bindings` after changing them.

export type AppStatus = { 
/**
 * The app's version.
 */
version: string, 
/**
 * Where the database lives.
 */
data_dir: string, 
/**
 * Whether the OS keychain answered.
 */
keychain_available: boolean, 
/**
 * Why it did not, and the fix.
 */
keychain_message: string | null, 
/**
 * Keychain operations found cut short at this start, and how finishing them went.
 */
repairs: Array<Repair>, 
/**
 * Private keys in the keychain that belong to no live key of this data directory; `null`
 * when the keychain cannot list its entries or is unavailable.
 */
orphans: Array<Orphan> | null, };

export type BindingState = "on" | "off" | "allow";

export type BundleFile = { 
/**
 * Its name in the bundle (no folders).
 */
path: string, 
/**
 * Lower-case hex SHA-256 of its bytes.
 */
sha256: string, 
/**
 * Its size.
 */
bytes: number, 
/**
 * What it is, in a few words.
 */
what: string, };

export type BundleImported = { 
/**
 * What was written (or, on a dry run, would be).
 */
plan: BundlePlan, 
/**
 * The registration's id here (`None` on a dry run that would create it).
 */
registration_id: string | null, 
/**
 * The tool's id here (`None` on a dry run that would create it).
 */
tool_id: string | null, 
/**
 * Whether anything was written.
 */
written: boolean, };

export type BundlePlan = { 
/**
 * When and by what the bundle was made.
 */
created_by: string, 
/**
 * When the bundle was made.
 */
created_at: string, 
/**
 * The tool.
 */
tool: RecordPlan, 
/**
 * The platform.
 */
platform: RecordPlan, 
/**
 * The registration.
 */
registration: RecordPlan, 
/**
 * Deployment ids added to the registration.
 */
deployments_added: Array<string>, 
/**
 * The keys.
 */
keys: Array<KeyPlan>, 
/**
 * Check results added.
 */
checks: number, 
/**
 * Whether the bundle holds a private key (its passphrase is needed to import).
 */
needs_passphrase: boolean, 
/**
 * Whether anything would be written.
 */
writes: boolean, 
/**
 * What is worth knowing (files ignored, exports the bundle left out).
 */
notes: Array<string>, };

export type BundlePreview = { 
/**
 * The files, `bundle.json` aside.
 */
files: Array<BundleFile>, 
/**
 * What is left out, and why.
 */
omitted: Array<Omitted>, 
/**
 * The current key's kid, whose private key may go in.
 */
current_kid: string | null, 
/**
 * Whether the keychain holds the current key's private key.
 */
private_available: boolean, 
/**
 * The name the save dialog suggests, without `.zip`.
 */
suggested_name: string, };

export type BundleSaved = { "outcome": "saved", 
/**
 * Where.
 */
path: string, 
/**
 * How many files, `bundle.json` included.
 */
files: number, 
/**
 * The kid whose private key is inside.
 */
private_key: string | null, } | { "outcome": "cancelled" };

export type CanvasApiSettings = { 
/**
 * The Canvas address admins sign in at, when the platform holds one.
 */
canvas_url: string | null, 
/**
 * Whether the OS keychain holds an API token for the platform.
 */
has_token: boolean, };

export type CanvasDeployment = { 
/**
 * The `deployment_id` launches carry, e.g. `1:a2ea…`.
 */
deployment_id: string, 
/**
 * `Account` or `Course`.
 */
context_type: string, 
/**
 * The account's or course's id.
 */
context_id: string, 
/**
 * The account's or course's name.
 */
context_name: string, 
/**
 * Whether it is active (Canvas lists deleted and disabled ones too).
 */
active: boolean, };

export type CanvasDeploymentsSynced = { 
/**
 * The registration after recording.
 */
registration: Registration, 
/**
 * Every deployment Canvas listed.
 */
deployments: Array<CanvasDeployment>, 
/**
 * The deployment ids recorded by this sync.
 */
added: Array<string>, 
/**
 * The deployment ids whose label was set from Canvas's context name.
 */
labelled: Array<string>, };

export type CanvasImported = { 
/**
 * The tool as stored.
 */
tool: Tool, 
/**
 * Lint findings of the document, then what was not imported.
 */
findings: Array<Finding>, };

export type CanvasLink = { 
/**
 * The Canvas root account the registration was created on.
 */
account_id: string, 
/**
 * Canvas's id of the registration (not the client_id, which is its developer key's id).
 */
registration_id: string, };

export type CanvasRegistered = { 
/**
 * The registration as recorded here (client_id, the deployments Canvas listed).
 */
registration: Registration, 
/**
 * The registration as Canvas returned it.
 */
canvas: CanvasRegistration, 
/**
 * The deployments Canvas listed (none when it could not list them: see `notes`).
 */
deployments: Array<CanvasDeployment>, 
/**
 * The steps left, in plain words.
 */
notes: Array<string>, };

export type CanvasRegistration = { 
/**
 * Canvas's id of the registration.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * The client_id: the developer key's global id (`developer_key_id`).
 */
client_id: string, 
/**
 * Whether it is on for the account, when Canvas said.
 */
binding: BindingState | null, 
/**
 * The configuration Canvas holds, when it returned one.
 */
configuration: unknown, };

export type CanvasRegistrationStatus = { 
/**
 * The registration here.
 */
registration: Registration, 
/**
 * The registration in Canvas.
 */
canvas: CanvasRegistration, 
/**
 * The configuration members Canvas holds otherwise than the tool here: what an update
 * would change. Empty when Canvas is up to date.
 */
differences: Array<string>, };

export type CheckProgress = { 
/**
 * URLs checked so far.
 */
done: number, 
/**
 * URLs to check.
 */
total: number, };

export type Choice<T> = { 
/**
 * The value.
 */
value: T, 
/**
 * A menu label.
 */
label: string, };

export type Choices = { 
/**
 * Placements, with the message types each accepts.
 */
placements: Array<PlacementInfo>, 
/**
 * Scope URIs.
 */
scopes: Array<ScopeInfo>, 
/**
 * Message types.
 */
message_types: Array<Choice<MessageType>>, 
/**
 * Privacy levels, most open first.
 */
privacy_levels: Array<Choice<PrivacyLevel>>, 
/**
 * Display types.
 */
display_types: Array<Choice<DisplayType>>, 
/**
 * Window targets.
 */
window_targets: Array<Choice<WindowTarget>>, };

export type ClientAssertion = { 
/**
 * The JWT, as posted to the token endpoint.
 */
token: string, 
/**
 * Its header.
 */
header: Record<string, unknown>, 
/**
 * Its claims.
 */
claims: Record<string, unknown>, 
/**
 * The kid it is signed under.
 */
kid: string, 
/**
 * Where it is to be posted.
 */
token_url: string, 
/**
 * When it stops being valid.
 */
expires_at: string, };

export type Deployment = { 
/**
 * The deployment_id the platform sends.
 */
deployment_id: string, 
/**
 * What it is, e.g. "Biology 101" or "Sciences sub-account".
 */
label: string | null, 
/**
 * When it was recorded.
 */
added_at: string, };

export type Difference = { 
/**
 * The field.
 */
field: string, 
/**
 * Its value here.
 */
here: string, 
/**
 * Its value in the bundle.
 */
bundle: string, };

export type DiscoveredPlatform = { 
/**
 * `issuer`.
 */
issuer: string | null, 
/**
 * `authorization_endpoint`.
 */
auth_url: string | null, 
/**
 * `token_endpoint`.
 */
token_url: string | null, 
/**
 * `authorization_server`, the token audience, when given.
 */
token_audience: string | null, 
/**
 * `jwks_uri`.
 */
jwks_url: string | null, 
/**
 * `registration_endpoint` (Dynamic Registration).
 */
registration_endpoint: string | null, 
/**
 * `product_family_code` of the LTI platform configuration, e.g. `moodle`.
 */
product_family_code: string | null, 
/**
 * `version` of the LTI platform configuration.
 */
version: string | null, 
/**
 * The family the product code and issuer point to.
 */
family: PlatformFamily, 
/**
 * What was odd or missing.
 */
findings: Array<Finding>, };

export type DiscoveryOutcome = { 
/**
 * The OpenID configuration URL read.
 */
url: string, 
/**
 * The platform after the discovery (`None` when a dry run would have created it).
 */
platform: Platform | null, 
/**
 * Whether the discovery created the platform.
 */
created: boolean, 
/**
 * Whether any change was written.
 */
applied: boolean, 
/**
 * Field by field, old and new.
 */
changes: Array<FieldChange>, 
/**
 * What the configuration said, as read.
 */
discovered: DiscoveredPlatform, 
/**
 * What was odd, missing or not applied.
 */
findings: Array<Finding>, };

export type DisplayType = "default" | "full_width" | "full_width_in_context" | "full_width_with_nav" | "in_nav_context" | "borderless";

export type DynregProgress = { "stage": "waiting", 
/**
 * The loopback URL.
 */
url: string, 
/**
 * When it stops waiting.
 */
expires_at: string, } | { "stage": "opened", 
/**
 * What will be registered.
 */
preview: Preview, } | { "stage": "registering" };

export type DynregRegistered = { 
/**
 * The platform (found by issuer, or added from its configuration).
 */
platform: Platform, 
/**
 * Whether the platform was added by this registration.
 */
platform_added: boolean, 
/**
 * The registration, with the deployment id when the platform sent one.
 */
registration: Registration, 
/**
 * The steps left on the platform's side, in plain words.
 */
notes: Array<string>, };

export type ErrorKind = "invalid" | "tool_not_found" | "tool_exists" | "tool_has_registrations" | "key_not_found" | "kid_exists" | "no_published_key" | "keychain_unavailable" | "keychain" | "private_key_missing" | "retire_too_early" | "kid_busy" | "cannot_promote" | "bad_key" | "crypto" | "database" | "io" | "no_data_dir" | "platform_not_found" | "platform_exists" | "platform_in_use" | "registration_not_found" | "duplicate_registration" | "deployment_exists" | "deployment_not_found" | "discovery" | "canvas_api" | "team" | "team_conflict" | "output" | "cancelled" | "internal";

export type Eula = { 
/**
 * Where the EULA launch goes; none for the tool's launch URL.
 */
target_link_uri: string | null, 
/**
 * Custom fields of the EULA launch, by name.
 */
custom_fields: { [key in string]: string }, };

export type ExportBundle = { 
/**
 * The registration's id.
 */
registration: string, 
/**
 * A zip (else a folder).
 */
zip: boolean, 
/**
 * Put the current private key in, encrypted with `passphrase`.
 */
include_private: boolean, 
/**
 * The passphrase (when `include_private`).
 */
passphrase: string | null, 
/**
 * The same passphrase typed again.
 */
confirm: string | null, };

export type ExportPrivateKey = { 
/**
 * Tool id or name.
 */
tool: string, 
/**
 * The key.
 */
kid: string, 
/**
 * The passphrase to encrypt it with.
 */
passphrase: string, 
/**
 * The same passphrase typed again.
 */
confirm: string, };

export type FieldChange = { 
/**
 * The field, as in [`Platform`] (`issuer`, `auth_url`, ...).
 */
field: string, 
/**
 * The value before.
 */
old: string | null, 
/**
 * The value discovered.
 */
new: string | null, 
/**
 * Whether the record took it.
 */
applied: boolean, 
/**
 * Why it was not applied.
 */
reason?: string, };

export type Finding = { 
/**
 * Stable code, e.g. `missing-keys-wrapper`.
 */
code: string, 
/**
 * How bad it is.
 */
severity: Severity, 
/**
 * The JSON path it concerns (e.g. `$.extensions[0].privacy_level`), where there is one.
 */
path?: string, 
/**
 * What is wrong, in plain words.
 */
message: string, 
/**
 * What to do about it.
 */
fix: string, 
/**
 * What a front end can offer to do it (a command to run, a button).
 */
remedies?: Array<Remedy>, };

export type GenerateKey = { 
/**
 * Tool id or name.
 */
tool: string, 
/**
 * 2048, 3072 or 4096.
 */
bits: number, 
/**
 * How to make the kid when none is given.
 */
kid_scheme: KidScheme, 
/**
 * A custom kid; overrides the scheme.
 */
kid: string | null, };

export type GrantedToken = { 
/**
 * `token_type`, usually `Bearer`.
 */
token_type: string | null, 
/**
 * `expires_in`, seconds.
 */
expires_in: number | null, 
/**
 * The scopes granted (`scope`, space-separated).
 */
scopes: Array<string>, 
/**
 * The access token with all but its first and last four characters hidden.
 */
access_token_masked: string, };

export type Handoff = { 
/**
 * The registration.
 */
registration_id: string, 
/**
 * The tool's name.
 */
tool: string, 
/**
 * The platform's name.
 */
platform: string, 
/**
 * Issuer (`iss`).
 */
issuer: string, 
/**
 * client_id.
 */
client_id: string, 
/**
 * Deployment ids.
 */
deployment_ids: Array<string>, 
/**
 * Deployment ids with their labels.
 */
deployments: Array<Deployment>, 
/**
 * OIDC auth endpoint.
 */
auth_url: string, 
/**
 * Token endpoint.
 */
token_url: string, 
/**
 * Token audience, only when it differs from the token URL.
 */
token_audience?: string, 
/**
 * Platform JWKS URL (with `{client_id}` filled in).
 */
jwks_url: string, 
/**
 * What is missing or unresolved: say so before sending.
 */
findings: Array<Finding>, };

export type HandoffView = { 
/**
 * The values.
 */
handoff: Handoff, 
/**
 * The same as plain text.
 */
text: string, };

export type ImportBundle = { 
/**
 * The passphrase of the private key in it, when it holds one.
 */
passphrase: string | null, };

export type ImportPem = { 
/**
 * The ticket `pick_key_pem` answered.
 */
ticket: number, 
/**
 * Tool id or name.
 */
tool: string, 
/**
 * The kid to file the key under (empty or none: its RFC 7638 thumbprint).
 */
kid: string | null, 
/**
 * The passphrase of an encrypted key (the window's Passphrase field).
 */
passphrase: string | null, };

export type Inspection = { 
/**
 * What it is.
 */
kind: TokenKind, 
/**
 * `kind` in words.
 */
kind_label: string, 
/**
 * The header.
 */
header: Record<string, unknown>, 
/**
 * The claims.
 */
claims: Record<string, unknown>, 
/**
 * Its registration, when one matches.
 */
registration: RegistrationMatch | null, 
/**
 * The signature check.
 */
signature: SignatureCheck, 
/**
 * Every finding, errors first.
 */
findings: Array<Finding>, };

export type IpcError = { 
/**
 * What kind of failure it is.
 */
kind: ErrorKind, 
/**
 * Plain words with the fix.
 */
message: string, 
/**
 * The input field it is about, as a path (`launch_url`, `placements[1].message_type`).
 */
field: string | null, 
/**
 * What the user can do next; the UI offers each it can as a button.
 */
remedies: Array<Remedy>, };

export type JwksCheck = { 
/**
 * The URL checked.
 */
url: string, 
/**
 * Whose keys it should hold.
 */
role: JwksRole, 
/**
 * When it was checked.
 */
checked_at: string, 
/**
 * The HTTP status; `None` when no answer arrived (see [`JwksCheck::exit_code`]).
 */
status: number | null, 
/**
 * The URL that answered, after redirects.
 */
final_url: string | null, 
/**
 * The URLs that redirected, in order.
 */
redirects: Array<string>, 
/**
 * The `Content-Type` header.
 */
content_type: string | null, 
/**
 * The `Cache-Control` header.
 */
cache_control: string | null, 
/**
 * Its `max-age`, in seconds.
 */
max_age: number | null, 
/**
 * Milliseconds until the headers arrived.
 */
latency_ms: number | null, 
/**
 * Body size in bytes.
 */
bytes: number, 
/**
 * The keys found.
 */
keys: Array<KeySummary>, 
/**
 * What is wrong or worth knowing, errors first.
 */
findings: Array<Finding>, };

export type JwksRole = "platform" | "tool";

export type KeyImported = { 
/**
 * One sentence for each block of the file that was passed over (certificates, public
 * keys); empty for a file with the key alone.
 */
notes: Array<string>, 
/**
 * Whether it is in the published JWKS.
 */
published: boolean, 
/**
 * Whether the keychain holds the private key.
 */
private_key: PrivateKeyState, 
/**
 * The tool it belongs to.
 */
tool_id: string, 
/**
 * The key id.
 */
kid: string, 
/**
 * The signing algorithm: always RS256.
 */
alg: string, 
/**
 * Modulus size.
 */
bits: number, 
/**
 * Life-cycle state.
 */
status: KeyStatus, 
/**
 * When it was generated or imported.
 */
created_at: string, 
/**
 * Since when it has been in the published JWKS.
 */
published_at: string, 
/**
 * When it started signing.
 */
signing_from: string | null, 
/**
 * When it stopped signing.
 */
signing_to: string | null, 
/**
 * When its overlap window ends (previous keys): it may be retired from then on.
 */
unpublish_after: string | null, 
/**
 * When it was retired.
 */
retired_at: string | null, 
/**
 * When it was revoked.
 */
revoked_at: string | null, 
/**
 * Came in from a registration bundle without its private half: it is published and never
 * signs here.
 */
public_only: boolean, };

export type KeyInfo = { 
/**
 * Whether it is in the published JWKS.
 */
published: boolean, 
/**
 * Whether the keychain holds the private key.
 */
private_key: PrivateKeyState, 
/**
 * The tool it belongs to.
 */
tool_id: string, 
/**
 * The key id.
 */
kid: string, 
/**
 * The signing algorithm: always RS256.
 */
alg: string, 
/**
 * Modulus size.
 */
bits: number, 
/**
 * Life-cycle state.
 */
status: KeyStatus, 
/**
 * When it was generated or imported.
 */
created_at: string, 
/**
 * Since when it has been in the published JWKS.
 */
published_at: string, 
/**
 * When it started signing.
 */
signing_from: string | null, 
/**
 * When it stopped signing.
 */
signing_to: string | null, 
/**
 * When its overlap window ends (previous keys): it may be retired from then on.
 */
unpublish_after: string | null, 
/**
 * When it was retired.
 */
retired_at: string | null, 
/**
 * When it was revoked.
 */
revoked_at: string | null, 
/**
 * Came in from a registration bundle without its private half: it is published and never
 * signs here.
 */
public_only: boolean, };

export type KeyPlan = { 
/**
 * The key id.
 */
kid: string, 
/**
 * Its status in the bundle, which it keeps.
 */
status: KeyStatus, 
/**
 * Created or matched (the same public key under the same kid).
 */
action: PlanAction, 
/**
 * Whether its private key comes too (it signs here); otherwise it is public only.
 */
private_key: boolean, };

export type KeyStatus = "next" | "current" | "previous" | "retired" | "revoked";

export type KeySummary = { 
/**
 * Its kid, if it has one.
 */
kid: string | null, 
/**
 * Key type: `RSA`, `EC`, `OKP`…; empty when missing.
 */
kty: string, 
/**
 * Declared algorithm.
 */
alg: string | null, 
/**
 * Declared use (`sig`, `enc`).
 */
use: string | null, 
/**
 * RSA modulus size.
 */
bits: number | null, };

export type KeygenProgress = { 
/**
 * Where generation is.
 */
stage: KeygenStage, 
/**
 * Milliseconds since the command started.
 */
elapsed_ms: number, };

export type KeygenStage = "generating" | "storing" | "done";

export type KidScheme = "thumbprint" | "timestamp" | "uuid";

export type KidSearch = { 
/**
 * The kid looked for.
 */
kid: string, 
/**
 * Where: the URL, or "the pasted JWKS".
 */
source: string, 
/**
 * Whether it is there.
 */
found: boolean, 
/**
 * Every kid in the set, in order.
 */
kids: Array<string>, 
/**
 * The entry of the kid, when found.
 */
key: Record<string, unknown> | null, 
/**
 * What is wrong with the set or the search.
 */
findings: Array<Finding>, };

export type LibraryFormat = "pylti1p3" | "ltijs" | "django-lti";

export type MessageType = "LtiResourceLinkRequest" | "LtiDeepLinkingRequest";

export type NewDeployment = { 
/**
 * The deployment_id.
 */
deployment_id: string, 
/**
 * Optional label.
 */
label: string | null, };

export type NewPlatform = { 
/**
 * Unique name, e.g. "Acme University Canvas".
 */
name: string, 
/**
 * The preset (and family).
 */
preset: PlatformFamily, 
/**
 * The instance's base URL, e.g. https://moodle.example.edu.
 */
base_url: string | null, 
/**
 * Overrides the preset's issuer.
 */
issuer: string | null, 
/**
 * Overrides the preset's OIDC auth URL.
 */
auth_url: string | null, 
/**
 * Overrides the preset's token URL.
 */
token_url: string | null, 
/**
 * Overrides the preset's token audience.
 */
token_audience: string | null, 
/**
 * Overrides the preset's platform JWKS URL.
 */
jwks_url: string | null, 
/**
 * Overrides the preset's OpenID configuration URL.
 */
openid_configuration_url: string | null, };

export type NewRegistration = { 
/**
 * Tool id or name.
 */
tool: string, 
/**
 * Platform id or name.
 */
platform: string, 
/**
 * The client_id the platform gave.
 */
client_id: string, 
/**
 * Deployment ids known so far.
 */
deployments: Array<NewDeployment>, };

export type Omitted = { 
/**
 * The file it would have been.
 */
path: string, 
/**
 * Why it is not there, and how to get it.
 */
reason: string, };

export type Orphan = { 
/**
 * The tool id.
 */
tool_id: string, 
/**
 * The tool's name.
 */
tool: string, 
/**
 * The kid the entry is filed under.
 */
kid: string, 
/**
 * Whether a revoked key has this kid (else no key record does).
 */
revoked: boolean, };

export type PickedBundle = { "outcome": "picked", 
/**
 * The file or folder's name, for display.
 */
name: string, 
/**
 * What an import would write.
 */
plan: BundlePlan, } | { "outcome": "cancelled" };

export type PickedJwt = { "kind": "cancelled" } | { "kind": "picked", 
/**
 * The file's name.
 */
name: string, 
/**
 * Its text.
 */
text: string, };

export type PickedPem = { "outcome": "picked", 
/**
 * What the import names the file by.
 */
ticket: number, 
/**
 * The file's name, for display.
 */
file_name: string, 
/**
 * Whether it is an encrypted PKCS#8 key, which needs its passphrase.
 */
encrypted: boolean, } | { "outcome": "cancelled" };

export type Placement = { 
/**
 * The Canvas placement name, e.g. `course_navigation` (see [`lti::placements`]).
 */
placement: string, 
/**
 * The message it launches with; must be one of [`lti::message_types_for`] the placement.
 */
message_type: MessageType, 
/**
 * Whether the placement is on.
 */
enabled: boolean, 
/**
 * The link text (default: the tool's title).
 */
text: string | null, 
/**
 * The launch URL for this placement (default: the tool's target link URI).
 */
target_link_uri: string | null, 
/**
 * An icon for this placement.
 */
icon_url: string | null, 
/**
 * Width of the selection dialog, in pixels.
 */
selection_width: number | null, 
/**
 * Height of the selection dialog, in pixels.
 */
selection_height: number | null, 
/**
 * Width of the launch frame, in pixels.
 */
launch_width: number | null, 
/**
 * Height of the launch frame, in pixels.
 */
launch_height: number | null, 
/**
 * How Canvas frames the launch.
 */
display_type: DisplayType | null, 
/**
 * Open in a new window instead of a frame.
 */
window_target: WindowTarget | null, 
/**
 * Canvas permissions the user needs to see the placement, e.g. `manage_course_content_add`.
 */
required_permissions: Array<string>, };

export type PlacementInfo = { 
/**
 * The Canvas name, e.g. `course_navigation`.
 */
name: string, 
/**
 * A menu label.
 */
label: string, 
/**
 * The message types it accepts, the default first.
 */
message_types: Array<MessageType>, 
/**
 * The Canvas feature flag it needs, if any.
 */
feature_flag: string | null, 
/**
 * Whether only Instructure-approved tools may use it.
 */
needs_approval: boolean, 
/**
 * Canvas's deprecation advice, if it is deprecated.
 */
deprecated: string | null, };

export type PlanAction = "create" | "match";

export type Platform = { 
/**
 * Stable short id.
 */
id: string, 
/**
 * When it was added.
 */
created_at: string, 
/**
 * When it last changed.
 */
updated_at: string, 
/**
 * Unique name (case-insensitive).
 */
name: string, 
/**
 * Which LMS it is.
 */
family: PlatformFamily, 
/**
 * The instance's base URL, for presets that depend on it.
 */
base_url: string | null, 
/**
 * The `iss` of the platform's launches.
 */
issuer: string, 
/**
 * OIDC auth endpoint (authorization redirect).
 */
auth_url: string, 
/**
 * OAuth2 token endpoint.
 */
token_url: string, 
/**
 * Token audience when it differs from the token URL (Brightspace).
 */
token_audience: string | null, 
/**
 * The platform's JWKS URL; may hold `{client_id}` (Blackboard).
 */
jwks_url: string, 
/**
 * Where the platform publishes its OpenID configuration.
 */
openid_configuration_url: string | null, };

export type PlatformCard = { 
/**
 * The platform.
 */
platform: Platform, 
/**
 * The registrations on it, oldest first.
 */
registrations: Array<RegistrationBrief>, };

export type PlatformCheck = { 
/**
 * The platform's name.
 */
platform: string, 
/**
 * The URL checked.
 */
url: string, 
/**
 * The result, when checked.
 */
check: JwksCheck | null, 
/**
 * Why it was not checked.
 */
skipped: string | null, };

export type PlatformFamily = "canvas-cloud" | "canvas-beta" | "canvas-test" | "canvas-self-hosted" | "moodle" | "brightspace" | "blackboard" | "sakai" | "schoology" | "openedx" | "custom";

export type PlatformPage = { 
/**
 * How many platforms there are.
 */
total: number, 
/**
 * How many of them match the filter (all of them when it is blank).
 */
matching: number, 
/**
 * The first matching cards, up to the limit, in natural order of their names; then the
 * matching ones asked to be kept on screen beyond it, in the same order.
 */
cards: Array<PlatformCard>, };

export type PlatformUpdate = { 
/**
 * New name.
 */
name: string | null, 
/**
 * New issuer.
 */
issuer: string | null, 
/**
 * New OIDC auth URL.
 */
auth_url: string | null, 
/**
 * New token URL.
 */
token_url: string | null, 
/**
 * New token audience ("" clears it: the token URL is the audience).
 */
token_audience: string | null, 
/**
 * New platform JWKS URL.
 */
jwks_url: string | null, 
/**
 * New OpenID configuration URL ("" clears it).
 */
openid_configuration_url: string | null, };

export type Policy = { 
/**
 * How long a next key must be published before it may sign.
 */
pre_publish_secs: number, 
/**
 * How long a previous key stays published after it stops signing.
 */
overlap_secs: number, 
/**
 * After how long a current key is due for rotation, if ever.
 */
rotate_every_secs: number | null, };

export type Preset = { 
/**
 * The preset id, which is also the platform family.
 */
family: PlatformFamily, 
/**
 * A name for people.
 */
label: string, 
/**
 * Whether `base_url` must be given (the values depend on the instance).
 */
needs_base_url: boolean, 
/**
 * What a base URL looks like, for a form's placeholder text.
 */
base_url_example: string | null, 
/**
 * Issuer template (`None`: the user gives it).
 */
issuer: string | null, 
/**
 * OIDC auth endpoint template.
 */
auth_url: string | null, 
/**
 * Token endpoint template.
 */
token_url: string | null, 
/**
 * Token audience template, when it differs from the token URL.
 */
token_audience: string | null, 
/**
 * Platform JWKS URL template.
 */
jwks_url: string | null, 
/**
 * OpenID configuration URL template, where the platform publishes one.
 */
openid_configuration_url: string | null, 
/**
 * What to know about this platform's values.
 */
note: string, };

export type Preview = { 
/**
 * The tool's name.
 */
tool: string, 
/**
 * The platform's issuer.
 */
issuer: string, 
/**
 * Its product, as it says (`canvas`, `moodle`…).
 */
product: string | null, 
/**
 * Where the configuration came from.
 */
configuration_url: string, 
/**
 * Where the registration is posted.
 */
registration_endpoint: string, 
/**
 * The scopes asked for.
 */
scopes: Array<string>, 
/**
 * The placements offered (their messages).
 */
placements: Array<string>, };

export type PrivacyLevel = "public" | "name_only" | "email_only" | "anonymous";

export type PrivateKeyState = "present" | "missing" | "unknown" | "public_only" | "transit";

export type RecordPlan = { 
/**
 * Its name (a registration: its client_id).
 */
name: string, 
/**
 * Created or matched.
 */
action: PlanAction, 
/**
 * What it matched here, in words ("name", "issuer and client_id", ...).
 */
matched_by: string | null, 
/**
 * Where the record here differs from the bundle's; the record here is kept.
 */
differences: Array<Difference>, };

export type Registration = { 
/**
 * Stable short id.
 */
id: string, 
/**
 * The tool's id.
 */
tool_id: string, 
/**
 * The tool's name.
 */
tool_name: string, 
/**
 * The platform's id.
 */
platform_id: string, 
/**
 * The platform's name.
 */
platform_name: string, 
/**
 * The platform's issuer (kept in step with the platform).
 */
issuer: string, 
/**
 * The client_id the platform gave the tool.
 */
client_id: string, 
/**
 * Deployment ids, oldest first.
 */
deployments: Array<Deployment>, 
/**
 * Where it lives in Canvas, when it was made through Canvas's registrations API.
 */
canvas: CanvasLink | null, 
/**
 * When it was added.
 */
created_at: string, 
/**
 * When it last changed.
 */
updated_at: string, };

export type RegistrationBrief = { 
/**
 * The registration's id.
 */
id: string, 
/**
 * The tool's id.
 */
tool_id: string, 
/**
 * The tool's name.
 */
tool_name: string, 
/**
 * The platform's id.
 */
platform_id: string, 
/**
 * The client_id the platform gave the tool.
 */
client_id: string, 
/**
 * How many deployments it has.
 */
deployment_count: number, };

export type RegistrationMatch = { 
/**
 * The registration's id.
 */
registration: string, 
/**
 * The tool's name.
 */
tool: string, 
/**
 * The platform's name.
 */
platform: string, 
/**
 * The platform's issuer.
 */
issuer: string, 
/**
 * The client_id.
 */
client_id: string, 
/**
 * How it was found, e.g. "iss = the platform's issuer, aud holds the client_id".
 */
matched_by: string, };

export type RegistrationUpdate = { 
/**
 * A new client_id (checked as on add).
 */
client_id: string | null, 
/**
 * The platform (id or name) the registration is on instead; it takes that issuer.
 */
platform: string | null, };

export type Remedy = { "kind": "list_tools" } | { "kind": "list_keys", 
/**
 * The tool.
 */
tool: string, } | { "kind": "generate_key", 
/**
 * The tool.
 */
tool: string, 
/**
 * Whether the key is to wait as `next`.
 */
next: boolean, } | { "kind": "import_private_key", 
/**
 * The tool.
 */
tool: string, 
/**
 * The key, when it is one the tool has already.
 */
kid: string | null, } | { "kind": "edit_tool", 
/**
 * The tool.
 */
tool: string, 
/**
 * The field, as a path of the tool profile (`jwks_url`, `launch_url`…).
 */
field: string, } | { "kind": "rotate", 
/**
 * The tool.
 */
tool: string, } | { "kind": "publish_jwks", 
/**
 * The tool; `None` when the check that asks for it knows no tool.
 */
tool: string | null, 
/**
 * Where it is to be published.
 */
jwks_url: string | null, } | { "kind": "check_jwks", 
/**
 * The URL.
 */
url: string, 
/**
 * The tool whose keys it should publish.
 */
tool: string | null, } | { "kind": "paste_jwk", 
/**
 * The tool.
 */
tool: string, 
/**
 * The key to paste.
 */
kid: string, } | { "kind": "list_platforms" } | { "kind": "add_platform", 
/**
 * The name to give it.
 */
name: string, } | { "kind": "update_platform", 
/**
 * The platform.
 */
platform: string, 
/**
 * The field, as a path of the platform (`token_url`, `jwks_url`…); `None` for any.
 */
field: string | null, } | { "kind": "discover_platform", 
/**
 * The platform, when it is recorded.
 */
platform: string | null, } | { "kind": "list_registrations" } | { "kind": "show_registration", 
/**
 * The registration's id.
 */
registration: string, } | { "kind": "add_deployment", 
/**
 * The registration's id.
 */
registration: string, 
/**
 * The deployment id to add, when it is known (a token carried it).
 */
deployment_id?: string, } | { "kind": "remove_registrations", 
/**
 * The platform.
 */
platform: string, } | { "kind": "remove_tool_with_registrations", 
/**
 * The tool.
 */
tool: string, } | { "kind": "list_canvas_placements" } | { "kind": "list_canvas_scopes" } | { "kind": "replace_file" } | { "kind": "retire_anyway", 
/**
 * The key.
 */
kid: string, } | { "kind": "give", 
/**
 * The field, as a path of the input.
 */
field: string, };

export type Removal = { 
/**
 * Whether it is gone from the keychain.
 */
removed: boolean, 
/**
 * Why it is still there, when it is: the removal is finished at the next start.
 */
reason: string | null, };

export type RemovedKey = { 
/**
 * The key.
 */
kid: string, 
/**
 * Whether its private key left the keychain (else it does at the next start).
 */
private_key: Removal, };

export type Repair = { 
/**
 * The tool id.
 */
tool_id: string, 
/**
 * The tool's name (its id when the tool is gone).
 */
tool: string, 
/**
 * The key.
 */
kid: string, 
/**
 * What it did.
 */
kind: RepairKind, 
/**
 * Why it could not be finished yet (it is tried again at the next start).
 */
error: string | null, };

export type RepairKind = "generation_undone" | "private_key_removed";

export type Revocation = { 
/**
 * The key revoked: unpublished, never signs again.
 */
kid: string, 
/**
 * The kid that signs now, when the revoked key was the current one.
 */
signing: string | null, 
/**
 * Whether its private key left the keychain.
 */
private_key: Removal, };

export type RotationOutcome = { 
/**
 * The key that signs now.
 */
current: string, 
/**
 * The key that stopped signing.
 */
previous: string | null, 
/**
 * When the previous key may be unpublished.
 */
unpublish_after: string, 
/**
 * A key generated because none was waiting as next.
 */
generated: string | null, 
/**
 * Whether the pre-publish lead time was skipped.
 */
lead_time_skipped: boolean, 
/**
 * Warnings, in plain words.
 */
warnings: Array<string>, 
/**
 * What the user must deploy now, in order.
 */
reminders: Array<Remedy>, };

export type RotationPlan = { 
/**
 * The next key that becomes current; `None` when a new key must be generated first.
 */
promote: string | null, 
/**
 * The current key that becomes previous.
 */
demote: string | null, 
/**
 * When the demoted key may be unpublished.
 */
unpublish_after: string, 
/**
 * Whether the next key signs before it has been published for the pre-publish lead time.
 */
lead_time_skipped: boolean, 
/**
 * When the promoted key would have been safe to sign with.
 */
safe_from: string | null, 
/**
 * Plain-words warnings to show before and after.
 */
warnings: Array<string>, };

export type RotationState = { 
/**
 * The policy.
 */
policy: Policy, 
/**
 * Since when rotation has been due, if it is.
 */
due_since: string | null, 
/**
 * Previous keys whose overlap window is over.
 */
retire_ready: Array<string>, 
/**
 * What `rotate` would do now; `None` when the tool has no current key.
 */
plan: RotationPlan | null, };

export type SaveOutcome = { "outcome": "saved", path: string, } | { "outcome": "cancelled" };

export type ScopeInfo = { 
/**
 * The scope URI.
 */
uri: string, 
/**
 * What it grants, in plain words.
 */
label: string, 
/**
 * Whether Canvas shows it.
 */
visibility: ScopeVisibility, 
/**
 * The feature flag that makes it visible, for `feature_flag` scopes.
 */
feature_flag: string | null, 
/**
 * Whether Canvas builds of 2019–2021 (self-hosted installs) know it too.
 */
long_standing: boolean, };

export type ScopeVisibility = "public" | "feature_flag" | "hidden";

export type ServerPolicy = { 
/**
 * The policy's name on the server.
 */
name: string, 
/**
 * Its HCL.
 */
policy: string, };

export type Severity = "info" | "warning" | "error";

export type SignatureCheck = { 
/**
 * The result.
 */
status: SignatureStatus, 
/**
 * The header's `alg`.
 */
alg: string | null, 
/**
 * The header's `kid`.
 */
kid: string | null, 
/**
 * The key used, in words ("kid k1 of the platform's JWKS at …").
 */
key: string | null, 
/**
 * What was done, in words.
 */
detail: string, };

export type SignatureStatus = "verified" | "invalid" | "unverified";

export type TeamConfig = { 
/**
 * The server, e.g. `https://bao.example.edu:8200`.
 */
address: string, 
/**
 * The KV v2 mount of the team's documents.
 */
mount: string, 
/**
 * The Transit mount of the tools' keys.
 */
transit_mount: string, 
/**
 * The name this admin's writes are stamped with.
 */
actor: string, 
/**
 * The keychain entry of the credential (see [`credential_account`]).
 */
credential_id: string, 
/**
 * When this data directory was connected.
 */
connected_at: string, 
/**
 * When it last synced.
 */
synced_at: string | null, };

export type TeamConflictInfo = { 
/**
 * Its KV path.
 */
path: string, 
/**
 * What it is, in words.
 */
what: string, 
/**
 * Who wrote the server's version.
 */
by: string, 
/**
 * When.
 */
at: string, 
/**
 * The server's version.
 */
version: number, };

export type TeamConnect = { 
/**
 * The server's address.
 */
address: string, 
/**
 * The KV v2 mount.
 */
mount: string, 
/**
 * The name this admin's writes carry; the OS user when empty.
 */
actor: string | null, 
/**
 * The OpenBao token.
 */
token: string, };

export type TeamPushed = { 
/**
 * The tool's name.
 */
tool: string, 
/**
 * The Transit key that now holds its private keys.
 */
transit_key: string, 
/**
 * Kids imported into Transit, each with its Transit version.
 */
imported: Array<[string, number]>, 
/**
 * Kids whose private key was removed from this machine's keychain.
 */
removed_from_keychain: Array<string>, 
/**
 * Documents written (paths).
 */
written: Array<string>, };

export type TeamStatus = { 
/**
 * The connection.
 */
team: TeamConfig, 
/**
 * Whether the server answered, and as whom.
 */
reachable: boolean, 
/**
 * Why it did not, and the fix.
 */
problem: string | null, 
/**
 * The credential's display name and policies, when the server answered.
 */
identity: string | null, 
/**
 * Shared documents, by kind.
 */
documents: { [key in string]: number }, 
/**
 * Shared records changed here since the last sync (paths).
 */
local_changes: Array<string>, 
/**
 * The ids of the tools shared with the team.
 */
shared_tools: Array<string>, };

export type TeamSynced = { 
/**
 * Documents brought here (paths).
 */
pulled: Array<string>, 
/**
 * Documents sent to the server (paths).
 */
pushed: Array<string>, 
/**
 * Documents changed on both sides: neither side was overwritten.
 */
conflicts: Array<TeamConflictInfo>, 
/**
 * Documents already the same on both sides.
 */
unchanged: number, };

export type TokenKind = "resource_link_request" | "deep_linking_request" | "submission_review_request" | "other_launch" | "deep_linking_response" | "client_assertion" | "registration_token" | "message_hint" | "unknown";

export type TokenOutcome = "granted" | "refused" | "no_answer";

export type TokenTest = { 
/**
 * The registration tested.
 */
registration: string, 
/**
 * The token endpoint.
 */
token_url: string, 
/**
 * The assertion's `aud`.
 */
audience: string, 
/**
 * The kid the assertion is signed under.
 */
kid: string, 
/**
 * The scopes asked for.
 */
scopes: Array<string>, 
/**
 * How it ended.
 */
outcome: TokenOutcome, 
/**
 * The HTTP status, when there was an answer.
 */
status: number | null, 
/**
 * The OAuth `error` code of a refusal.
 */
error: string | null, 
/**
 * The platform's words (`error_description`, or the start of the body).
 */
description: string | null, 
/**
 * The grant.
 */
granted: GrantedToken | null, 
/**
 * Milliseconds until the answer's headers arrived.
 */
latency_ms: number | null, 
/**
 * The cause of a refusal and the fix, and notes on a grant.
 */
findings: Array<Finding>, };

export type Tool = { 
/**
 * Stable short id.
 */
id: string, 
/**
 * When it was added.
 */
created_at: string, 
/**
 * Unique name (case-insensitive).
 */
name: string, 
/**
 * Free text.
 */
description: string, 
/**
 * host[:port] without scheme.
 */
domain: string | null, 
/**
 * OIDC login initiation URL.
 */
login_url: string | null, 
/**
 * Target link URI (launch URL).
 */
launch_url: string | null, 
/**
 * Redirect URIs, each registered exactly.
 */
redirect_uris: Array<string>, 
/**
 * Where the tool publishes its JWKS.
 */
jwks_url: string | null, 
/**
 * What Canvas tells the tool about users.
 */
privacy_level: PrivacyLevel, 
/**
 * The Canvas `tool_id`.
 */
canvas_tool_id: string | null, 
/**
 * The tool's icon.
 */
icon_url: string | null, 
/**
 * Custom fields sent with every launch, by name.
 */
custom_fields: { [key in string]: string }, 
/**
 * LTI Advantage and Canvas scope URIs the tool asks for (see [`lti::scopes`]).
 */
scopes: Array<string>, 
/**
 * Where in Canvas the tool appears, each placement name at most once.
 */
placements: Array<Placement>, 
/**
 * The tool's end-user licence agreement launch, shown before an asset processor handles
 * a user's work; none when the tool has no EULA.
 */
eula?: Eula, };

export type ToolProfile = { 
/**
 * Unique name (case-insensitive).
 */
name: string, 
/**
 * Free text.
 */
description: string, 
/**
 * host[:port] without scheme.
 */
domain: string | null, 
/**
 * OIDC login initiation URL.
 */
login_url: string | null, 
/**
 * Target link URI (launch URL).
 */
launch_url: string | null, 
/**
 * Redirect URIs, each registered exactly.
 */
redirect_uris: Array<string>, 
/**
 * Where the tool publishes its JWKS.
 */
jwks_url: string | null, 
/**
 * What Canvas tells the tool about users.
 */
privacy_level: PrivacyLevel, 
/**
 * The Canvas `tool_id`.
 */
canvas_tool_id: string | null, 
/**
 * The tool's icon.
 */
icon_url: string | null, 
/**
 * Custom fields sent with every launch, by name.
 */
custom_fields: { [key in string]: string }, 
/**
 * LTI Advantage and Canvas scope URIs the tool asks for (see [`lti::scopes`]).
 */
scopes: Array<string>, 
/**
 * Where in Canvas the tool appears, each placement name at most once.
 */
placements: Array<Placement>, 
/**
 * The tool's end-user licence agreement launch, shown before an asset processor handles
 * a user's work; none when the tool has no EULA.
 */
eula?: Eula, };

export type ToolRemoval = { 
/**
 * The tool's id.
 */
tool_id: string, 
/**
 * The tool's name.
 */
tool: string, 
/**
 * Its keys, each with what became of its private key.
 */
keys: Array<RemovedKey>, 
/**
 * How many registrations went with it.
 */
registrations: number, 
/**
 * How many deployment ids those registrations had.
 */
deployments: number, };

export type ToolSummary = { 
/**
 * Id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Domain.
 */
domain: string | null, 
/**
 * Keys in any state.
 */
key_count: number, 
/**
 * The signing key's kid.
 */
current_kid: string | null, };

export type WindowTarget = "_blank";
