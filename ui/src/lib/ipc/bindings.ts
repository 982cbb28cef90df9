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
keychain_message: string | null, };

export type Tool = { 
/**
 * Stable short id.
 */
id: string, 
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
 * When it was added.
 */
created_at: string, };

export type NewTool = { 
/**
 * Unique name.
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
 * Target link URI.
 */
launch_url: string | null, 
/**
 * Redirect URIs.
 */
redirect_uris: Array<string>, 
/**
 * Public JWKS URL.
 */
jwks_url: string | null, };

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

export type KeyStatus = "next" | "current" | "previous" | "retired" | "revoked";

export type PrivateKeyState = "present" | "missing" | "unknown";

export type KeyInfo = { 
/**
 * The tool it belongs to.
 */
tool_id: string, 
/**
 * The key id.
 */
kid: string, 
/**
 * Always RS256.
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
 * Whether it is in the published JWKS.
 */
published: boolean, 
/**
 * Whether the keychain holds the private key.
 */
private_key: PrivateKeyState, };

export type KidScheme = "thumbprint" | "timestamp" | "uuid";

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

export type KeygenStage = "generating" | "storing" | "done";

export type KeygenProgress = { 
/**
 * Where generation is.
 */
stage: KeygenStage, 
/**
 * Milliseconds since the command started.
 */
elapsed_ms: number, };

export type IpcError = { 
/**
 * Stable code, e.g. `invalid`, `keychain_unavailable`.
 */
kind: string, 
/**
 * Plain words with the fix.
 */
message: string, };
