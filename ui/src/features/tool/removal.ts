// What the window does once a tool is gone: say so, reload the sidebar, open the tool that
// took its place there (or the start screen) and put the focus on its sidebar entry.

import { tick } from "svelte";

import { app } from "../../lib/app.svelte";
import { plural } from "../../lib/format";
import type { ToolRemoval, ToolSummary } from "../../lib/ipc/bindings";
import { tools } from "./tools.svelte";

let removing: string | null = null;

/** Whether the window itself is deleting tool `id` (its page then does not report it gone). */
export function removingTool(id: string): boolean {
  return removing === id;
}

/** Runs `remove`, the deletion of tool `id` and what follows, marked as the window's own. */
export async function removeMarked<T>(id: string, remove: () => Promise<T>): Promise<T> {
  removing = id;
  try {
    return await remove();
  } finally {
    removing = null;
  }
}

/** The tool shown next when `id` leaves `sorted`: the one after it, else the one before. */
export function neighbourOf(sorted: readonly ToolSummary[], id: string): string | null {
  const index = sorted.findIndex((t) => t.id === id);
  const rest = sorted.filter((t) => t.id !== id);
  if (rest.length === 0) return null;
  return (rest[Math.max(index, 0)] ?? rest[rest.length - 1] ?? rest[0])?.id ?? null;
}

/** What the toast says of a removal. */
export function removalMessage(removal: ToolRemoval): string {
  const parts = [plural(removal.keys.length, "key")];
  if (removal.registrations > 0) parts.push(plural(removal.registrations, "registration"));
  const lingering = removal.keys.filter((k) => !k.private_key.removed).length;
  const note =
    lingering > 0 ? `; ${plural(lingering, "private key")} will leave the keychain at the next start` : "";
  return `Tool ${removal.tool} deleted with its ${parts.join(" and ")}${note}`;
}

/** Leaves the page of tool `id`, which no longer exists, for its neighbour in the sidebar. */
export async function leaveTool(id: string, message: string): Promise<void> {
  const before = tools.sorted;
  app.toast(message);
  await tools.load();
  const wanted = neighbourOf(before, id);
  const next = tools.list.find((t) => t.id === wanted && t.id !== id) ?? tools.sorted.find((t) => t.id !== id);
  if (next !== undefined) {
    app.openTool(next.id);
  } else {
    app.navigate({ screen: "start" });
  }
  await tick();
  const entry =
    next === undefined
      ? null
      : Array.from(document.querySelectorAll<HTMLElement>("#tool-list [data-tool-id]")).find(
          (e) => e.getAttribute("data-tool-id") === next.id,
        );
  (entry ?? document.getElementById("new-tool"))?.focus();
}
