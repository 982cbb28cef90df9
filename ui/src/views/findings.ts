// A list of findings (lint, import, discovery, hand-off): severity badge, code, JSON path,
// message and fix, errors first.

import { h } from "../lib/dom";
import { displayPath, placementOfPath, severityLabel, sortFindings } from "../lib/findings";
import type { Finding } from "../lib/ipc/bindings";

export type FindingsListOptions = {
  /** Shown when there are no findings; nothing is shown when null. */
  empty?: string | null;
  /** Makes each path a button that calls this (e.g. to select the value in a text box). */
  onSelectPath?: (finding: Finding) => void;
  /** The parsed document, to name the placement a path is about. */
  doc?: unknown;
  /** Shows the path (default true). */
  showPath?: boolean;
};

/** A path with line-break chances after each "." and "]", so it wraps between its parts. */
function breakable(doc: Document, path: string): Node[] {
  const nodes: Node[] = [];
  let start = 0;
  for (let i = 0; i < path.length; i += 1) {
    if ((path[i] === "." || path[i] === "]") && i + 1 < path.length) {
      nodes.push(doc.createTextNode(path.slice(start, i + 1)), doc.createElement("wbr"));
      start = i + 1;
    }
  }
  nodes.push(doc.createTextNode(path.slice(start)));
  return nodes;
}

function fixText(fix: string): string {
  return fix.charAt(0).toUpperCase() + fix.slice(1);
}

/** One `li.finding[data-finding-code]`. */
export function findingItem(doc: Document, finding: Finding, options: FindingsListOptions = {}): HTMLLIElement {
  const placement = options.doc === undefined ? null : placementOfPath(finding.path, options.doc);
  const pathText = displayPath(finding.path);
  let path: HTMLElement | null = null;
  if (options.showPath !== false && finding.path !== undefined) {
    const content = [
      h(doc, "span", { class: "finding-path-text" }, ...breakable(doc, pathText)),
      placement !== null ? h(doc, "span", { class: "finding-path-context", text: placement }) : null,
    ];
    path =
      options.onSelectPath !== undefined
        ? h(
            doc,
            "button",
            {
              type: "button",
              class: "finding-path is-link",
              title: "Select this value in the JSON",
              "data-finding-path": finding.path,
            },
            ...content,
          )
        : h(doc, "span", { class: "finding-path", "data-finding-path": finding.path }, ...content);
    if (options.onSelectPath !== undefined) {
      const select = options.onSelectPath;
      path.addEventListener("click", () => select(finding));
    }
  }
  return h(
    doc,
    "li",
    {
      class: `finding finding-${finding.severity}`,
      "data-finding-code": finding.code,
      "data-severity": finding.severity,
    },
    h(
      doc,
      "div",
      { class: "finding-head" },
      h(doc, "span", { class: `sev sev-${finding.severity}`, text: severityLabel(finding.severity) }),
      h(doc, "code", { class: "finding-code", text: finding.code }),
    ),
    path !== null ? h(doc, "div", { class: "finding-where" }, path) : null,
    h(doc, "p", { class: "finding-message selectable", text: finding.message }),
    finding.fix !== "" ? h(doc, "p", { class: "finding-fix selectable" }, h(doc, "strong", { text: "Fix: " }), fixText(finding.fix)) : null,
  );
}

/** Fills `list` with the findings, errors first. */
export function renderFindings(list: HTMLElement, findings: readonly Finding[], options: FindingsListOptions = {}): void {
  const doc = list.ownerDocument;
  if (findings.length === 0) {
    const empty = options.empty === undefined ? "No findings." : options.empty;
    list.replaceChildren(...(empty === null ? [] : [h(doc, "li", { class: "finding-none", text: empty })]));
    return;
  }
  list.replaceChildren(...sortFindings(findings).map((finding) => findingItem(doc, finding, options)));
}

/** A new `ul.findings` with the findings in it. */
export function findingsList(
  doc: Document,
  findings: readonly Finding[],
  attrs: Record<string, string> = {},
  options: FindingsListOptions = {},
): HTMLUListElement {
  const list = h(doc, "ul", { class: "findings", ...attrs });
  renderFindings(list, findings, options);
  return list;
}
