// The tool page: details, the keys table with its actions, and the generate-key panel.

import { h, icon, ICONS } from "../lib/dom";
import { formatDateTime, formatElapsed, keygenStageText, plural } from "../lib/format";
import type { KeyInfo, KeygenStage, KidScheme, Tool } from "../lib/ipc/bindings";
import { keyRows } from "../lib/keys";
import { checkCustomKid } from "../lib/validation";
import { createKeysTable, renderKeyRows } from "./keysTable";

export const KEY_SIZES = [2048, 3072, 4096] as const;

/** The generate panel's values, kept per tool so nothing typed is lost. */
export type GenerateFormValues = {
  bits: number;
  scheme: KidScheme | "custom";
  customKid: string;
};

export const DEFAULT_GENERATE_FORM: GenerateFormValues = {
  bits: 2048,
  scheme: "thumbprint",
  customKid: "",
};

/** A running key generation. */
export type KeygenJob = {
  toolId: string;
  bits: number;
  stage: KeygenStage;
  startedAt: number;
};

export type ToolPageHandlers = {
  onGenerate(values: GenerateFormValues): void;
  onGenerateFormChange(values: GenerateFormValues): void;
  onCopyJwk(kid: string): void;
  onCopyJwks(): void;
  onSaveJwks(): void;
  onDeleteKey(kid: string): void;
};

export type ToolPageView = {
  element: HTMLElement;
  toolId: string;
  setKeys(keys: readonly KeyInfo[] | null): void;
  setKeygen(job: KeygenJob | null, now: number): void;
  setBusy(action: "copy-jwks" | "save-jwks", busy: boolean): void;
  clearCustomKid(): void;
};

const SCHEMES: Array<{ value: GenerateFormValues["scheme"]; label: string }> = [
  { value: "thumbprint", label: "Thumbprint (RFC 7638)" },
  { value: "timestamp", label: "Timestamp (ISO 8601)" },
  { value: "uuid", label: "UUID" },
  { value: "custom", label: "Custom…" },
];

/** The button whose `attribute` equals `kid` (kids may hold characters a selector would need escaped). */
function buttonFor(root: ParentNode, attribute: string, kid: string): HTMLButtonElement | undefined {
  return Array.from(root.querySelectorAll<HTMLButtonElement>(`button[${attribute}]`)).find(
    (button) => button.getAttribute(attribute) === kid,
  );
}

function detail(doc: Document, label: string, value: string | null, mono = true): HTMLElement[] {
  return [
    h(doc, "dt", { text: label }),
    value === null || value === ""
      ? h(doc, "dd", { class: "muted", text: "Not set" })
      : h(doc, "dd", { class: mono ? "mono selectable" : "selectable", text: value }),
  ];
}

function detailsList(doc: Document, tool: Tool): HTMLElement {
  const redirects =
    tool.redirect_uris.length === 0
      ? h(doc, "dd", { class: "muted", text: "None" })
      : h(
          doc,
          "dd",
          {},
          h(
            doc,
            "ul",
            { class: "uri-list" },
            ...tool.redirect_uris.map((uri) => h(doc, "li", { class: "mono selectable", text: uri })),
          ),
        );
  return h(
    doc,
    "dl",
    { class: "details" },
    ...detail(doc, "Domain", tool.domain),
    ...detail(doc, "Launch URL", tool.launch_url),
    ...detail(doc, "Login initiation URL", tool.login_url),
    h(doc, "dt", { text: "Redirect URIs" }),
    redirects,
    ...detail(doc, "JWKS URL", tool.jwks_url),
    ...detail(doc, "Tool id", tool.id),
    ...detail(doc, "Created", formatDateTime(tool.created_at), false),
  );
}

export function createToolPage(
  doc: Document,
  tool: Tool,
  form: GenerateFormValues,
  handlers: ToolPageHandlers,
): ToolPageView {
  const table = createKeysTable(doc);
  const keyCount = h(doc, "span", { class: "count muted" });
  const tableWrap = h(doc, "div", { class: "table-wrap", "aria-busy": "true" }, table);
  let confirmingKid: string | null = null;
  let currentKeys: readonly KeyInfo[] = [];

  const render = (): void => renderKeyRows(table, keyRows(currentKeys), confirmingKid);

  // Generate panel.
  const bitsSelect = h(doc, "select", { id: "key-bits", name: "bits" });
  for (const bits of KEY_SIZES) {
    bitsSelect.append(h(doc, "option", { value: bits, text: `${bits} bits` }));
  }
  bitsSelect.value = String(form.bits);

  const schemeSelect = h(doc, "select", { id: "kid-scheme", name: "kid-scheme" });
  for (const scheme of SCHEMES) {
    schemeSelect.append(h(doc, "option", { value: scheme.value, text: scheme.label }));
  }
  schemeSelect.value = form.scheme;

  const customKid = h(doc, "input", {
    id: "custom-kid",
    name: "custom-kid",
    type: "text",
    class: "mono",
    placeholder: "my-key-2025",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "custom-kid-error",
  });
  customKid.value = form.customKid;
  const customKidError = h(doc, "p", { class: "field-error", id: "custom-kid-error", hidden: true });
  const customField = h(
    doc,
    "div",
    { class: "field field-custom-kid" },
    h(doc, "label", { for: "custom-kid", text: "Custom kid" }),
    customKid,
    customKidError,
  );

  const generateButton = h(
    doc,
    "button",
    { type: "submit", id: "generate-key", class: "btn btn-primary" },
    "Generate key",
  );
  const stageText = h(doc, "span", { class: "keygen-stage" });
  const elapsedText = h(doc, "span", { class: "keygen-elapsed mono" });
  const progress = h(
    doc,
    "div",
    { id: "keygen-progress", class: "keygen-progress", role: "status", "aria-live": "polite", hidden: true },
    h(doc, "span", { class: "spinner", "aria-hidden": "true" }),
    stageText,
    elapsedText,
  );

  const readForm = (): GenerateFormValues => ({
    bits: Number(bitsSelect.value),
    scheme: schemeSelect.value as GenerateFormValues["scheme"],
    customKid: customKid.value,
  });

  const syncCustom = (): void => {
    const custom = schemeSelect.value === "custom";
    customField.hidden = !custom;
    if (!custom) {
      customKidError.hidden = true;
      customKid.removeAttribute("aria-invalid");
    }
  };
  syncCustom();

  const generateForm = h(
    doc,
    "form",
    { class: "generate-form", novalidate: true, "aria-label": "Generate a key" },
    h(
      doc,
      "div",
      { class: "field" },
      h(doc, "label", { for: "key-bits", text: "Key size" }),
      bitsSelect,
    ),
    h(
      doc,
      "div",
      { class: "field field-scheme" },
      h(doc, "label", { for: "kid-scheme", text: "Kid scheme" }),
      schemeSelect,
    ),
    customField,
    h(doc, "div", { class: "field field-button" }, generateButton),
  );

  generateForm.addEventListener("change", () => {
    syncCustom();
    handlers.onGenerateFormChange(readForm());
  });
  generateForm.addEventListener("input", () => handlers.onGenerateFormChange(readForm()));
  generateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (generateButton.disabled) {
      return;
    }
    const values = readForm();
    if (values.scheme === "custom") {
      const error = checkCustomKid(values.customKid);
      customKidError.textContent = error ?? "";
      customKidError.hidden = error === null;
      if (error !== null) {
        customKid.setAttribute("aria-invalid", "true");
        customKid.focus();
        return;
      }
      customKid.removeAttribute("aria-invalid");
    }
    handlers.onGenerate(values);
  });

  // Key list actions.
  const copyJwks = h(
    doc,
    "button",
    { type: "button", id: "copy-jwks", class: "btn", title: "Copy the published JWKS" },
    icon(doc, ICONS.copy),
    "Copy JWKS",
  );
  const saveJwks = h(
    doc,
    "button",
    { type: "button", id: "save-jwks", class: "btn", title: "Save the published JWKS to a file" },
    icon(doc, ICONS.save),
    "Save JWKS…",
  );
  copyJwks.addEventListener("click", () => handlers.onCopyJwks());
  saveJwks.addEventListener("click", () => handlers.onSaveJwks());

  table.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (target === null) {
      return;
    }
    const copy = target.getAttribute("data-copy-jwk");
    const remove = target.getAttribute("data-delete-key");
    const confirm = target.getAttribute("data-confirm-delete");
    if (copy !== null) {
      handlers.onCopyJwk(copy);
    } else if (remove !== null) {
      confirmingKid = remove;
      render();
      buttonFor(table, "data-cancel-delete", remove)?.focus();
    } else if (confirm !== null) {
      confirmingKid = null;
      target.disabled = true;
      handlers.onDeleteKey(confirm);
    } else if (target.hasAttribute("data-cancel-delete")) {
      const kid = target.getAttribute("data-cancel-delete") ?? "";
      confirmingKid = null;
      render();
      buttonFor(table, "data-delete-key", kid)?.focus();
    }
  });
  table.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && confirmingKid !== null) {
      confirmingKid = null;
      render();
    }
  });

  const element = h(
    doc,
    "section",
    { id: "tool-page", class: "tool-page", "data-tool-id": tool.id, "aria-labelledby": "tool-title" },
    h(
      doc,
      "header",
      { class: "page-header" },
      h(doc, "h1", { id: "tool-title", class: "page-title", text: tool.name }),
      tool.description !== "" ? h(doc, "p", { class: "muted description", text: tool.description }) : null,
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "keys-heading" },
      h(
        doc,
        "div",
        { class: "card-header" },
        h(doc, "h2", { id: "keys-heading" }, "Keys ", keyCount),
        h(doc, "div", { class: "card-actions" }, copyJwks, saveJwks),
      ),
      tableWrap,
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "generate-heading" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "generate-heading", text: "Generate a key" })),
      h(doc, "p", {
        class: "muted small",
        text: "RS256. The private key goes straight into the OS keychain; only the public key is stored here.",
      }),
      generateForm,
      progress,
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "details-heading" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "details-heading", text: "Details" })),
      detailsList(doc, tool),
    ),
  );

  return {
    element,
    toolId: tool.id,
    setKeys(keys) {
      tableWrap.setAttribute("aria-busy", keys === null ? "true" : "false");
      currentKeys = keys ?? [];
      if (confirmingKid !== null && !currentKeys.some((key) => key.kid === confirmingKid)) {
        confirmingKid = null;
      }
      keyCount.textContent = keys === null ? "" : `(${plural(currentKeys.length, "key")})`;
      render();
    },
    setKeygen(job, now) {
      const running = job !== null && job.toolId === tool.id;
      generateButton.disabled = running;
      generateButton.classList.toggle("is-busy", running);
      progress.hidden = !running;
      if (running) {
        stageText.textContent = keygenStageText(job.stage, job.bits);
        elapsedText.textContent = formatElapsed(now - job.startedAt);
      }
    },
    setBusy(action, busy) {
      (action === "copy-jwks" ? copyJwks : saveJwks).disabled = busy;
    },
    clearCustomKid() {
      customKid.value = "";
    },
  };
}
