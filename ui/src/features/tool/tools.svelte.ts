// The tools the sidebar lists and the app's status (keychain, orphans, repairs), reloaded
// whenever the window's revision goes up.

import { app } from "../../lib/app.svelte";
import { byNaturalName, foldForSearch } from "../../lib/format";
import { appStatus, listTools, type AppStatus, type ToolSummary } from "../../lib/ipc";

/** Tools sorted by name as the sidebar shows them. */
export function sortTools(tools: readonly ToolSummary[]): ToolSummary[] {
  return [...tools].sort(byNaturalName);
}

/** Each tool's name and domain as the filter compares them, folded once per tool object. */
const folded = new WeakMap<ToolSummary, string>();

function searchText(tool: ToolSummary): string {
  let text = folded.get(tool);
  if (text === undefined) {
    text = `${foldForSearch(tool.name)}\n${foldForSearch(tool.domain ?? "")}`;
    folded.set(tool, text);
  }
  return text;
}

/** Tools whose name or domain contains `filter` (case- and accent-insensitive). */
export function filterTools(tools: readonly ToolSummary[], filter: string): ToolSummary[] {
  const needle = foldForSearch(filter.trim());
  if (needle === "") return [...tools];
  return tools.filter((t) => searchText(t).includes(needle));
}

class Tools {
  list = $state<ToolSummary[]>([]);
  status = $state<AppStatus | null>(null);
  /** False until the first answer, so the first screen is not "No tools yet" by mistake. */
  loaded = $state(false);

  get sorted(): ToolSummary[] {
    return sortTools(this.list);
  }

  get keychainAvailable(): boolean {
    return this.status?.keychain_available ?? true;
  }

  async load(): Promise<void> {
    try {
      this.list = await listTools();
    } catch (error) {
      app.showError(error);
    } finally {
      this.loaded = true;
    }
  }

  async loadStatus(): Promise<AppStatus | null> {
    try {
      this.status = await appStatus();
    } catch (error) {
      app.showError(error);
    }
    return this.status;
  }

  reset(): void {
    this.list = [];
    this.status = null;
    this.loaded = false;
  }
}

export const tools = new Tools();
