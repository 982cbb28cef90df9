// The sidebar's tool list.

import { h } from "../lib/dom";
import { plural } from "../lib/format";
import type { ToolSummary } from "../lib/ipc/bindings";

/** A one-line summary under the name: domain and key count. */
export function toolMeta(tool: ToolSummary): string {
  const keys = plural(tool.key_count, "key");
  return tool.domain !== null && tool.domain !== "" ? `${tool.domain} · ${keys}` : keys;
}

/**
 * Fills `#tool-list`. Each item is a button `[data-tool-id]` whose text is the tool's name; the
 * summary line is drawn from `data-meta` by CSS so the item's text stays the name alone.
 */
export function renderToolList(
  list: HTMLElement,
  tools: readonly ToolSummary[],
  selectedId: string | null,
  onSelect: (id: string) => void,
): void {
  const doc = list.ownerDocument;
  if (tools.length === 0) {
    list.replaceChildren(h(doc, "li", { class: "tool-list-empty", text: "No tools yet." }));
    return;
  }
  const items = [...tools]
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }))
    .map((tool) => {
      const selected = tool.id === selectedId;
      const meta = toolMeta(tool);
      const button = h(
        doc,
        "button",
        {
          type: "button",
          class: selected ? "tool-item is-selected" : "tool-item",
          "data-tool-id": tool.id,
          "data-meta": meta,
          "aria-current": selected ? "page" : null,
          title: tool.current_kid !== null ? `${meta} · current kid ${tool.current_kid}` : meta,
        },
        tool.name,
      );
      button.addEventListener("click", () => onSelect(tool.id));
      return h(doc, "li", {}, button);
    });
  list.replaceChildren(...items);
}
