// The Canvas JSON panel: the exported developer-key JSON in an editable box beside its findings,
// with copy, save and reset; or the export error and its fix.

import { h, icon, ICONS } from "../lib/dom";
import { countSeverities, locateFinding, summarizeFindings } from "../lib/findings";
import type { Finding, IpcError, Remedy } from "../lib/ipc/bindings";
import { renderFindings } from "./findings";

const RESET_ICON = ["M4 4v6h6", "M4.5 15a8 8 0 1 0 1.9-8.3L4 10"];

export type CanvasPanelHandlers = {
  /** The text changed (typing, paste, reset). */
  onInput(json: string): void;
  onCopy(json: string): void;
  onSave(): void;
  onReset(): void;
  /** Opens another tab of the tool page ("profile", "keys"). */
  onOpenTab(tab: string): void;
};

export type CanvasPanelView = {
  element: HTMLElement;
  /** Shows the exported JSON; `text` is what the box holds (a kept edit, or the export). */
  setExport(exported: string, text: string): void;
  /** Shows why there is no export, with a button for each remedy the app carries out. */
  setExportError(error: IpcError): void;
  setFindings(findings: readonly Finding[]): void;
  /** Marks the findings as out of date while a lint runs. */
  setChecking(checking: boolean): void;
  value(): string;
  setBusy(action: "copy" | "save", busy: boolean): void;
};

/** Selects `start..end` of a text box and scrolls it into view. */
export function selectRange(box: HTMLTextAreaElement, start: number, end: number): void {
  box.focus();
  box.setSelectionRange(start, end);
  const line = box.value.slice(0, start).split("\n").length - 1;
  const style = box.ownerDocument.defaultView?.getComputedStyle(box);
  const lineHeight = Number.parseFloat(style?.lineHeight ?? "") || 19;
  box.scrollTop = Math.max(0, line * lineHeight - box.clientHeight / 3);
}

function statusClass(findings: readonly Finding[]): string {
  const counts = countSeverities(findings);
  if (counts.error > 0) return "status-chip status-error";
  if (counts.warning > 0) return "status-chip status-warning";
  return "status-chip status-ok";
}

export function createCanvasPanel(doc: Document, handlers: CanvasPanelHandlers): CanvasPanelView {
  let exported = "";

  const box = h(doc, "textarea", {
    id: "canvas-json",
    class: "mono code-box",
    spellcheck: "false",
    autocomplete: "off",
    autocapitalize: "off",
    wrap: "off",
    rows: 24,
    "aria-label": "Canvas developer key JSON",
    "aria-describedby": "canvas-edited",
  });
  const edited = h(doc, "p", { id: "canvas-edited", class: "edited-note", hidden: true });
  edited.append(
    h(doc, "strong", { text: "Edited. " }),
    "Copy JSON copies this text; Save JSON… writes the tool's own export. Edit the profile to keep a change.",
  );
  const status = h(doc, "span", { id: "canvas-status", class: "status-chip", role: "status", "aria-live": "polite" });
  const list = h(doc, "ul", { id: "canvas-findings", class: "findings", "aria-labelledby": "canvas-findings-heading" });

  const copy = h(doc, "button", { type: "button", id: "canvas-copy", class: "btn", title: "Copy the JSON in the box" }, icon(doc, ICONS.copy), "Copy JSON");
  const save = h(doc, "button", { type: "button", id: "canvas-save", class: "btn", title: "Save the tool's Canvas JSON to a file" }, icon(doc, ICONS.save), "Save JSON…");
  const reset = h(doc, "button", { type: "button", id: "canvas-reset", class: "btn", title: "Replace the box with the tool's export" }, icon(doc, RESET_ICON), "Reset to export");
  copy.addEventListener("click", () => handlers.onCopy(box.value));
  save.addEventListener("click", () => handlers.onSave());
  reset.addEventListener("click", () => handlers.onReset());

  const syncEdited = (): void => {
    const changed = box.value !== exported;
    edited.hidden = !changed;
    reset.disabled = !changed;
  };

  box.addEventListener("input", () => {
    syncEdited();
    handlers.onInput(box.value);
  });
  box.addEventListener("keydown", (event) => {
    // Tab indents inside the box instead of leaving it (Shift+Tab still leaves).
    if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      const { selectionStart, selectionEnd } = box;
      box.setRangeText("  ", selectionStart, selectionEnd, "end");
      syncEdited();
      handlers.onInput(box.value);
    }
  });

  const editor = h(
    doc,
    "div",
    { class: "canvas-split" },
    h(doc, "div", { class: "canvas-editor" }, box, edited),
    h(
      doc,
      "div",
      { class: "canvas-findings-pane" },
      h(doc, "div", { class: "pane-header" }, h(doc, "h3", { id: "canvas-findings-heading", text: "Findings" }), status),
      list,
    ),
  );

  const errorMessage = h(doc, "p", { class: "export-error-message selectable" });
  const toProfile = h(doc, "button", { type: "button", class: "btn btn-primary", "data-open-tab": "profile" }, "Edit the profile");
  const toKeys = h(doc, "button", { type: "button", class: "btn", "data-open-tab": "keys" }, "Generate a key");
  toProfile.addEventListener("click", () => handlers.onOpenTab("profile"));
  toKeys.addEventListener("click", () => handlers.onOpenTab("keys"));
  const exportError = h(
    doc,
    "div",
    { id: "canvas-export-error", class: "notice notice-warning", role: "alert", hidden: true },
    h(doc, "h3", { class: "notice-title", text: "No Canvas JSON yet" }),
    errorMessage,
    h(doc, "div", { class: "notice-actions" }, toProfile, toKeys),
  );
  const loading = h(doc, "p", { class: "loading muted", text: "Exporting…" });

  const actions = h(doc, "div", { class: "card-actions" }, copy, save, reset);
  const element = h(
    doc,
    "section",
    { id: "canvas-panel-card", class: "card", "aria-labelledby": "canvas-heading" },
    h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "canvas-heading", text: "Canvas developer key JSON" }), actions),
    h(doc, "p", {
      class: "muted small section-intro",
      text: "Paste it in Canvas under Admin › Developer Keys › + LTI Key, method “Paste JSON”. Changes in the box are checked as you type.",
    }),
    loading,
    exportError,
    editor,
  );
  editor.hidden = true;
  actions.hidden = true;

  const setFindings = (findings: readonly Finding[]): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(box.value);
    } catch {
      parsed = undefined;
    }
    renderFindings(list, findings, {
      empty: "No findings: Canvas should accept this JSON.",
      doc: parsed,
      onSelectPath: (finding) => {
        const range = locateFinding(box.value, finding);
        if (range !== null) selectRange(box, range.start, range.end);
      },
    });
    status.className = statusClass(findings);
    status.textContent = summarizeFindings(findings);
    list.classList.remove("is-stale");
  };

  return {
    element,
    setExport(json, text) {
      exported = json;
      box.value = text;
      loading.hidden = true;
      exportError.hidden = true;
      editor.hidden = false;
      actions.hidden = false;
      syncEdited();
    },
    setExportError(error) {
      loading.hidden = true;
      editor.hidden = true;
      actions.hidden = true;
      errorMessage.textContent = error.message;
      const offers = (kind: Remedy["kind"]): boolean => error.remedies.some((r) => r.kind === kind);
      toProfile.hidden = !offers("edit_tool");
      toKeys.hidden = !offers("generate_key");
      exportError.hidden = false;
    },
    setFindings,
    setChecking(checking) {
      list.classList.toggle("is-stale", checking);
    },
    value: () => box.value,
    setBusy(action, busy) {
      (action === "copy" ? copy : save).disabled = busy;
    },
  };
}
