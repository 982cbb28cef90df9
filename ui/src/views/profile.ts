// The tool profile: a read-only summary with an Edit button, and the editor (general fields,
// endpoints, Canvas settings, custom fields, scopes, placements) that builds the `ToolProfile`.

import { h, icon, ICONS } from "../lib/dom";
import type { Choices, PlacementInfo, ScopeInfo, Tool, ToolProfile } from "../lib/ipc/bindings";
import {
  buildToolProfile,
  fitMessageType,
  hasLaunchSettings,
  messageTypesFor,
  newPlacementDraft,
  PLACEMENT_LABELS,
  PROFILE_LABELS,
  SIZE_FIELDS,
  type PlacementDraft,
  type ProfileDraft,
  type ProfileErrors,
  type ProfileTextField,
} from "../lib/profile";

const EDIT_ICON = ["M4 20h4L19 9l-4-4L4 16z", "M13.5 6.5l4 4"];
const PLUS_ICON = ["M12 5v14", "M5 12h14"];

// Summary.

function placementInfo(choices: Choices, name: string): PlacementInfo | undefined {
  return choices.placements.find((info) => info.name === name);
}

function scopeInfo(choices: Choices, uri: string): ScopeInfo | undefined {
  return choices.scopes.find((info) => info.uri === uri);
}

function detailRow(doc: Document, label: string, value: string | null, mono = true): HTMLElement[] {
  return [
    h(doc, "dt", { text: label }),
    value === null || value === ""
      ? h(doc, "dd", { class: "muted", text: "Not set" })
      : h(doc, "dd", { class: mono ? "mono selectable" : "selectable", text: value }),
  ];
}

function listRow(doc: Document, label: string, items: Node[], none: string): HTMLElement[] {
  return [
    h(doc, "dt", { text: label }),
    items.length === 0
      ? h(doc, "dd", { class: "muted", text: none })
      : h(doc, "dd", {}, h(doc, "ul", { class: "uri-list" }, ...items.map((item) => h(doc, "li", {}, item)))),
  ];
}

/** Flags of a placement as small badges: feature flag, approval, deprecation. */
function placementFlags(doc: Document, info: PlacementInfo | undefined): HTMLElement[] {
  if (info === undefined) return [];
  const flags: HTMLElement[] = [];
  if (info.feature_flag !== null) {
    flags.push(
      h(doc, "span", {
        class: "tag tag-flag",
        title: `Canvas shows it only with the feature flag ${info.feature_flag} on`,
        text: `flag: ${info.feature_flag}`,
      }),
    );
  }
  if (info.needs_approval) {
    flags.push(
      h(doc, "span", {
        class: "tag tag-warn",
        title: "Only Instructure-approved tools may use this placement",
        text: "needs approval",
      }),
    );
  }
  if (info.deprecated !== null) {
    flags.push(h(doc, "span", { class: "tag tag-warn", title: info.deprecated, text: "deprecated" }));
  }
  return flags;
}

function scopeTags(doc: Document, info: ScopeInfo): HTMLElement[] {
  const tags: HTMLElement[] = [];
  if (info.visibility === "feature_flag") {
    tags.push(
      h(doc, "span", {
        class: "tag tag-flag",
        title: `Hidden in Canvas unless the feature flag ${info.feature_flag ?? ""} is on`,
        text: `flag: ${info.feature_flag ?? "feature flag"}`,
      }),
    );
  } else if (info.visibility === "hidden") {
    tags.push(
      h(doc, "span", {
        class: "tag tag-muted",
        title: "Accepted by Canvas but not shown in its developer key screen",
        text: "hidden",
      }),
    );
  }
  if (!info.long_standing && info.visibility !== "hidden") {
    tags.push(
      h(doc, "span", {
        class: "tag tag-muted",
        title: "Not known to Canvas builds of 2019–2021 (older self-hosted installs)",
        text: "newer Canvas",
      }),
    );
  }
  return tags;
}

export type ProfileSummaryView = { element: HTMLElement };

/** The profile as stored, with `#profile-edit`. */
export function createProfileSummary(
  doc: Document,
  tool: Tool,
  choices: Choices,
  onEdit: () => void,
): ProfileSummaryView {
  const privacy = choices.privacy_levels.find((choice) => choice.value === tool.privacy_level);
  const edit = h(
    doc,
    "button",
    { type: "button", id: "profile-edit", class: "btn btn-primary" },
    icon(doc, EDIT_ICON),
    "Edit profile",
  );
  edit.addEventListener("click", onEdit);

  const customFields = Object.entries(tool.custom_fields).map(([name, value]) =>
    h(doc, "span", { class: "mono selectable" }, `${name} = ${value}`),
  );
  const scopes = tool.scopes.map((uri) => {
    const info = scopeInfo(choices, uri);
    return h(
      doc,
      "span",
      { class: "scope-summary", title: uri },
      h(doc, "span", { text: info?.label ?? uri }),
      info !== undefined ? h(doc, "span", { class: "mono muted small scope-uri", text: uri }) : null,
    );
  });

  const placementRows = tool.placements.map((placement) => {
    const info = placementInfo(choices, placement.placement);
    return h(
      doc,
      "tr",
      { "data-placement": placement.placement, class: placement.enabled ? null : "is-disabled" },
      h(
        doc,
        "td",
        {},
        h(doc, "div", { class: "placement-name", text: info?.label ?? placement.placement }),
        h(doc, "div", { class: "mono muted small", text: placement.placement }),
      ),
      h(doc, "td", { class: "mono small", text: placement.message_type }),
      h(doc, "td", { text: placement.text ?? "" }, placement.text === null ? h(doc, "span", { class: "muted", text: "Tool title" }) : null),
      h(
        doc,
        "td",
        {},
        h(doc, "span", {
          class: placement.enabled ? "state state-on" : "state state-off",
          text: placement.enabled ? "Enabled" : "Disabled",
        }),
        ...placementFlags(doc, info),
      ),
    );
  });

  const element = h(
    doc,
    "div",
    { id: "profile-summary", class: "profile-summary" },
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "profile-heading" },
      h(
        doc,
        "div",
        { class: "card-header" },
        h(doc, "h2", { id: "profile-heading", text: "Profile" }),
        h(doc, "div", { class: "card-actions" }, edit),
      ),
      h(
        doc,
        "dl",
        { class: "details" },
        ...detailRow(doc, PROFILE_LABELS.name, tool.name, false),
        ...detailRow(doc, PROFILE_LABELS.description, tool.description, false),
        ...detailRow(doc, PROFILE_LABELS.domain, tool.domain),
        ...detailRow(doc, PROFILE_LABELS.loginUrl, tool.login_url),
        ...detailRow(doc, PROFILE_LABELS.launchUrl, tool.launch_url),
        ...listRow(
          doc,
          PROFILE_LABELS.redirectUris,
          tool.redirect_uris.map((uri) => h(doc, "span", { class: "mono selectable", text: uri })),
          "None",
        ),
        ...detailRow(doc, PROFILE_LABELS.jwksUrl, tool.jwks_url),
        ...detailRow(doc, PROFILE_LABELS.iconUrl, tool.icon_url),
        ...detailRow(doc, "Privacy level", privacy?.label ?? tool.privacy_level, false),
        ...detailRow(doc, PROFILE_LABELS.canvasToolId, tool.canvas_tool_id),
        ...listRow(doc, "Custom fields", customFields, "None"),
        ...listRow(doc, "Scopes", scopes, "None"),
      ),
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "placements-heading" },
      h(
        doc,
        "div",
        { class: "card-header" },
        h(doc, "h2", { id: "placements-heading" }, "Placements ", h(doc, "span", { class: "count muted", text: `(${tool.placements.length})` })),
      ),
      tool.placements.length === 0
        ? h(doc, "p", {
            class: "empty-note",
            text: "No placements: the tool appears nowhere in Canvas. Edit the profile to add one.",
          })
        : h(
            doc,
            "div",
            { class: "table-wrap" },
            h(
              doc,
              "table",
              { class: "grid-table placements-table" },
              h(
                doc,
                "thead",
                {},
                h(
                  doc,
                  "tr",
                  {},
                  h(doc, "th", { scope: "col", text: "Placement" }),
                  h(doc, "th", { scope: "col", text: "Message type" }),
                  h(doc, "th", { scope: "col", text: "Link text" }),
                  h(doc, "th", { scope: "col", text: "State" }),
                ),
              ),
              h(doc, "tbody", {}, ...placementRows),
            ),
          ),
    ),
  );
  return { element };
}

// Editor.

export type ProfileFormHandlers = {
  /** Called with a checked `ToolProfile`; never while the form has errors. */
  onSave(input: ToolProfile): void;
  onCancel(): void;
  /** Called on every edit, so the draft survives navigation. */
  onChange(draft: ProfileDraft): void;
};

export type ProfileFormView = {
  element: HTMLFormElement;
  draft(): ProfileDraft;
  /** Marks the fields named in `errors`; `summary` (or a count) goes to `#profile-error`. */
  showErrors(errors: ProfileErrors, summary?: string): void;
  setBusy(busy: boolean): void;
  focusFirst(): void;
};

type TextSpec = {
  field: ProfileTextField;
  id: string;
  kind: "text" | "url" | "textarea";
  placeholder: string;
  hint?: string;
  required?: boolean;
  mono?: boolean;
  span?: boolean;
};

const GENERAL: TextSpec[] = [
  { field: "name", id: "profile-name", kind: "text", placeholder: "Quiz Builder", required: true },
  {
    field: "domain",
    id: "profile-domain",
    kind: "text",
    placeholder: "quiz.example.com",
    hint: "Host name only, no https://. Canvas matches deep-linked content by it.",
    mono: true,
  },
  {
    field: "description",
    id: "profile-description",
    kind: "textarea",
    placeholder: "Graded quizzes for Canvas courses",
    hint: "Canvas shows it in assignment and link selection.",
    span: true,
  },
];

const ENDPOINTS: TextSpec[] = [
  {
    field: "loginUrl",
    id: "profile-login-url",
    kind: "url",
    placeholder: "https://quiz.example.com/lti/login",
    hint: "oidc_initiation_url: the platform calls it first.",
    mono: true,
  },
  {
    field: "launchUrl",
    id: "profile-launch-url",
    kind: "url",
    placeholder: "https://quiz.example.com/lti/launch",
    hint: "target_link_uri: the default launch URL.",
    mono: true,
  },
  {
    field: "redirectUris",
    id: "profile-redirect-uris",
    kind: "textarea",
    placeholder: "https://quiz.example.com/lti/launch",
    hint: "One per line. Canvas checks them for an exact match; they go on the developer key, not in the JSON.",
    mono: true,
  },
  {
    field: "jwksUrl",
    id: "profile-jwks-url",
    kind: "url",
    placeholder: "https://quiz.example.com/.well-known/jwks.json",
    hint: "public_jwk_url. Without it, the Canvas JSON embeds the current key as public_jwk.",
    mono: true,
  },
];

const CANVAS_TEXT: TextSpec[] = [
  {
    field: "canvasToolId",
    id: "profile-canvas-tool-id",
    kind: "text",
    placeholder: "quiz-builder",
    hint: "tool_id of the Canvas extension. Optional.",
    mono: true,
  },
  {
    field: "iconUrl",
    id: "profile-icon-url",
    kind: "url",
    placeholder: "https://quiz.example.com/icon.svg",
    hint: "Shown next to the tool's links. Optional.",
    mono: true,
  },
];

function section(doc: Document, id: string, title: string, intro: string | null, ...body: Array<Node | null>): HTMLElement {
  return h(
    doc,
    "section",
    { class: "card form-section", "aria-labelledby": `${id}-heading` },
    h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: `${id}-heading`, text: title })),
    intro !== null ? h(doc, "p", { class: "muted small section-intro", text: intro }) : null,
    ...body,
  );
}

export function createProfileForm(
  doc: Document,
  tool: Tool,
  choices: Choices,
  initial: ProfileDraft,
  handlers: ProfileFormHandlers,
): ProfileFormView {
  const draft: ProfileDraft = structuredClone(initial);
  const controls = new Map<string, HTMLElement>();
  const errorNodes = new Map<string, HTMLElement>();
  const changed = (): void => handlers.onChange(structuredClone(draft));

  // Plain text fields.
  const textField = (spec: TextSpec): HTMLElement => {
    const errorId = `${spec.id}-error`;
    const hintId = `${spec.id}-hint`;
    const common = {
      id: spec.id,
      name: spec.field,
      placeholder: spec.placeholder,
      spellcheck: "false",
      autocomplete: "off",
      "aria-describedby": [spec.hint !== undefined ? hintId : null, errorId].filter(Boolean).join(" "),
      "aria-required": spec.required === true ? "true" : null,
    };
    const control =
      spec.kind === "textarea"
        ? h(doc, "textarea", { ...common, rows: spec.field === "description" ? 2 : 3, class: spec.mono === true ? "mono" : null })
        : h(doc, "input", { ...common, type: spec.kind, class: spec.mono === true ? "mono" : null, autocapitalize: "off" });
    control.value = draft[spec.field];
    control.addEventListener("input", () => {
      draft[spec.field] = control.value;
      changed();
    });
    controls.set(spec.field, control);
    const error = h(doc, "p", { class: "field-error", id: errorId, hidden: true });
    errorNodes.set(spec.field, error);
    return h(
      doc,
      "div",
      { class: spec.span === true ? "field span-2" : "field" },
      h(
        doc,
        "label",
        { for: spec.id },
        PROFILE_LABELS[spec.field],
        spec.required === true ? h(doc, "span", { class: "required", "aria-hidden": "true", text: " *" }) : null,
      ),
      control,
      spec.hint !== undefined ? h(doc, "p", { class: "hint", id: hintId, text: spec.hint }) : null,
      error,
    );
  };

  // Privacy level.
  const privacy = h(doc, "select", { id: "profile-privacy-level", name: "privacy_level", "aria-describedby": "profile-privacy-level-hint" });
  for (const choice of choices.privacy_levels) {
    privacy.append(h(doc, "option", { value: choice.value, text: choice.label }));
  }
  privacy.value = draft.privacyLevel;
  privacy.addEventListener("change", () => {
    draft.privacyLevel = privacy.value as ProfileDraft["privacyLevel"];
    changed();
  });
  controls.set("privacyLevel", privacy);
  const privacyField = h(
    doc,
    "div",
    { class: "field" },
    h(doc, "label", { for: "profile-privacy-level", text: "Privacy level" }),
    privacy,
    h(doc, "p", {
      class: "hint",
      id: "profile-privacy-level-hint",
      text: "What Canvas tells the tool about users (extensions[0].privacy_level).",
    }),
  );

  // Custom fields.
  const customList = h(doc, "div", { id: "profile-custom-fields", class: "kv-list" });
  const customError = h(doc, "p", { class: "field-error", id: "profile-custom-fields-error", hidden: true });
  errorNodes.set("customFields", customError);
  const renderCustomFields = (): void => {
    for (const key of [...controls.keys()]) {
      if (key.startsWith("customFields.")) controls.delete(key);
    }
    if (draft.customFields.length === 0) {
      customList.replaceChildren(h(doc, "p", { class: "empty-note", text: "No custom fields." }));
      return;
    }
    customList.replaceChildren(
      ...draft.customFields.map((field, index) => {
        const name = h(doc, "input", {
          type: "text",
          class: "mono",
          "data-field": "name",
          placeholder: "canvas_user_id",
          "aria-label": `Custom field ${index + 1} name`,
          spellcheck: "false",
          autocomplete: "off",
        });
        name.value = field.name;
        const value = h(doc, "input", {
          type: "text",
          class: "mono",
          "data-field": "value",
          placeholder: "$Canvas.user.id",
          "aria-label": `Custom field ${index + 1} value`,
          spellcheck: "false",
          autocomplete: "off",
        });
        value.value = field.value;
        name.addEventListener("input", () => {
          field.name = name.value;
          changed();
        });
        value.addEventListener("input", () => {
          field.value = value.value;
          changed();
        });
        controls.set(`customFields.${index}`, name);
        const remove = h(
          doc,
          "button",
          {
            type: "button",
            class: "btn btn-small btn-icon btn-quiet-danger",
            "data-custom-field-remove": index,
            title: "Remove this custom field",
            "aria-label": `Remove custom field ${index + 1}`,
          },
          icon(doc, ICONS.trash),
        );
        remove.addEventListener("click", () => {
          draft.customFields.splice(index, 1);
          renderCustomFields();
          changed();
        });
        return h(doc, "div", { class: "kv-row custom-field-row" }, name, h(doc, "span", { class: "kv-eq", text: "=" }), value, remove);
      }),
    );
  };
  renderCustomFields();
  const addCustom = h(doc, "button", { type: "button", id: "custom-field-add", class: "btn btn-small" }, icon(doc, PLUS_ICON), "Add custom field");
  addCustom.addEventListener("click", () => {
    draft.customFields.push({ name: "", value: "" });
    renderCustomFields();
    changed();
    customList.querySelector<HTMLInputElement>(".custom-field-row:last-child input[data-field=name]")?.focus();
  });

  // Scopes.
  const scopeError = h(doc, "p", { class: "field-error", id: "profile-scopes-error", hidden: true });
  errorNodes.set("scopes", scopeError);
  const scopeItem = (uri: string, label: string, tags: HTMLElement[]): HTMLElement => {
    const id = `scope-${uri.replace(/[^A-Za-z0-9]+/g, "-")}`;
    const box = h(doc, "input", { type: "checkbox", id, "data-scope": uri });
    box.checked = draft.scopes.includes(uri);
    box.addEventListener("change", () => {
      draft.scopes = box.checked ? [...draft.scopes, uri] : draft.scopes.filter((scope) => scope !== uri);
      changed();
    });
    return h(
      doc,
      "li",
      { class: "scope-item" },
      box,
      h(
        doc,
        "label",
        { for: id },
        h(doc, "span", { class: "scope-label" }, label, ...tags),
        h(doc, "span", { class: "scope-uri mono", text: uri }),
      ),
    );
  };
  const groups: Array<{ title: string; items: ScopeInfo[]; collapsed: boolean; note: string | null }> = [
    { title: "Standard", items: choices.scopes.filter((s) => s.visibility === "public"), collapsed: false, note: null },
    {
      title: "Behind a feature flag",
      items: choices.scopes.filter((s) => s.visibility === "feature_flag"),
      collapsed: false,
      note: "Canvas lists these only where the root account has the flag on.",
    },
    {
      title: "Undocumented",
      items: choices.scopes.filter((s) => s.visibility === "hidden"),
      collapsed: true,
      note: "Accepted by Canvas's schema, but not shown on its developer key screen.",
    },
  ];
  const unknownScopes = draft.scopes.filter((uri) => scopeInfo(choices, uri) === undefined);
  const scopeGroups = groups
    .filter((group) => group.items.length > 0)
    .map((group) => {
      const list = h(
        doc,
        "ul",
        { class: "scope-list" },
        ...group.items.map((info) => scopeItem(info.uri, info.label, scopeTags(doc, info))),
      );
      const anyChecked = group.items.some((info) => draft.scopes.includes(info.uri));
      if (group.collapsed) {
        return h(
          doc,
          "details",
          { class: "scope-group", open: anyChecked },
          h(doc, "summary", { text: `${group.title} (${group.items.length})` }),
          group.note !== null ? h(doc, "p", { class: "hint", text: group.note }) : null,
          list,
        );
      }
      return h(
        doc,
        "div",
        { class: "scope-group" },
        h(doc, "h3", { class: "group-title", text: group.title }),
        group.note !== null ? h(doc, "p", { class: "hint", text: group.note }) : null,
        list,
      );
    });
  if (unknownScopes.length > 0) {
    scopeGroups.push(
      h(
        doc,
        "div",
        { class: "scope-group" },
        h(doc, "h3", { class: "group-title", text: "Not known to Canvas" }),
        h(doc, "ul", { class: "scope-list" }, ...unknownScopes.map((uri) => scopeItem(uri, "Unknown scope", [h(doc, "span", { class: "tag tag-warn", text: "unknown" })]))),
      ),
    );
  }
  const scopesBox = h(doc, "div", { id: "profile-scopes", class: "scopes" }, ...scopeGroups);
  controls.set("scopes", scopesBox);

  // Placements.
  const placementList = h(doc, "div", { id: "profile-placements", class: "placement-list" });
  const placementOptions = [...choices.placements].sort((a, b) => a.label.localeCompare(b.label));

  const syncUsedPlacements = (): void => {
    const rows = placementList.querySelectorAll<HTMLElement>(".placement-row");
    rows.forEach((row, index) => {
      const select = row.querySelector<HTMLSelectElement>("select[data-field=placement]");
      if (select === null) return;
      const usedElsewhere = new Set(draft.placements.filter((_, i) => i !== index).map((p) => p.placement));
      for (const option of Array.from(select.options)) {
        option.disabled = option.value !== "" && usedElsewhere.has(option.value);
      }
    });
  };

  const fillMessageTypes = (select: HTMLSelectElement, row: PlacementDraft): void => {
    const accepted = messageTypesFor(choices, row.placement);
    select.replaceChildren(
      ...accepted.map((type) => {
        const label = choices.message_types.find((choice) => choice.value === type)?.label;
        return h(doc, "option", { value: type, title: label ?? null, text: type });
      }),
    );
    select.disabled = accepted.length === 0;
    select.value = row.message_type;
    select.title = accepted.length === 1 ? `${row.placement} takes only ${accepted[0] ?? ""}` : "";
  };

  const placementNotes = (row: PlacementDraft): HTMLElement[] => {
    const info = placementInfo(choices, row.placement);
    if (info === undefined) return [];
    const notes: HTMLElement[] = [];
    if (info.feature_flag !== null) {
      notes.push(h(doc, "li", { text: `Canvas shows it only with the feature flag ${info.feature_flag} on.` }));
    }
    if (info.needs_approval) {
      notes.push(h(doc, "li", { text: "Only Instructure-approved tools may use it; Canvas warns otherwise." }));
    }
    if (info.deprecated !== null) {
      notes.push(h(doc, "li", { text: `Deprecated: ${info.deprecated}.` }));
    }
    return notes;
  };

  const rowInput = (
    row: PlacementDraft,
    index: number,
    field: "text" | "target_link_uri" | "icon_url" | "required_permissions" | (typeof SIZE_FIELDS)[number],
    placeholder: string,
    mono: boolean,
  ): HTMLElement => {
    const id = `placement-${index}-${field}`;
    const input = h(doc, "input", {
      type: "text",
      id,
      "data-field": field,
      placeholder,
      class: mono ? "mono" : null,
      inputmode: (SIZE_FIELDS as readonly string[]).includes(field) ? "numeric" : null,
      spellcheck: "false",
      autocomplete: "off",
    });
    input.value = row[field];
    input.addEventListener("input", () => {
      row[field] = input.value;
      changed();
    });
    controls.set(`placements.${index}.${field}`, input);
    return h(
      doc,
      "div",
      { class: `field field-${field}` },
      h(doc, "label", { for: id, text: PLACEMENT_LABELS[field] }),
      input,
    );
  };

  const rowSelect = <T extends string>(
    row: PlacementDraft,
    index: number,
    field: "display_type" | "window_target",
    options: Array<{ value: T | ""; label: string }>,
  ): HTMLElement => {
    const id = `placement-${index}-${field}`;
    const select = h(doc, "select", { id, "data-field": field });
    for (const option of options) {
      select.append(h(doc, "option", { value: option.value, text: option.label }));
    }
    select.value = row[field];
    select.addEventListener("change", () => {
      if (field === "display_type") {
        row.display_type = select.value as PlacementDraft["display_type"];
      } else {
        row.window_target = select.value as PlacementDraft["window_target"];
      }
      changed();
    });
    controls.set(`placements.${index}.${field}`, select);
    return h(doc, "div", { class: `field field-${field}` }, h(doc, "label", { for: id, text: PLACEMENT_LABELS[field] }), select);
  };

  const placementRow = (row: PlacementDraft, index: number): HTMLElement => {
    const placementId = `placement-${index}-placement`;
    const typeId = `placement-${index}-message_type`;
    const placementSelect = h(doc, "select", { id: placementId, "data-field": "placement" });
    const placementName = h(doc, "span", { class: "label-aside mono", text: row.placement });
    if (row.placement === "" || placementInfo(choices, row.placement) === undefined) {
      placementSelect.append(h(doc, "option", { value: row.placement, text: row.placement === "" ? "Choose a placement…" : `${row.placement} (unknown)` }));
    }
    for (const info of placementOptions) {
      placementSelect.append(h(doc, "option", { value: info.name, text: info.label }));
    }
    placementSelect.value = row.placement;
    const typeSelect = h(doc, "select", { id: typeId, "data-field": "message_type" });
    fillMessageTypes(typeSelect, row);
    controls.set(`placements.${index}.placement`, placementSelect);
    controls.set(`placements.${index}.message_type`, typeSelect);

    const enabled = h(doc, "input", { type: "checkbox", id: `placement-${index}-enabled`, "data-field": "enabled" });
    enabled.checked = row.enabled;
    enabled.addEventListener("change", () => {
      row.enabled = enabled.checked;
      element.classList.toggle("is-off", !row.enabled);
      changed();
    });

    const notes = h(doc, "ul", { class: "placement-notes" }, ...placementNotes(row));
    notes.hidden = notes.childElementCount === 0;

    placementSelect.addEventListener("change", () => {
      row.placement = placementSelect.value;
      row.message_type = fitMessageType(choices, row.placement, row.message_type);
      fillMessageTypes(typeSelect, row);
      placementName.textContent = row.placement;
      notes.replaceChildren(...placementNotes(row));
      notes.hidden = notes.childElementCount === 0;
      syncUsedPlacements();
      changed();
    });
    typeSelect.addEventListener("change", () => {
      row.message_type = typeSelect.value as PlacementDraft["message_type"];
      changed();
    });

    const remove = h(
      doc,
      "button",
      {
        type: "button",
        class: "btn btn-small btn-icon btn-quiet-danger",
        "data-placement-remove": index,
        title: "Remove this placement",
        "aria-label": `Remove placement ${index + 1}`,
      },
      icon(doc, ICONS.trash),
    );
    remove.addEventListener("click", () => {
      draft.placements.splice(index, 1);
      renderPlacements();
      changed();
    });

    const rowError = h(doc, "p", { class: "field-error row-error", hidden: true });
    errorNodes.set(`placements.${index}`, rowError);

    const more = h(
      doc,
      "details",
      { class: "placement-more", open: hasLaunchSettings(row) },
      h(doc, "summary", { text: "Launch settings" }),
      h(
        doc,
        "div",
        { class: "placement-grid" },
        rowInput(row, index, "target_link_uri", "Tool's target link URI", true),
        rowInput(row, index, "icon_url", "https://quiz.example.com/icon.svg", true),
        h(
          doc,
          "div",
          { class: "size-grid" },
          rowInput(row, index, "selection_width", "px", false),
          rowInput(row, index, "selection_height", "px", false),
          rowInput(row, index, "launch_width", "px", false),
          rowInput(row, index, "launch_height", "px", false),
        ),
        rowSelect(row, index, "display_type", [
          { value: "", label: "Canvas default" },
          ...choices.display_types.map((choice) => ({ value: choice.value, label: choice.label })),
        ]),
        rowSelect(row, index, "window_target", [
          { value: "", label: "In Canvas (frame)" },
          ...choices.window_targets.map((choice) => ({ value: choice.value, label: `${choice.label} (${choice.value})` })),
        ]),
        rowInput(row, index, "required_permissions", "manage_course_content_add, …", true),
      ),
    );

    const element = h(
      doc,
      "div",
      { class: row.enabled ? "placement-row" : "placement-row is-off", "data-index": index },
      h(
        doc,
        "div",
        { class: "placement-main" },
        h(doc, "span", { class: "placement-index", "aria-hidden": "true", text: String(index + 1) }),
        h(doc, "div", { class: "field field-placement" }, h(doc, "label", { for: placementId, class: "label-row" }, h(doc, "span", { text: "Placement" }), placementName), placementSelect),
        h(doc, "div", { class: "field field-message-type" }, h(doc, "label", { for: typeId, text: "Message type" }), typeSelect),
        rowInput(row, index, "text", "Tool title", false),
        h(
          doc,
          "label",
          { class: "toggle", for: `placement-${index}-enabled` },
          enabled,
          h(doc, "span", { text: "Enabled" }),
        ),
        remove,
      ),
      notes,
      rowError,
      more,
    );
    return element;
  };

  const renderPlacements = (): void => {
    for (const key of [...controls.keys()]) {
      if (key.startsWith("placements.")) controls.delete(key);
    }
    for (const key of [...errorNodes.keys()]) {
      if (key.startsWith("placements.")) errorNodes.delete(key);
    }
    if (draft.placements.length === 0) {
      placementList.replaceChildren(
        h(doc, "p", { class: "empty-note", text: "No placements yet: the tool would appear nowhere in Canvas." }),
      );
      return;
    }
    placementList.replaceChildren(...draft.placements.map((row, index) => placementRow(row, index)));
    syncUsedPlacements();
  };
  renderPlacements();

  const addPlacement = h(doc, "button", { type: "button", id: "placement-add", class: "btn btn-small" }, icon(doc, PLUS_ICON), "Add placement");
  addPlacement.addEventListener("click", () => {
    draft.placements.push(newPlacementDraft(choices, draft.placements.map((p) => p.placement)));
    renderPlacements();
    changed();
    placementList.querySelector<HTMLSelectElement>(".placement-row:last-child select[data-field=placement]")?.focus();
  });

  // The save bar, pinned above the form.
  const summary = h(doc, "div", { id: "profile-error", class: "form-error", role: "alert", hidden: true });
  const save = h(doc, "button", { type: "submit", id: "profile-save", class: "btn btn-primary" }, "Save profile");
  const cancel = h(doc, "button", { type: "button", id: "profile-cancel", class: "btn" }, "Cancel");
  cancel.addEventListener("click", () => handlers.onCancel());

  const element = h(
    doc,
    "form",
    { id: "profile-form", class: "profile-form", novalidate: true, "aria-label": "Edit the tool profile" },
    h(
      doc,
      "div",
      { class: "form-bar" },
      h(doc, "div", { class: "form-bar-title" }, h(doc, "strong", { text: "Editing the profile" }), h(doc, "span", { class: "muted small", text: "Nothing is saved until you save." })),
      summary,
      h(doc, "div", { class: "form-bar-actions" }, cancel, save),
    ),
    section(doc, "profile-general", "General", null, h(doc, "div", { class: "form-grid two" }, ...GENERAL.map(textField))),
    section(
      doc,
      "profile-endpoints",
      "LTI endpoints",
      "https:// is required; http:// only for localhost, 127.0.0.1 and [::1].",
      h(doc, "div", { class: "form-grid two" }, ...ENDPOINTS.map(textField)),
    ),
    section(
      doc,
      "profile-canvas",
      "Canvas settings",
      null,
      h(doc, "div", { class: "form-grid three" }, privacyField, ...CANVAS_TEXT.map(textField)),
    ),
    section(
      doc,
      "profile-custom",
      "Custom fields",
      "Sent with every launch, e.g. canvas_user_id = $Canvas.user.id.",
      customList,
      customError,
      h(doc, "div", { class: "section-actions" }, addCustom),
    ),
    section(doc, "profile-scope", "Scopes", "The LTI Advantage and Canvas services the tool may call.", scopesBox, scopeError),
    section(
      doc,
      "profile-placement",
      "Placements",
      "Where the tool appears in Canvas. Each placement accepts only some message types.",
      placementList,
      h(doc, "div", { class: "section-actions" }, addPlacement),
    ),
  );

  const showErrors = (errors: ProfileErrors, message?: string): void => {
    for (const node of errorNodes.values()) {
      node.textContent = "";
      node.hidden = true;
    }
    for (const control of element.querySelectorAll("[aria-invalid]")) {
      control.removeAttribute("aria-invalid");
    }
    const entries = Object.entries(errors);
    for (const [key, text] of entries) {
      const control = controls.get(key);
      control?.setAttribute("aria-invalid", "true");
      const rowKey = /^placements\.\d+/.exec(key)?.[0];
      const customKey = key.startsWith("customFields") ? "customFields" : null;
      const node = errorNodes.get(key) ?? (rowKey !== undefined ? errorNodes.get(rowKey) : undefined) ?? (customKey !== null ? errorNodes.get(customKey) : undefined);
      if (node !== undefined) {
        node.textContent = node.textContent === "" ? text : `${node.textContent} ${text}`;
        node.hidden = false;
      }
      const details = control?.closest("details");
      if (details !== null && details !== undefined) {
        details.open = true;
      }
    }
    const text =
      message ?? (entries.length === 0 ? "" : `Fix ${entries.length === 1 ? "the field" : `the ${entries.length} fields`} marked below, then save again.`);
    summary.textContent = text;
    summary.hidden = text === "";
  };

  let busy = false;
  const setBusy = (value: boolean): void => {
    busy = value;
    save.disabled = value;
    save.classList.toggle("is-busy", value);
    save.textContent = value ? "Saving…" : "Save profile";
  };

  const focusFirstError = (): void => {
    const first = element.querySelector<HTMLElement>("[aria-invalid=true]");
    (first ?? summary).focus();
    first?.scrollIntoView?.({ block: "center" });
  };

  element.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    const result = buildToolProfile(tool, draft, choices);
    if (!result.ok) {
      showErrors(result.errors);
      focusFirstError();
      return;
    }
    showErrors({});
    handlers.onSave(result.input);
  });

  return {
    element,
    draft: () => structuredClone(draft),
    showErrors: (errors, message) => {
      showErrors(errors, message);
      if (Object.keys(errors).length > 0) focusFirstError();
    },
    setBusy,
    focusFirst: () => controls.get("name")?.focus(),
  };
}
