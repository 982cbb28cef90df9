// The "Import Canvas JSON" page: a file (picker or drag and drop) or pasted text, checked as it
// changes, imported as a new tool under an optional name.

import { h, icon } from "../lib/dom";
import { countSeverities, summarizeFindings } from "../lib/findings";
import type { Finding } from "../lib/ipc/bindings";
import { renderFindings } from "./findings";

/** The largest file read; Canvas configurations are a few kilobytes. */
export const MAX_IMPORT_BYTES = 1_000_000;

const UPLOAD_ICON = ["M12 16V4", "M7 9l5-5 5 5", "M5 20h14"];

export type ImportDraft = { json: string; name: string; fileName: string | null };

export const EMPTY_IMPORT_DRAFT: ImportDraft = { json: "", name: "", fileName: null };

export type ImportHandlers = {
  /** The text changed (typed, pasted, read from a file). */
  onInput(draft: ImportDraft): void;
  onImport(json: string, name: string | null): void;
};

export type ImportView = {
  element: HTMLElement;
  setFindings(findings: readonly Finding[]): void;
  setChecking(checking: boolean): void;
  setBusy(busy: boolean): void;
  showError(message: string): void;
  /** Reads a file as the JSON to import (what a drop or the picker gives). */
  readFile(file: File): void;
};

/** Whether a file looks like JSON by its name or type. */
export function looksLikeJsonFile(file: { name: string; type: string }): boolean {
  return /\.json$/i.test(file.name) || file.type === "application/json" || file.type === "text/json" || file.type === "";
}

export function createImportPage(doc: Document, initial: ImportDraft, handlers: ImportHandlers): ImportView {
  const draft: ImportDraft = { ...initial };
  let hasFindings = false;

  const fileInput = h(doc, "input", { type: "file", id: "import-file", class: "visually-hidden", accept: ".json,application/json" });
  const fileLabel = h(doc, "label", { for: "import-file", class: "btn" }, "Choose a file…");
  const fileName = h(doc, "p", { id: "import-file-name", class: "file-name mono small", hidden: draft.fileName === null, text: draft.fileName ?? "" });
  const drop = h(
    doc,
    "div",
    { id: "import-drop", class: "drop-zone", "aria-describedby": "import-drop-text" },
    icon(doc, UPLOAD_ICON, "icon drop-icon"),
    h(doc, "p", { id: "import-drop-text", class: "drop-text" }, h(doc, "strong", { text: "Drop a .json file here" }), " or"),
    fileLabel,
    fileInput,
    fileName,
  );

  const box = h(doc, "textarea", {
    id: "import-json",
    class: "mono code-box",
    rows: 14,
    wrap: "off",
    spellcheck: "false",
    autocomplete: "off",
    placeholder: '{\n  "title": "…",\n  "oidc_initiation_url": "https://…",\n  …\n}',
    "aria-label": "Canvas JSON to import",
  });
  box.value = draft.json;
  const name = h(doc, "input", {
    id: "import-name",
    type: "text",
    placeholder: "The JSON's title",
    autocomplete: "off",
    "aria-describedby": "import-name-hint",
  });
  name.value = draft.name;

  const status = h(doc, "span", { id: "import-status", class: "status-chip", role: "status", "aria-live": "polite" });
  const list = h(doc, "ul", { id: "import-findings", class: "findings" });
  const error = h(doc, "div", { id: "import-error", class: "form-error", role: "alert", hidden: true });
  const submit = h(doc, "button", { type: "submit", id: "import-submit", class: "btn btn-primary" }, "Import as a new tool");

  const syncSubmit = (): void => {
    submit.disabled = box.value.trim() === "";
  };

  const changed = (): void => {
    draft.json = box.value;
    draft.name = name.value;
    syncSubmit();
    handlers.onInput({ ...draft });
  };
  box.addEventListener("input", () => {
    draft.fileName = null;
    fileName.hidden = true;
    changed();
  });
  name.addEventListener("input", changed);

  const showError = (message: string): void => {
    error.textContent = message;
    error.hidden = message === "";
  };

  const readFile = (file: File): void => {
    if (file.size > MAX_IMPORT_BYTES) {
      showError(`File: ${file.name} is ${Math.round(file.size / 1024)} KB; a Canvas JSON is a few KB. Pick the configuration file itself.`);
      return;
    }
    if (!looksLikeJsonFile(file)) {
      showError(`File: ${file.name} is not a .json file. Pick the Canvas configuration (a .json file).`);
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      const text = typeof reader.result === "string" ? reader.result : "";
      showError("");
      box.value = text;
      draft.fileName = file.name;
      fileName.textContent = file.name;
      fileName.hidden = false;
      changed();
    });
    reader.addEventListener("error", () => {
      showError(`File: ${file.name} could not be read (${reader.error?.message ?? "unknown error"}). Try again, or paste its text.`);
    });
    reader.readAsText(file);
  };

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file !== undefined) readFile(file);
    fileInput.value = "";
  });

  // Drag and drop (the window leaves drops to the page).
  let depth = 0;
  drop.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth += 1;
    drop.classList.add("is-dragover");
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer !== null) event.dataTransfer.dropEffect = "copy";
  });
  drop.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) drop.classList.remove("is-dragover");
  });
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    drop.classList.remove("is-dragover");
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) {
      readFile(file);
      return;
    }
    const text = event.dataTransfer?.getData("text/plain") ?? "";
    if (text.trim() !== "") {
      box.value = text;
      draft.fileName = null;
      fileName.hidden = true;
      changed();
    }
  });

  const form = h(
    doc,
    "form",
    { id: "import-form", class: "import-layout", novalidate: true, "aria-label": "Import Canvas JSON" },
    h(
      doc,
      "section",
      { class: "card import-source" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { text: "The JSON" })),
      drop,
      h(doc, "div", { class: "field" }, h(doc, "label", { for: "import-json", text: "Or paste it" }), box),
      h(
        doc,
        "div",
        { class: "field" },
        h(doc, "label", { for: "import-name", text: "Tool name" }),
        name,
        h(doc, "p", { class: "hint", id: "import-name-hint", text: "Optional: defaults to the JSON's title. Names are unique." }),
      ),
      error,
      h(doc, "div", { class: "form-actions" }, submit),
    ),
    h(
      doc,
      "section",
      { class: "card import-check", "aria-labelledby": "import-check-heading" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "import-check-heading", text: "Check before import" }), status),
      h(doc, "p", {
        class: "muted small section-intro",
        text: "What Canvas would refuse or ignore. A JSON with errors still imports; the import lists what it could not keep.",
      }),
      list,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const text = box.value;
    if (text.trim() === "") {
      showError("JSON: drop, choose or paste a Canvas JSON first.");
      return;
    }
    showError("");
    const typedName = name.value.trim();
    handlers.onImport(text, typedName === "" ? null : typedName);
  });

  const element = h(
    doc,
    "section",
    { id: "import-page", class: "import-page", "aria-labelledby": "import-title" },
    h(
      doc,
      "header",
      { class: "page-header" },
      h(doc, "h1", { id: "import-title", class: "page-title", text: "Import Canvas JSON" }),
      h(doc, "p", {
        class: "muted description",
        text: "Create a tool from a Canvas developer key JSON: a vendor's configuration, or one copied out of Canvas.",
      }),
    ),
    form,
  );
  syncSubmit();
  renderFindings(list, [], { empty: "Nothing to check yet." });

  return {
    element,
    setFindings(findings) {
      hasFindings = true;
      if (box.value.trim() === "") {
        renderFindings(list, [], { empty: "Nothing to check yet." });
        status.textContent = "";
        status.className = "status-chip";
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(box.value);
      } catch {
        parsed = undefined;
      }
      renderFindings(list, findings, { empty: "No findings: Canvas should accept this JSON.", doc: parsed });
      const counts = countSeverities(findings);
      status.className = `status-chip ${counts.error > 0 ? "status-error" : counts.warning > 0 ? "status-warning" : "status-ok"}`;
      status.textContent = summarizeFindings(findings);
      list.classList.remove("is-stale");
    },
    setChecking(checking) {
      list.classList.toggle("is-stale", checking && hasFindings);
    },
    setBusy(busy) {
      submit.disabled = busy || box.value.trim() === "";
      submit.classList.toggle("is-busy", busy);
      submit.textContent = busy ? "Importing…" : "Import as a new tool";
    },
    showError,
    readFile,
  };
}
