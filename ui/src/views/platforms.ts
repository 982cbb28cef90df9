// The platforms page: the list (name, family, issuer, endpoints, registered tools), the add form
// driven by presets, and per platform the OpenID discovery with its field-by-field diff.

import { h, icon, ICONS } from "../lib/dom";
import { formatDateTime } from "../lib/format";
import type { DiscoveryOutcome, NewPlatform, Platform, PlatformFamily, Preset, Registration } from "../lib/ipc/bindings";
import {
  buildNewPlatform,
  changeRows,
  discoverySummary,
  emptyPlatformForm,
  ENDPOINT_FIELDS,
  ENDPOINT_LABELS,
  endpointRows,
  familyName,
  fieldsToGive,
  placeholdersIn,
  resolvedEndpoints,
  type EndpointField,
  type PlatformFormField,
  type PlatformFormValues,
} from "../lib/platforms";
import { findingsList } from "./findings";

const PLUS_ICON = ["M12 5v14", "M5 12h14"];
const SEARCH_ICON = ["M11 4a7 7 0 1 0 0 14a7 7 0 0 0 0-14z", "M20 20l-4-4"];

const INPUT_IDS: Record<PlatformFormField, string> = {
  name: "platform-name",
  baseUrl: "platform-base-url",
  issuer: "platform-issuer",
  auth_url: "platform-auth-url",
  token_url: "platform-token-url",
  token_audience: "platform-token-audience",
  jwks_url: "platform-jwks-url",
  openid_configuration_url: "platform-openid-url",
};

export type PlatformsHandlers = {
  onAdd(input: NewPlatform): void;
  onRemove(platform: string): void;
  onDiscover(platform: string, url: string | null, acceptIssuer: boolean, registrationToken: string | null): void;
  onOpenTool(tool: string): void;
  onFormChange(values: PlatformFormValues, open: boolean): void;
};

export type PlatformsView = {
  element: HTMLElement;
  setData(platforms: readonly Platform[], registrations: readonly Registration[]): void;
  setDiscovery(platform: string, outcome: DiscoveryOutcome | null, error?: string): void;
  setFormBusy(busy: boolean): void;
  showFormError(message: string, field: PlatformFormField | null): void;
  resetForm(): void;
  setDiscoverBusy(busy: boolean): void;
};

/** A button whose `attribute` equals `value`. */
function buttonWith(root: ParentNode, attribute: string, value: string): HTMLButtonElement | undefined {
  return Array.from(root.querySelectorAll<HTMLButtonElement>(`button[${attribute}]`)).find(
    (button) => button.getAttribute(attribute) === value,
  );
}

export function createPlatformsPage(
  doc: Document,
  presets: readonly Preset[],
  initial: { values: PlatformFormValues; open: boolean },
  handlers: PlatformsHandlers,
): PlatformsView {
  let values: PlatformFormValues = { ...initial.values };
  let open = initial.open;
  let platforms: readonly Platform[] = [];
  let registrations: readonly Registration[] = [];
  let confirming: string | null = null;
  let discovering: string | null = null;
  let discovery: { platform: string; outcome: DiscoveryOutcome | null; error: string | null } | null = null;
  let discoverBusy = false;
  const discoverDraft = new Map<string, { url: string; accept: boolean }>();

  const presetOf = (family: PlatformFamily): Preset => presets.find((p) => p.family === family) ?? (presets[0] as Preset);
  const changed = (): void => handlers.onFormChange({ ...values }, open);

  // Add form.
  const presetSelect = h(doc, "select", { id: "platform-preset", name: "preset", "aria-describedby": "platform-preset-note" });
  for (const preset of presets) {
    presetSelect.append(h(doc, "option", { value: preset.family, text: preset.label }));
  }
  presetSelect.value = values.preset;

  const inputs = new Map<PlatformFormField, HTMLInputElement>();
  const errors = new Map<PlatformFormField, HTMLElement>();
  const field = (key: PlatformFormField, label: string, placeholder: string, mono: boolean): HTMLElement => {
    const id = INPUT_IDS[key];
    const input = h(doc, "input", {
      id,
      type: key === "name" || key === "token_audience" ? "text" : "url",
      class: mono ? "mono" : null,
      placeholder,
      spellcheck: "false",
      autocomplete: "off",
      autocapitalize: "off",
      "aria-describedby": `${id}-error`,
    });
    input.value = values[key === "baseUrl" ? "baseUrl" : key];
    input.addEventListener("input", () => {
      values = { ...values, [key]: input.value };
      renderPreview();
      changed();
    });
    inputs.set(key, input);
    const error = h(doc, "p", { class: "field-error", id: `${id}-error`, hidden: true });
    errors.set(key, error);
    return h(doc, "div", { class: `field field-${key}` }, h(doc, "label", { for: id, text: label }), input, error);
  };

  const nameField = field("name", "Name", "Acme University Canvas", false);
  const baseField = field("baseUrl", "Base URL", "https://lms.example.edu", true);
  const note = h(doc, "div", { id: "platform-preset-note", class: "notice notice-info preset-note" });
  const preview = h(doc, "dl", { id: "platform-preview", class: "details compact preview" });
  const overrideFields = ENDPOINT_FIELDS.map((key) => field(key, ENDPOINT_LABELS[key], "", true));
  const overrides = h(doc, "div", { class: "form-grid two" }, ...overrideFields);
  const overridesBox = h(
    doc,
    "details",
    { class: "overrides" },
    h(doc, "summary", { text: "Change a value" }),
    h(doc, "p", { class: "hint", text: "Leave a field blank to keep the preset's value." }),
    overrides,
  );
  const customBox = h(doc, "div", { class: "custom-values" });
  const formError = h(doc, "div", { id: "platform-error", class: "form-error", role: "alert", hidden: true });

  const renderPreview = (): void => {
    const preset = presetOf(values.preset);
    const custom = fieldsToGive(preset).length > 0;
    note.textContent = preset.note;
    baseField.hidden = !preset.needs_base_url;
    const base = inputs.get("baseUrl");
    if (base !== undefined) base.placeholder = preset.base_url_example ?? "https://lms.example.edu";
    for (const key of ENDPOINT_FIELDS) {
      const input = inputs.get(key);
      const template = preset[key];
      if (input !== undefined) {
        input.placeholder = template === null ? (key === "token_audience" || key === "openid_configuration_url" ? "Optional" : "Required") : resolvedEndpoints(preset, { ...values, [key]: "" })[key] ?? "";
      }
    }
    // Custom presets take every value as input; the others show what they fill in. The fields
    // move only when the preset changes which box holds them: moving a field takes its focus,
    // so doing it on every keystroke would lose all but the first key typed.
    const box = custom ? customBox : overrides;
    if (overrideFields[0]?.parentElement !== box) {
      box.replaceChildren(...overrideFields);
    }
    if (custom) {
      customBox.hidden = false;
      overridesBox.hidden = true;
      preview.hidden = true;
      return;
    }
    customBox.hidden = true;
    overridesBox.hidden = false;
    preview.hidden = false;
    const resolved = resolvedEndpoints(preset, values);
    preview.replaceChildren(
      ...ENDPOINT_FIELDS.flatMap((key) => {
        const value = resolved[key];
        if (value === null) return [];
        const waiting = preset.needs_base_url && values.baseUrl.trim() === "" && (preset[key] ?? "").includes("{base_url}") && values[key].trim() === "";
        const placeholders = placeholdersIn(value);
        return [
          h(doc, "dt", { text: ENDPOINT_LABELS[key] }),
          h(
            doc,
            "dd",
            { class: waiting ? "mono muted" : "mono selectable", "data-preview-field": key },
            value,
            placeholders.length > 0
              ? h(doc, "span", {
                  class: "tag tag-muted",
                  title: placeholders.includes("{client_id}")
                    ? "Filled with each registration's client_id"
                    : "Replace it with the real value before handing it over",
                  text: placeholders.join(" "),
                })
              : null,
          ),
        ];
      }),
    );
  };

  presetSelect.addEventListener("change", () => {
    values = { ...values, preset: presetSelect.value as PlatformFamily };
    renderPreview();
    changed();
  });

  const save = h(doc, "button", { type: "submit", id: "platform-save", class: "btn btn-primary" }, "Add platform");
  const cancel = h(doc, "button", { type: "button", id: "platform-cancel", class: "btn" }, "Cancel");

  const form = h(
    doc,
    "form",
    { id: "platform-form", class: "card platform-form", novalidate: true, "aria-labelledby": "platform-form-title", hidden: !open },
    h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "platform-form-title", text: "Add a platform" })),
    h(
      doc,
      "div",
      { class: "form-grid two" },
      h(doc, "div", { class: "field" }, h(doc, "label", { for: "platform-preset", text: "LMS" }), presetSelect),
      nameField,
      h(doc, "div", { class: "span-2" }, note),
      h(doc, "div", { class: "span-2" }, baseField),
    ),
    h(doc, "h3", { class: "group-title", text: "Values" }),
    preview,
    customBox,
    overridesBox,
    formError,
    h(doc, "div", { class: "form-actions" }, save, cancel),
  );
  renderPreview();

  const showFormError = (message: string, key: PlatformFormField | null): void => {
    for (const [name, node] of errors) {
      const text = name === key ? message : "";
      node.textContent = text;
      node.hidden = text === "";
      inputs.get(name)?.toggleAttribute("aria-invalid", text !== "");
    }
    formError.textContent = key === null ? message : "";
    formError.hidden = key !== null || message === "";
    if (key !== null) {
      const input = inputs.get(key);
      const details = input?.closest("details");
      if (details !== null && details !== undefined) details.open = true;
      input?.focus();
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (save.disabled) return;
    const result = buildNewPlatform(presetOf(values.preset), values);
    if (!result.ok) {
      const first = (["name", "baseUrl", ...ENDPOINT_FIELDS] as PlatformFormField[]).find((key) => result.errors[key] !== undefined) ?? null;
      for (const [name, node] of errors) {
        const text = result.errors[name] ?? "";
        node.textContent = text;
        node.hidden = text === "";
        inputs.get(name)?.toggleAttribute("aria-invalid", text !== "");
      }
      formError.hidden = true;
      if (first !== null) {
        const input = inputs.get(first);
        const details = input?.closest("details");
        if (details !== null && details !== undefined) details.open = true;
        input?.focus();
      }
      return;
    }
    showFormError("", null);
    handlers.onAdd(result.input);
  });

  const addButton = h(doc, "button", { type: "button", id: "platform-add", class: "btn btn-primary" }, icon(doc, PLUS_ICON), "Add platform");
  addButton.addEventListener("click", () => {
    open = true;
    form.hidden = false;
    changed();
    presetSelect.focus();
  });
  cancel.addEventListener("click", () => {
    open = false;
    form.hidden = true;
    showFormError("", null);
    changed();
  });

  // The list.
  const list = h(doc, "div", { id: "platform-list", class: "platform-list" });

  const discoverPanel = (platform: Platform): HTMLElement => {
    const saved = discoverDraft.get(platform.id) ?? { url: platform.openid_configuration_url ?? "", accept: false };
    const url = h(doc, "input", {
      id: "discover-url",
      type: "url",
      class: "mono",
      placeholder: "https://lms.example.edu/.well-known/openid-configuration",
      spellcheck: "false",
      autocomplete: "off",
    });
    url.value = saved.url;
    // Kept in the form only: a registration token is a short-lived secret, never stored.
    const token = h(doc, "input", {
      id: "discover-token",
      type: "password",
      class: "mono",
      placeholder: "registration_token (Canvas Dynamic Registration only)",
      spellcheck: "false",
      autocomplete: "off",
    });
    const accept = h(doc, "input", { type: "checkbox", id: "discover-accept-issuer" });
    accept.checked = saved.accept;
    const remember = (): void => {
      discoverDraft.set(platform.id, { url: url.value, accept: accept.checked });
    };
    url.addEventListener("input", remember);
    accept.addEventListener("change", remember);
    const run = h(doc, "button", { type: "submit", id: "discover-run", class: "btn btn-primary" }, discoverBusy ? "Fetching…" : "Fetch and apply");
    run.disabled = discoverBusy;
    const panel = h(
      doc,
      "form",
      { class: "discover-panel", id: "discover-panel", novalidate: true, "data-platform-id": platform.id, "aria-label": `Discover ${platform.name}` },
      h(doc, "h3", { class: "group-title", text: "Discover from the OpenID configuration" }),
      h(doc, "p", {
        class: "hint",
        text: "Reads the platform's openid-configuration and updates the record. An issuer change is applied only when you accept it.",
      }),
      h(
        doc,
        "div",
        { class: "discover-row" },
        h(doc, "div", { class: "field" }, h(doc, "label", { for: "discover-url", text: "OpenID configuration URL" }), url),
        h(doc, "div", { class: "field" }, h(doc, "label", { for: "discover-token", text: "Registration token (optional)" }), token),
        h(doc, "label", { class: "toggle", for: "discover-accept-issuer" }, accept, h(doc, "span", { text: "Accept an issuer change" })),
        run,
      ),
    );
    panel.addEventListener("submit", (event) => {
      event.preventDefault();
      if (discoverBusy) return;
      remember();
      const typed = url.value.trim();
      const bearer = token.value.trim();
      handlers.onDiscover(platform.id, typed === "" ? null : typed, accept.checked, bearer === "" ? null : bearer);
    });
    const result = discovery !== null && discovery.platform === platform.id ? discovery : null;
    if (result !== null) {
      panel.append(discoveryResult(result.outcome, result.error));
    }
    return panel;
  };

  const discoveryResult = (outcome: DiscoveryOutcome | null, error: string | null): HTMLElement => {
    if (outcome === null) {
      return h(doc, "div", { id: "discover-result", class: "form-error", role: "alert", text: error ?? "Discovery failed." });
    }
    const rows = changeRows(outcome);
    return h(
      doc,
      "div",
      { id: "discover-result", class: "discover-result" },
      h(doc, "p", { class: outcome.applied ? "result-line ok" : "result-line" }, discoverySummary(outcome), " ", h(doc, "span", { class: "muted mono small", text: outcome.url })),
      rows.length === 0
        ? null
        : h(
            doc,
            "div",
            { class: "table-wrap" },
            h(
              doc,
              "table",
              { class: "grid-table diff-table" },
              h(
                doc,
                "thead",
                {},
                h(doc, "tr", {}, h(doc, "th", { text: "Field" }), h(doc, "th", { text: "Before" }), h(doc, "th", { text: "Discovered" }), h(doc, "th", { text: "" })),
              ),
              h(
                doc,
                "tbody",
                {},
                ...rows.map((row) =>
                  h(
                    doc,
                    "tr",
                    { "data-change-field": row.field, "data-applied": row.status === "applied" ? "true" : "false" },
                    h(doc, "th", { scope: "row", text: row.label }),
                    h(doc, "td", { class: "mono old", text: row.old }),
                    h(doc, "td", { class: "mono new", text: row.new }),
                    h(
                      doc,
                      "td",
                      { class: "change-status" },
                      h(doc, "span", {
                        class: row.status === "applied" ? "tag tag-ok" : "tag tag-warn",
                        text: row.status === "applied" ? "applied" : "not applied",
                      }),
                      row.reason !== null ? h(doc, "span", { class: "muted small change-reason", text: row.reason }) : null,
                    ),
                  ),
                ),
              ),
            ),
          ),
      outcome.findings.length > 0 ? findingsList(doc, outcome.findings, { id: "discover-findings" }, { showPath: false }) : null,
    );
  };

  const platformCard = (platform: Platform): HTMLElement => {
    const own = registrations.filter((r) => r.platform_id === platform.id);
    const isConfirming = confirming === platform.id;
    const discover = h(
      doc,
      "button",
      {
        type: "button",
        class: discovering === platform.id ? "btn btn-small is-active" : "btn btn-small",
        "data-discover": platform.id,
        "aria-expanded": discovering === platform.id ? "true" : "false",
      },
      icon(doc, SEARCH_ICON),
      "Discover",
    );
    const remove = isConfirming
      ? h(
          doc,
          "span",
          { class: "confirm", role: "group", "aria-label": `Remove ${platform.name}?` },
          h(doc, "button", { type: "button", class: "btn btn-danger btn-small", "data-confirm-remove-platform": platform.id }, "Remove platform?"),
          h(doc, "button", { type: "button", class: "btn btn-small", "data-cancel-remove-platform": platform.id }, "Cancel"),
        )
      : h(
          doc,
          "button",
          {
            type: "button",
            class: "btn btn-small btn-icon btn-quiet-danger",
            "data-remove-platform": platform.id,
            title: own.length > 0 ? "Remove its registrations first" : "Remove this platform",
            "aria-label": `Remove ${platform.name}`,
          },
          icon(doc, ICONS.trash),
        );
    if (!isConfirming && own.length > 0) {
      (remove as HTMLButtonElement).disabled = true;
    }
    const registered =
      own.length === 0
        ? h(doc, "p", { class: "muted small", text: "No tool registered here yet." })
        : h(
            doc,
            "ul",
            { class: "registered-tools" },
            ...own.map((registration) =>
              h(
                doc,
                "li",
                {},
                h(doc, "button", { type: "button", class: "link", "data-open-tool": registration.tool_id }, registration.tool_name),
                h(doc, "span", { class: "mono muted small", text: ` client_id ${registration.client_id}` }),
                h(doc, "span", {
                  class: "muted small",
                  text: ` · ${registration.deployments.length} ${registration.deployments.length === 1 ? "deployment" : "deployments"}`,
                }),
              ),
            ),
          );
    return h(
      doc,
      "article",
      { class: "card platform", "data-platform-id": platform.id },
      h(
        doc,
        "header",
        { class: "card-header" },
        h(
          doc,
          "div",
          { class: "platform-title" },
          h(doc, "h2", { class: "platform-name", text: platform.name }),
          h(doc, "span", { class: "tag tag-family", "data-family": platform.family, text: familyName(platform.family) }),
        ),
        h(doc, "div", { class: "card-actions" }, discover, remove),
      ),
      h(
        doc,
        "dl",
        { class: "details compact endpoints" },
        ...(platform.base_url !== null ? [h(doc, "dt", { text: "Base URL" }), h(doc, "dd", { class: "mono selectable", text: platform.base_url })] : []),
        ...endpointRows(platform).flatMap((row) => [
          h(doc, "dt", { text: row.label }),
          h(doc, "dd", { class: "mono selectable", "data-endpoint": row.field, text: row.value }),
        ]),
        h(doc, "dt", { text: "Registered tools" }),
        h(doc, "dd", {}, registered),
      ),
      h(doc, "p", { class: "card-foot muted small", text: `Added ${formatDateTime(platform.created_at)} · updated ${formatDateTime(platform.updated_at)}` }),
      discovering === platform.id ? discoverPanel(platform) : null,
    );
  };

  const renderList = (): void => {
    if (platforms.length === 0) {
      list.replaceChildren(
        h(
          doc,
          "div",
          { class: "empty-note card" },
          h(doc, "p", { text: "No platforms yet. Add the LMS your tools are registered on: a preset fills in its issuer and endpoints." }),
        ),
      );
      return;
    }
    list.replaceChildren(...[...platforms].sort((a, b) => a.name.localeCompare(b.name)).map(platformCard));
  };

  list.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (target === null) return;
    const discover = target.getAttribute("data-discover");
    const remove = target.getAttribute("data-remove-platform");
    const confirm = target.getAttribute("data-confirm-remove-platform");
    const tool = target.getAttribute("data-open-tool");
    if (discover !== null) {
      discovering = discovering === discover ? null : discover;
      renderList();
      if (discovering !== null) doc.getElementById("discover-url")?.focus();
    } else if (remove !== null) {
      confirming = remove;
      renderList();
      buttonWith(list, "data-cancel-remove-platform", remove)?.focus();
    } else if (confirm !== null) {
      confirming = null;
      target.disabled = true;
      handlers.onRemove(confirm);
    } else if (target.hasAttribute("data-cancel-remove-platform")) {
      confirming = null;
      renderList();
    } else if (tool !== null) {
      handlers.onOpenTool(tool);
    }
  });

  const element = h(
    doc,
    "section",
    { id: "platforms-page", class: "platforms-page", "aria-labelledby": "platforms-title" },
    h(
      doc,
      "header",
      { class: "page-header page-header-row" },
      h(
        doc,
        "div",
        {},
        h(doc, "h1", { id: "platforms-title", class: "page-title", text: "Platforms" }),
        h(doc, "p", {
          class: "muted description",
          text: "The LMS instances your tools are registered on: issuer and endpoints, from a preset or the platform's OpenID configuration.",
        }),
      ),
      addButton,
    ),
    form,
    list,
  );
  renderList();

  return {
    element,
    setData(nextPlatforms, nextRegistrations) {
      platforms = nextPlatforms;
      registrations = nextRegistrations;
      if (confirming !== null && !platforms.some((p) => p.id === confirming)) confirming = null;
      if (discovering !== null && !platforms.some((p) => p.id === discovering)) discovering = null;
      renderList();
    },
    setDiscovery(platform, outcome, error) {
      discovery = { platform, outcome, error: error ?? null };
      discovering = platform;
      renderList();
    },
    setFormBusy(busy) {
      save.disabled = busy;
      save.classList.toggle("is-busy", busy);
      save.textContent = busy ? "Adding…" : "Add platform";
    },
    showFormError,
    resetForm() {
      values = emptyPlatformForm(values.preset);
      for (const [key, input] of inputs) {
        input.value = values[key === "baseUrl" ? "baseUrl" : key];
      }
      open = false;
      form.hidden = true;
      showFormError("", null);
      renderPreview();
      changed();
    },
    setDiscoverBusy(busy) {
      discoverBusy = busy;
      const run = doc.getElementById("discover-run");
      if (run instanceof HTMLButtonElement) {
        run.disabled = busy;
        run.textContent = busy ? "Fetching…" : "Fetch and apply";
      }
    },
  };
}

/** The form fields in the order errors are looked for. */
export const PLATFORM_FORM_FIELDS: readonly PlatformFormField[] = ["name", "baseUrl", ...ENDPOINT_FIELDS];
export type { EndpointField, PlatformFormValues };
