// The only module that talks to Tauri: typed wrappers around the app's commands and plugins.

import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { save } from "@tauri-apps/plugin-dialog";

import { toFailure } from "../errors";
import type {
  AppStatus,
  GenerateKey,
  KeyInfo,
  KeygenProgress,
  NewTool,
  Tool,
  ToolSummary,
} from "./bindings";

export type * from "./bindings";
export { IpcFailure } from "../errors";

/** Calls a command; every rejection becomes an `IpcFailure` (`{ kind, message }`). */
async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toFailure(error);
  }
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

export function listTools(): Promise<ToolSummary[]> {
  return call<ToolSummary[]>("list_tools");
}

export function addTool(input: NewTool): Promise<Tool> {
  return call<Tool>("add_tool", { input });
}

/** `tool` is a tool id or name. */
export function getTool(tool: string): Promise<Tool> {
  return call<Tool>("get_tool", { tool });
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

/** The public JWK of one key, as pretty JSON. */
export function exportJwk(tool: string, kid: string): Promise<string> {
  return call<string>("export_jwk", { tool, kid });
}

/** The published JWKS (`{"keys": [...]}`), as pretty JSON. */
export function exportJwks(tool: string): Promise<string> {
  return call<string>("export_jwks", { tool });
}

/** Writes the JWKS to `path` (the Rust side writes the file). */
export async function saveJwks(tool: string, path: string): Promise<void> {
  await call<null>("save_jwks", { tool, path });
}

export async function deleteKey(tool: string, kid: string): Promise<void> {
  await call<null>("delete_key", { tool, kid });
}

/** Puts text (public material only) on the clipboard. */
export async function copyText(text: string): Promise<void> {
  try {
    await writeText(text);
  } catch (error) {
    throw toFailure(error);
  }
}

/** Opens the native save dialog for a JSON file; null when the user cancels. */
export async function pickSavePath(defaultName: string): Promise<string | null> {
  try {
    return await save({
      title: "Save JWKS",
      defaultPath: defaultName,
      filters: [{ name: "JSON", extensions: ["json"] }],
    });
  } catch (error) {
    throw toFailure(error);
  }
}

/** Every call the UI makes, in one object. */
export const ipc = {
  appStatus,
  listTools,
  addTool,
  getTool,
  listKeys,
  generateKey,
  exportJwk,
  exportJwks,
  saveJwks,
  deleteKey,
  copyText,
  pickSavePath,
} as const;

export type Ipc = typeof ipc;
