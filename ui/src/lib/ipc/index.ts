// The only module that talks to Tauri: typed wrappers around the app's commands and plugins.

import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";

import { toFailure } from "../errors";
import type {
  AppStatus,
  Removal,
  Revocation,
  GenerateKey,
  KeyInfo,
  KeygenProgress,
  SaveOutcome,
  Tool,
  ToolProfile,
  ToolRemoval,
  ToolSummary,
} from "./bindings";
import type {
  CanvasImported,
  Choices,
  DiscoveryOutcome,
  Finding,
  HandoffView,
  NewDeployment,
  NewPlatform,
  NewRegistration,
  Platform,
  PlatformUpdate,
  Preset,
  Registration,
  PlatformPage,
  RegistrationUpdate,
} from "./bindings";

import type { ExportPrivateKey, ImportPem, KeyImported, PickedPem } from "./bindings";
import type { BundleImported, BundlePreview, BundleSaved, ExportBundle, LibraryFormat, PickedBundle } from "./bindings";
import type { ClientAssertion, DynregProgress, DynregRegistered, Inspection, KidSearch, PickedJwt, TokenTest } from "./bindings";
import type { BindingState, CanvasApiSettings, CanvasDeploymentsSynced, CanvasRegistered, CanvasRegistrationStatus } from "./bindings";
import type { ServerPolicy, TeamConnect, TeamPushed, TeamStatus, TeamSynced } from "./bindings";
import type {
  CheckProgress,
  JwksCheck,
  JwksRole,
  PlatformCheck,
  Policy,
  RotationOutcome,
  RotationState,
} from "./bindings";
import { policySecs, type PolicySecs } from "../duration";

export type * from "./bindings";
export { IpcFailure } from "../errors";

/** Commands that only read: every other command that succeeds may have changed what is shown. */
const READS = new Set([
  "app_status",
  "data_stamp",
  "list_tools",
  "get_tool",
  "list_keys",
  "export_jwk",
  "export_jwks",
  "rotation_state",
  "last_checks",
  "lti_choices",
  "platform_presets",
  "list_platforms",
  "list_registrations",
  "platform_page",
  "registration_handoff",
  "lint_canvas",
  "export_canvas",
  "save_jwks",
  "save_canvas",
  "check_jwks",
  "check_platforms",
]);

const changeListeners = new Set<(command: string) => void>();

/** Calls `listener` after each command that may have changed the app's data; answers the
 * function that stops it. */
export function onDataChanged(listener: (command: string) => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

/** Calls a command; every rejection becomes an `IpcFailure` (`{ kind, message, field }`). */
async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  let answer: T;
  try {
    answer = await invoke<T>(command, args);
  } catch (error) {
    throw toFailure(error);
  }
  if (!READS.has(command)) {
    for (const listener of changeListeners) listener(command);
  }
  return answer;
}

/** True when the page runs inside the app (or under a mocked IPC). */
export function ipcAvailable(): boolean {
  const internals = (window as unknown as { __TAURI_INTERNALS__?: { invoke?: unknown } })
    .__TAURI_INTERNALS__;
  return typeof internals?.invoke === "function";
}

export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>("app_status");
}

/** A number that changes whenever anyone commits to the database; only its equality means anything. */
export function dataStamp(): Promise<number> {
  return call<number>("data_stamp");
}

export function listTools(): Promise<ToolSummary[]> {
  return call<ToolSummary[]>("list_tools");
}

export function addTool(input: ToolProfile): Promise<Tool> {
  return call<Tool>("add_tool", { input });
}

/** `tool` is a tool id or name. */
export function getTool(tool: string): Promise<Tool> {
  return call<Tool>("get_tool", { tool });
}

/** Removes a tool with its keys (and their keychain entries); refused while it has
 * registrations unless `removeRegistrations`. */
export function removeTool(tool: string, removeRegistrations: boolean): Promise<ToolRemoval> {
  return call<ToolRemoval>("remove_tool", { tool, removeRegistrations });
}

export function listKeys(tool: string): Promise<KeyInfo[]> {
  return call<KeyInfo[]>("list_keys", { tool });
}

/** Generates a key; `onProgress` receives each stage the Rust side reports. */
export function generateKey(
  request: GenerateKey,
  onProgress: (progress: KeygenProgress) => void,
): Promise<KeyInfo> {
  const channel = new Channel<KeygenProgress>(onProgress);
  return call<KeyInfo>("generate_key", { request, onProgress: channel });
}

/** Stops the generation running for `tool` (the id `generateKey` was given), which then rejects
 * with kind `cancelled` having stored nothing; resolves with whether one was running. */
export function cancelKeygen(tool: string): Promise<boolean> {
  return call<boolean>("cancel_keygen", { tool });
}

/** The public JWK of one key, as pretty JSON. */
export function exportJwk(tool: string, kid: string): Promise<string> {
  return call<string>("export_jwk", { tool, kid });
}

/** The published JWKS (`{"keys": [...]}`), as pretty JSON. */
export function exportJwks(tool: string): Promise<string> {
  return call<string>("export_jwks", { tool });
}

/**
 * Saves the JWKS to a file: the Rust side asks where in the native save dialog and writes it.
 * Resolves with the path written, or `cancelled` when the user closed the dialog.
 */
export function saveJwks(tool: string): Promise<SaveOutcome> {
  return call<SaveOutcome>("save_jwks", { tool });
}

/** Deletes a key; says whether its private key left the keychain (else it goes at next start). */
export function deleteKey(tool: string, kid: string): Promise<Removal> {
  return call<Removal>("delete_key", { tool, kid });
}

/** Removes the orphan private keys the status listed; answers the status after. */
export function removeOrphans(): Promise<AppStatus> {
  return call<AppStatus>("remove_orphans");
}

/** Puts text (public material only) on the clipboard. */
export async function copyText(text: string): Promise<void> {
  try {
    await writeText(text);
  } catch (error) {
    throw toFailure(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Tool profile, Canvas JSON, platforms and registrations.

/** Replaces the tool's whole profile (`edit` carries every field, changed or not). */
export function updateTool(tool: string, edit: ToolProfile): Promise<Tool> {
  return call<Tool>("update_tool", { tool, edit });
}

/** Placements with their message types, scopes, privacy levels, display types, window targets. */
export function ltiChoices(): Promise<Choices> {
  return call<Choices>("lti_choices");
}

/** The tool's Canvas developer-key JSON, pretty-printed. */
export function exportCanvas(tool: string): Promise<string> {
  return call<string>("export_canvas", { tool });
}

/**
 * Saves Canvas JSON to a file the user picks in the native dialog, as `saveJwks`: `json` is the
 * text to write (refused unless it is JSON), or null for the tool's own export.
 */
export function saveCanvas(tool: string, json: string | null): Promise<SaveOutcome> {
  return call<SaveOutcome>("save_canvas", { tool, json });
}

/** Lints any Canvas JSON text; cheap, never fails. */
export function lintCanvas(json: string): Promise<Finding[]> {
  return call<Finding[]>("lint_canvas", { json });
}

/** Creates a tool from Canvas JSON; `name` overrides the JSON's title. */
export function importCanvas(json: string, name: string | null): Promise<CanvasImported> {
  return call<CanvasImported>("import_canvas", { json, name });
}

export function listPlatforms(): Promise<Platform[]> {
  return call<Platform[]>("list_platforms");
}

export function platformPresets(): Promise<Preset[]> {
  return call<Preset[]>("platform_presets");
}

export function addPlatform(input: NewPlatform): Promise<Platform> {
  return call<Platform>("add_platform", { input });
}

/** Changes a platform's name, issuer or endpoints (`null` fields stay as they are). */
export function updatePlatform(platform: string, update: PlatformUpdate): Promise<Platform> {
  return call<Platform>("update_platform", { platform, update });
}

/** `platform` is a platform id or name. */
export async function removePlatform(platform: string): Promise<void> {
  await call<null>("remove_platform", { platform });
}

/**
 * Reads the OpenID configuration at `url` (null: the platform's stored URL) into the platform.
 * `registrationToken` is a Dynamic Registration link's token, sent as a Bearer token.
 */
export function discoverPlatform(
  platform: string,
  url: string | null,
  acceptIssuer: boolean,
  registrationToken: string | null = null,
): Promise<DiscoveryOutcome> {
  return call<DiscoveryOutcome>("discover_platform", { platform, url, registrationToken, acceptIssuer });
}

/** Registrations, optionally only those of one tool and/or one platform. */
export function listRegistrations(tool: string | null, platform: string | null): Promise<Registration[]> {
  return call<Registration[]>("list_registrations", { tool, platform });
}

/**
 * The platforms page's cards for `filter` (accents and case ignored; blank for all): the first
 * `limit` that match, then those in `keep` while they match; with how many there are.
 */
export function platformPage(filter: string, limit: number, keep: readonly string[]): Promise<PlatformPage> {
  return call<PlatformPage>("platform_page", { filter, limit, keep });
}

export function addRegistration(input: NewRegistration): Promise<Registration> {
  return call<Registration>("add_registration", { input });
}

/** Changes a registration's client_id (or what else `update` carries). */
export function updateRegistration(registration: string, update: RegistrationUpdate): Promise<Registration> {
  return call<Registration>("update_registration", { registration, update });
}

export async function removeRegistration(registration: string): Promise<void> {
  await call<null>("remove_registration", { registration });
}

export function addDeployment(registration: string, deployment: NewDeployment): Promise<Registration> {
  return call<Registration>("add_deployment", { registration, deployment });
}

export function removeDeployment(registration: string, deploymentId: string): Promise<Registration> {
  return call<Registration>("remove_deployment", { registration, deploymentId });
}

/** The values an admin hands over for a registration, as data and as text. */
export function registrationHandoff(registration: string): Promise<HandoffView> {
  return call<HandoffView>("registration_handoff", { registration });
}


// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Key rotation and JWKS checks.

/** The rotation policy, whether rotation is due, and what `rotate` would do now. */
export function rotationState(tool: string): Promise<RotationState> {
  return call<RotationState>("rotation_state", { tool });
}

/** Rotates: the next key (a new one if none waits) signs, the current key becomes previous. */
export function rotateKeys(tool: string): Promise<RotationOutcome> {
  return call<RotationOutcome>("rotate_keys", { tool });
}

/** Retires a previous key; refused inside its overlap window unless `force`. */
export function retireKey(tool: string, kid: string, force: boolean): Promise<KeyInfo> {
  return call<KeyInfo>("retire_key", { tool, kid, force });
}

/** Revokes a key at once: the kid that signs now when the current key was revoked, and whether
 * its private key left the keychain. */
export function revokeKey(tool: string, kid: string): Promise<Revocation> {
  return call<Revocation>("revoke_key", { tool, kid });
}

/** Saves the rotation policy; the durations are whole seconds. */
export async function setPolicy(tool: string, policy: PolicySecs): Promise<PolicySecs> {
  return policySecs(await call<Policy>("set_policy", { tool, policy }));
}

/**
 * Fetches and checks a JWKS URL; `expectTool` (a tool id) also compares it with that tool's keys.
 * With a `ticket` (any number not in use by another running check), `cancelCheck(ticket)` stops
 * it: it then rejects at once with kind `cancelled`.
 */
export function checkJwks(
  url: string,
  role: JwksRole | null,
  expectTool: string | null,
  ticket: number | null = null,
): Promise<JwksCheck> {
  return call<JwksCheck>("check_jwks", { url, role, expectTool, ticket });
}

/** The last check of each URL, newest first. */
export function lastChecks(): Promise<JwksCheck[]> {
  return call<JwksCheck[]>("last_checks");
}

/** Checks every platform's JWKS URL; `onProgress` hears "done of total" as they finish. */
export function checkPlatforms(onProgress: (progress: CheckProgress) => void): Promise<PlatformCheck[]> {
  const channel = new Channel<CheckProgress>(onProgress);
  return call<PlatformCheck[]>("check_platforms", { onProgress: channel });
}


// ---------------------------------------------------------------------------------------------
// Private keys in and out through native dialogs, and stopping a check.

// Picking a file, exporting and cancelling change nothing the window shows.
READS.add("pick_key_pem");
READS.add("export_private_key");
READS.add("cancel_check");

/**
 * Opens the native open dialog for a PEM private key for `tool`. The file stays on the Rust side:
 * the answer is a ticket for `importKeyPem`, the file's name, and whether it needs a passphrase.
 */
export function pickKeyPem(tool: string): Promise<PickedPem> {
  return call<PickedPem>("pick_key_pem", { tool });
}

/**
 * Imports the file picked under `request.ticket`. A wrong or missing passphrase rejects with
 * field `passphrase` (the file is kept for another try); an unknown or expired ticket with field
 * `ticket` (choose the file again).
 */
export function importKeyPem(request: ImportPem): Promise<KeyImported> {
  return call<KeyImported>("import_key_pem", { request });
}

/**
 * Exports a private key encrypted with `request.passphrase` (typed twice): the Rust side asks
 * where in the native save dialog and writes it. Rejects with field `passphrase` (too short) or
 * `confirm` (the two differ) before the dialog opens.
 */
export function exportPrivateKey(request: ExportPrivateKey): Promise<SaveOutcome> {
  return call<SaveOutcome>("export_private_key", { request });
}

/** Stops the check started with `ticket`; resolves with whether one was running. */
export function cancelCheck(ticket: number): Promise<boolean> {
  return call<boolean>("cancel_check", { ticket });
}


// ---------------------------------------------------------------------------------------------
// Registration bundles through native dialogs.

// A preview, an export and a pick change nothing the window shows.
READS.add("preview_bundle");
READS.add("export_bundle");
READS.add("pick_bundle");

/** The files a registration's bundle would hold, and whether its private key can go in. */
export function previewBundle(registration: string): Promise<BundlePreview> {
  return call<BundlePreview>("preview_bundle", { registration });
}

/**
 * Exports a registration's bundle (a zip, or a new folder): the Rust side asks where in the
 * native save dialog. With the private key, rejects with field `passphrase` or `confirm` before
 * the dialog opens.
 */
export function exportBundle(request: ExportBundle): Promise<BundleSaved> {
  return call<BundleSaved>("export_bundle", { request });
}

/**
 * Opens the native dialog for a bundle (a zip, or with `folder` a folder) and answers what
 * importing it would write; the path stays on the Rust side for `importBundle`.
 */
export function pickBundle(folder: boolean): Promise<PickedBundle> {
  return call<PickedBundle>("pick_bundle", { folder });
}

/** Imports the bundle picked last. A missing or wrong passphrase rejects with field `passphrase`. */
export function importBundle(passphrase: string | null): Promise<BundleImported> {
  return call<BundleImported>("import_bundle", { request: { passphrase } });
}


// ---------------------------------------------------------------------------------------------
// Single exports: the Dynamic Registration configuration and the tool-library configs.

READS.add("export_dynreg");
READS.add("save_dynreg");
READS.add("export_library");
READS.add("save_library");

/** The tool's Dynamic Registration tool configuration (pretty JSON). */
export function exportDynreg(tool: string): Promise<string> {
  return call<string>("export_dynreg", { tool });
}

/** Saves the tool's Dynamic Registration tool configuration where the native dialog says. */
export function saveDynreg(tool: string): Promise<SaveOutcome> {
  return call<SaveOutcome>("save_dynreg", { tool });
}

/** The registration as a tool library reads it (pretty JSON). */
export function exportLibrary(registration: string, format: LibraryFormat): Promise<string> {
  return call<string>("export_library", { registration, format });
}

/** Saves the registration's tool-library config where the native dialog says. */
export function saveLibrary(registration: string, format: LibraryFormat): Promise<SaveOutcome> {
  return call<SaveOutcome>("save_library", { registration, format });
}

READS.add("export_canvas_api");
READS.add("save_canvas_api");

/** The tool's configuration in the form Canvas's Apps page and lti_registrations API take. */
export function exportCanvasApi(tool: string): Promise<string> {
  return call<string>("export_canvas_api", { tool });
}

/** Saves the registration API's form where the native dialog says. */
export function saveCanvasApi(tool: string): Promise<SaveOutcome> {
  return call<SaveOutcome>("save_canvas_api", { tool });
}

// ---------------------------------------------------------------------------------------------
// The tool's tokens: the client assertion, the token-endpoint test, the JWT inspector.

READS.add("client_assertion");
READS.add("token_test");
READS.add("inspect_jwt");
READS.add("pick_jwt");
READS.add("find_kid");

/** The client assertion of a registration, signed with its tool's current key. */
export function clientAssertion(registration: string, deploymentId: string | null = null): Promise<ClientAssertion> {
  return call<ClientAssertion>("client_assertion", { registration, deploymentId });
}

/** Posts a fresh client assertion to the registration's token endpoint and explains the answer. */
export function tokenTest(registration: string): Promise<TokenTest> {
  return call<TokenTest>("token_test", { registration });
}

/** Inspects a JWT; with `fetch`, the key sets are fetched to verify it. */
export function inspectJwt(jwt: string, fetch: boolean): Promise<Inspection> {
  return call<Inspection>("inspect_jwt", { jwt, fetch });
}

/** Opens the native dialog for a file holding a JWT, and reads it. */
export function pickJwt(): Promise<PickedJwt> {
  return call<PickedJwt>("pick_jwt");
}

/** Looks for a kid in the key set at `url`, or in `jwks` as pasted. */
export function findKid(kid: string, url: string | null, jwks: string | null): Promise<KidSearch> {
  return call<KidSearch>("find_kid", { kid, url, jwks });
}

// ---------------------------------------------------------------------------------------------
// Dynamic Registration through a one-time loopback page.

/** Registers the tool on an LMS: `onProgress` hears the URL to give the LMS, then each step. */
export function startDynreg(tool: string, onProgress: (progress: DynregProgress) => void): Promise<DynregRegistered> {
  const channel = new Channel<DynregProgress>(onProgress);
  return call<DynregRegistered>("start_dynreg", { tool, onProgress: channel });
}

READS.add("confirm_dynreg");
READS.add("cancel_dynreg");

/** Confirms the registration the LMS opened. */
export function confirmDynreg(): Promise<boolean> {
  return call<boolean>("confirm_dynreg");
}

/** Cancels the running registration. */
export function cancelDynreg(): Promise<boolean> {
  return call<boolean>("cancel_dynreg");
}

// ---------------------------------------------------------------------------------------------
// Canvas's LTI registrations API, with an admin's token kept in the OS keychain.

READS.add("canvas_api_settings");
READS.add("canvas_status");

/** The Canvas platform's address and whether an API token is stored (never the token). */
export function canvasApiSettings(platform: string): Promise<CanvasApiSettings> {
  return call<CanvasApiSettings>("canvas_api_settings", { platform });
}

/** Keeps the platform's Canvas address and, when given, its API token in the OS keychain. */
export function setCanvasApi(platform: string, canvasUrl: string | null, token: string | null): Promise<CanvasApiSettings> {
  return call<CanvasApiSettings>("set_canvas_api", { platform, canvasUrl, token });
}

/** Removes the platform's API token from the OS keychain. */
export function forgetCanvasToken(platform: string): Promise<CanvasApiSettings> {
  return call<CanvasApiSettings>("forget_canvas_token", { platform });
}

/** Creates the tool's registration on a Canvas account and records it with its deployments. */
export function canvasRegister(tool: string, platform: string, account: string, on: boolean): Promise<CanvasRegistered> {
  return call<CanvasRegistered>("canvas_register", { tool, platform, account, on });
}

/** Links a registration made by hand to Canvas's, found by its client_id on `account`. */
export function canvasLink(registration: string, account: string): Promise<Registration> {
  return call<Registration>("canvas_link", { registration, account });
}

/** Lists the registration's deployments in Canvas and records the new ones. */
export function canvasDeployments(registration: string): Promise<CanvasDeploymentsSynced> {
  return call<CanvasDeploymentsSynced>("canvas_deployments", { registration });
}

/** Turns the registration on or off for its Canvas account. */
export function canvasSwitch(registration: string, on: boolean): Promise<BindingState> {
  return call<BindingState>("canvas_switch", { registration, on });
}

/** The registration as Canvas holds it, and where it differs from the tool here. */
export function canvasStatus(registration: string): Promise<CanvasRegistrationStatus> {
  return call<CanvasRegistrationStatus>("canvas_status", { registration });
}

/** Sends the tool's configuration to Canvas in place of the one it holds. */
export function canvasUpdate(registration: string): Promise<CanvasRegistrationStatus> {
  return call<CanvasRegistrationStatus>("canvas_update", { registration });
}

// ---------------------------------------------------------------------------------------------
// The team: records and keys shared through OpenBao (or HashiCorp Vault).

READS.add("team_status");

/** Where this data directory stands with its team; `null` when it is not connected to one. */
export function teamStatus(): Promise<TeamStatus | null> {
  return call<TeamStatus | null>("team_status");
}

/** Connects this data directory to a team; the token goes to the OS keychain, never back. */
export function teamConnect(connect: TeamConnect): Promise<TeamStatus> {
  return call<TeamStatus>("team_connect", { connect });
}

/** Brings the team's changes here and sends this data directory's (check-and-set). */
export function teamSync(): Promise<TeamSynced> {
  return call<TeamSynced>("team_sync");
}

/** Moves a tool into the team: its keys into Transit, then out of this machine's keychain. */
export function teamPush(tool: string, exportable: boolean): Promise<TeamPushed> {
  return call<TeamPushed>("team_push", { tool, exportable });
}

/** Writes the policy of a tool's server to the team's server, and answers it. */
export function teamPolicy(tool: string): Promise<ServerPolicy> {
  return call<ServerPolicy>("team_policy", { tool });
}
