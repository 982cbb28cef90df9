// What a tool's Keys tab first shows (the tool, its keys, its rotation state), read before its
// page opens so that the page replaces the old one in one go rather than in three steps.

import { app, type ToolTab } from "../../lib/app.svelte";
import { getTool, listKeys, rotationState, type KeyInfo, type RotationState, type Tool } from "../../lib/ipc";

/** How long a read stays good for the page it was made for. */
const FRESH_MS = 2000;

export type Prefetched = { tool: Tool; keys: KeyInfo[]; rotation: RotationState };

type Held = Prefetched & { id: string; revision: number; at: number };

let held: Held | null = null;

/** What was read for tool `id`'s page, if it was read just now at the window's revision. */
export function prefetched(id: string): Prefetched | null {
  if (held === null || held.id !== id || held.revision !== app.revision) return null;
  return Date.now() - held.at < FRESH_MS ? held : null;
}

/** Opens tool `id`'s page; on the Keys tab, once what it first shows is read. */
export function openTool(id: string, tab: ToolTab = "keys"): void {
  if (tab !== "keys") {
    app.openTool(id, tab);
    return;
  }
  const revision = app.revision;
  const read = Promise.all([getTool(id), listKeys(id), rotationState(id)]).then(([tool, keys, rotation]) => {
    held = { id, revision, at: Date.now(), tool, keys, rotation };
  });
  void app.navigateWhenReady({ screen: "tool", id, tab }, read);
}

/** Forgets what was read, for tests. */
export function forgetPrefetched(): void {
  held = null;
}
