// A tool's registrations: the add form (platform, client_id, deployment ids with labels), each
// registration with its deployments, and the admin hand-off of the selected one.

import { h, icon, ICONS } from "../lib/dom";
import { formatDateTime, plural } from "../lib/format";
import type { HandoffView, NewDeployment, Platform, Registration } from "../lib/ipc/bindings";
import { buildDeployments, familyName, handoffJson, handoffRows, handoffValueText } from "../lib/platforms";
import { findingsList } from "./findings";

const PLUS_ICON = ["M12 5v14", "M5 12h14"];

export type DeploymentDraft = { deploymentId: string; label: string };

/** The add form as typed, kept while the user looks elsewhere. */
export type RegistrationDraft = {
  open: boolean;
  platform: string;
  clientId: string;
  deployments: DeploymentDraft[];
};

export const EMPTY_REGISTRATION_DRAFT: RegistrationDraft = {
  open: false,
  platform: "",
  clientId: "",
  deployments: [{ deploymentId: "", label: "" }],
};

export type NewRegistrationInput = { platform: string; client_id: string; deployments: NewDeployment[] };

export type RegistrationsHandlers = {
  onAdd(input: NewRegistrationInput): void;
  onAddDeployment(registration: string, deployment: NewDeployment): void;
  onRemoveDeployment(registration: string, deploymentId: string): void;
  onSelect(registration: string): void;
  onCopy(text: string, what: string): void;
  onOpenPlatforms(): void;
  onDraftChange(draft: RegistrationDraft): void;
};

export type RegistrationsView = {
  element: HTMLElement;
  setData(registrations: readonly Registration[], platforms: readonly Platform[], selected: string | null): void;
  setHandoff(registration: string, handoff: HandoffView | null, error?: string): void;
  setFormBusy(busy: boolean): void;
  showFormError(message: string, field?: "platform" | "client_id" | "deployments"): void;
  /** Closes the add form and forgets what was typed (after a successful add). */
  resetForm(): void;
  /** Shows an error under the registration's deployments (typed values stay). */
  showDeploymentError(registration: string, message: string): void;
};

/** The first element under `root` whose `attribute` equals `value` (ids may need escaping). */
function byAttribute(root: ParentNode, attribute: string, value: string): HTMLElement | null {
  return Array.from(root.querySelectorAll<HTMLElement>(`[${attribute}]`)).find((node) => node.getAttribute(attribute) === value) ?? null;
}

function dateOnly(iso: string): string {
  return formatDateTime(iso).slice(0, 10);
}

export function createRegistrationsPanel(
  doc: Document,
  initial: RegistrationDraft,
  handlers: RegistrationsHandlers,
): RegistrationsView {
  const draft: RegistrationDraft = structuredClone(initial);
  let registrations: readonly Registration[] = [];
  let platforms: readonly Platform[] = [];
  let selected: string | null = null;
  let handoff: { registration: string; view: HandoffView | null; error: string | null } | null = null;
  let confirming: { registration: string; deploymentId: string } | null = null;
  const changed = (): void => handlers.onDraftChange(structuredClone(draft));

  // Add form.
  const platformSelect = h(doc, "select", { id: "registration-platform", name: "platform" });
  const clientId = h(doc, "input", {
    id: "registration-client-id",
    type: "text",
    class: "mono",
    placeholder: "10000000000001",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "registration-client-id-hint",
  });
  clientId.value = draft.clientId;
  const deploymentRows = h(doc, "div", { id: "registration-deployments", class: "deployment-rows" });
  const formError = h(doc, "div", { id: "registration-error", class: "form-error", role: "alert", hidden: true });
  const noPlatforms = h(doc, "div", { class: "notice notice-info", hidden: true });
  const toPlatforms = h(doc, "button", { type: "button", class: "btn btn-small" }, "Add a platform");
  toPlatforms.addEventListener("click", () => handlers.onOpenPlatforms());
  noPlatforms.append(h(doc, "p", { text: "No platforms yet: add the LMS first (a preset fills in its issuer and endpoints)." }), toPlatforms);

  const renderDeploymentRows = (): void => {
    deploymentRows.replaceChildren(
      ...draft.deployments.map((row, index) => {
        const id = h(doc, "input", {
          type: "text",
          class: "mono",
          "data-field": "deployment_id",
          placeholder: index === 0 ? "2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2" : "deployment_id",
          "aria-label": `Deployment ${index + 1} id`,
          spellcheck: "false",
          autocomplete: "off",
        });
        id.value = row.deploymentId;
        const label = h(doc, "input", {
          type: "text",
          "data-field": "label",
          placeholder: "Label, e.g. Biology 101 (optional)",
          "aria-label": `Deployment ${index + 1} label`,
          autocomplete: "off",
        });
        label.value = row.label;
        id.addEventListener("input", () => {
          row.deploymentId = id.value;
          changed();
        });
        label.addEventListener("input", () => {
          row.label = label.value;
          changed();
        });
        const remove = h(
          doc,
          "button",
          {
            type: "button",
            class: "btn btn-small btn-icon btn-quiet-danger",
            title: "Remove this row",
            "aria-label": `Remove deployment row ${index + 1}`,
            "data-deployment-row-remove": index,
          },
          icon(doc, ICONS.trash),
        );
        remove.disabled = draft.deployments.length === 1;
        remove.addEventListener("click", () => {
          draft.deployments.splice(index, 1);
          renderDeploymentRows();
          changed();
        });
        return h(doc, "div", { class: "deployment-row" }, id, label, remove);
      }),
    );
  };
  renderDeploymentRows();

  const addRow = h(doc, "button", { type: "button", id: "registration-deployment-add", class: "btn btn-small" }, icon(doc, PLUS_ICON), "Another deployment");
  addRow.addEventListener("click", () => {
    draft.deployments.push({ deploymentId: "", label: "" });
    renderDeploymentRows();
    changed();
    deploymentRows.querySelector<HTMLInputElement>(".deployment-row:last-child input[data-field=deployment_id]")?.focus();
  });

  const save = h(doc, "button", { type: "submit", id: "registration-save", class: "btn btn-primary" }, "Save registration");
  const cancel = h(doc, "button", { type: "button", id: "registration-cancel", class: "btn" }, "Cancel");
  const fields = h(
    doc,
    "div",
    { class: "form-grid two" },
    h(doc, "div", { class: "field" }, h(doc, "label", { for: "registration-platform", text: "Platform" }), platformSelect),
    h(
      doc,
      "div",
      { class: "field" },
      h(doc, "label", { for: "registration-client-id" }, "client_id", h(doc, "span", { class: "required", "aria-hidden": "true", text: " *" })),
      clientId,
      h(doc, "p", { class: "hint", id: "registration-client-id-hint", text: "What the platform calls the tool: Canvas's developer key id, Moodle's Client ID." }),
    ),
    h(
      doc,
      "div",
      { class: "field span-2" },
      h(doc, "span", { class: "label", id: "registration-deployments-label", text: "Deployment ids" }),
      h(doc, "p", { class: "hint", text: "Each course or account install adds one. Add them now or later." }),
      deploymentRows,
      h(doc, "div", {}, addRow),
    ),
  );
  const form = h(
    doc,
    "form",
    { id: "registration-form", class: "subform", novalidate: true, "aria-label": "Add a registration", hidden: !draft.open },
    h(doc, "h3", { class: "subform-title", text: "New registration" }),
    noPlatforms,
    fields,
    formError,
    h(doc, "div", { class: "form-actions" }, save, cancel),
  );
  platformSelect.addEventListener("change", () => {
    draft.platform = platformSelect.value;
    changed();
  });
  clientId.addEventListener("input", () => {
    draft.clientId = clientId.value;
    changed();
  });

  const showFormError = (message: string, field?: "platform" | "client_id" | "deployments"): void => {
    formError.textContent = message;
    formError.hidden = message === "";
    clientId.toggleAttribute("aria-invalid", field === "client_id");
    platformSelect.toggleAttribute("aria-invalid", field === "platform");
    if (field === "client_id") clientId.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (save.disabled) return;
    if (platformSelect.value === "") {
      showFormError("Platform: add a platform first, then pick it here.", "platform");
      return;
    }
    const client = clientId.value.trim();
    if (client === "") {
      showFormError("client_id: enter the client_id the platform gave the tool.", "client_id");
      return;
    }
    if (/\s/.test(client)) {
      showFormError("client_id: a client_id has no spaces; copy it exactly.", "client_id");
      return;
    }
    const built = buildDeployments(draft.deployments);
    if (!built.ok) {
      showFormError(built.error, "deployments");
      deploymentRows.querySelectorAll<HTMLInputElement>("input[data-field=deployment_id]")[built.index]?.focus();
      return;
    }
    showFormError("");
    handlers.onAdd({ platform: platformSelect.value, client_id: client, deployments: built.deployments });
  });

  const addButton = h(doc, "button", { type: "button", id: "registration-add", class: "btn btn-primary" }, icon(doc, PLUS_ICON), "Add registration");
  addButton.addEventListener("click", () => {
    draft.open = true;
    form.hidden = false;
    changed();
    (platforms.length === 0 ? toPlatforms : platformSelect).focus();
  });
  cancel.addEventListener("click", () => {
    draft.open = false;
    form.hidden = true;
    showFormError("");
    changed();
  });

  // The list.
  const count = h(doc, "span", { class: "count muted" });
  const list = h(doc, "div", { id: "registration-list", class: "registration-list" });

  const handoffSection = (registration: Registration): HTMLElement => {
    const section = h(doc, "section", { id: "handoff", class: "handoff", "data-registration-id": registration.id, "aria-labelledby": "handoff-heading" });
    const current = handoff !== null && handoff.registration === registration.id ? handoff : null;
    const header = h(
      doc,
      "div",
      { class: "handoff-header" },
      h(
        doc,
        "div",
        {},
        h(doc, "h3", { id: "handoff-heading", text: "Hand-off" }),
        h(doc, "p", { class: "muted small", text: "The values the tool's server needs for this registration, ready to send." }),
      ),
    );
    section.append(header);
    if (current === null || (current.view === null && current.error === null)) {
      section.append(h(doc, "p", { class: "loading muted", text: "Loading…" }));
      return section;
    }
    if (current.view === null) {
      section.append(h(doc, "p", { class: "field-error", text: current.error ?? "" }));
      return section;
    }
    const view = current.view;
    const copyText = h(doc, "button", { type: "button", id: "handoff-copy-text", class: "btn btn-small" }, icon(doc, ICONS.copy), "Copy as text");
    const copyJson = h(doc, "button", { type: "button", id: "handoff-copy-json", class: "btn btn-small" }, icon(doc, ICONS.copy), "Copy as JSON");
    copyText.addEventListener("click", () => handlers.onCopy(view.text, "Hand-off"));
    copyJson.addEventListener("click", () => handlers.onCopy(handoffJson(view.handoff), "Hand-off JSON"));
    header.append(h(doc, "div", { class: "card-actions" }, copyText, copyJson));
    const labels = new Map(view.handoff.deployments.map((d) => [d.deployment_id, d.label]));
    const rows = handoffRows(view.handoff).map((row) => {
      const copy = h(
        doc,
        "button",
        {
          type: "button",
          class: "btn btn-small btn-icon",
          "data-copy-handoff": row.field,
          title: `Copy ${row.label}`,
          "aria-label": `Copy ${row.label}`,
        },
        icon(doc, ICONS.copy),
      );
      copy.disabled = row.values.length === 0;
      copy.addEventListener("click", () => handlers.onCopy(handoffValueText(row.values), row.label));
      const values =
        row.values.length === 0
          ? [h(doc, "span", { class: "muted", text: "None recorded yet" })]
          : row.values.map((value) => {
              const label = row.field === "deployment_ids" ? labels.get(value) ?? null : null;
              return h(
                doc,
                "span",
                { class: "handoff-value" },
                h(doc, "span", { class: "mono selectable", text: value }),
                label !== null ? h(doc, "span", { class: "muted small", text: ` ${label}` }) : null,
              );
            });
      return h(
        doc,
        "div",
        { class: "handoff-row", "data-handoff-field": row.field },
        h(doc, "dt", { text: row.label }),
        h(doc, "dd", {}, h(doc, "div", { class: "handoff-values" }, ...values), copy),
      );
    });
    section.append(h(doc, "dl", { class: "handoff-list" }, ...rows));
    if (view.handoff.findings.length > 0) {
      section.append(findingsList(doc, view.handoff.findings, { id: "handoff-findings" }, { showPath: false }));
    }
    return section;
  };

  const deploymentsTable = (registration: Registration): HTMLElement => {
    if (registration.deployments.length === 0) {
      return h(doc, "p", { class: "empty-note", text: "No deployment ids yet. Add one when the platform shows it." });
    }
    const rows = registration.deployments.map((deployment) => {
      const isConfirming =
        confirming !== null && confirming.registration === registration.id && confirming.deploymentId === deployment.deployment_id;
      const actions = isConfirming
        ? h(
            doc,
            "div",
            { class: "confirm", role: "group", "aria-label": `Remove deployment ${deployment.deployment_id}?` },
            h(doc, "button", { type: "button", class: "btn btn-danger btn-small", "data-confirm-remove-deployment": deployment.deployment_id }, "Remove?"),
            h(doc, "button", { type: "button", class: "btn btn-small", "data-cancel-remove-deployment": deployment.deployment_id }, "Cancel"),
          )
        : h(
            doc,
            "button",
            {
              type: "button",
              class: "btn btn-small btn-icon btn-quiet-danger",
              "data-remove-deployment": deployment.deployment_id,
              title: "Remove this deployment id",
              "aria-label": `Remove deployment ${deployment.deployment_id}`,
            },
            icon(doc, ICONS.trash),
          );
      return h(
        doc,
        "tr",
        { "data-deployment-id": deployment.deployment_id, class: isConfirming ? "row-confirm" : null },
        h(doc, "td", { class: "deployment-id mono selectable", text: deployment.deployment_id }),
        h(doc, "td", { class: "deployment-label" }, deployment.label ?? h(doc, "span", { class: "muted", text: "—" })),
        h(doc, "td", { class: "deployment-added" }, h(doc, "time", { datetime: deployment.added_at, title: deployment.added_at, text: dateOnly(deployment.added_at) })),
        h(doc, "td", { class: "actions" }, actions),
      );
    });
    return h(
      doc,
      "div",
      { class: "table-wrap" },
      h(
        doc,
        "table",
        { class: "grid-table deployments-table" },
        h(
          doc,
          "thead",
          {},
          h(
            doc,
            "tr",
            {},
            h(doc, "th", { scope: "col", text: "Deployment id" }),
            h(doc, "th", { scope: "col", text: "Label" }),
            h(doc, "th", { scope: "col", class: "col-added", text: "Added" }),
            h(doc, "th", { scope: "col", class: "col-actions" }, h(doc, "span", { class: "visually-hidden", text: "Actions" })),
          ),
        ),
        h(doc, "tbody", {}, ...rows),
      ),
    );
  };

  const registrationCard = (registration: Registration): HTMLElement => {
    const platform = platforms.find((p) => p.id === registration.platform_id);
    const isSelected = registration.id === selected;
    const newId = h(doc, "input", {
      type: "text",
      class: "mono deployment-new-id",
      placeholder: "New deployment_id",
      "aria-label": `New deployment id for ${registration.platform_name}`,
      spellcheck: "false",
      autocomplete: "off",
    });
    const newLabel = h(doc, "input", {
      type: "text",
      class: "deployment-new-label",
      placeholder: "Label (optional)",
      "aria-label": "New deployment label",
      autocomplete: "off",
    });
    const addDeployment = h(doc, "button", { type: "submit", class: "btn btn-small", "data-add-deployment": registration.id }, icon(doc, PLUS_ICON), "Add");
    const deploymentError = h(doc, "p", { class: "field-error", "data-deployment-error": registration.id, hidden: true });
    const addForm = h(
      doc,
      "form",
      { class: "deployment-add", novalidate: true, "aria-label": "Add a deployment id" },
      newId,
      newLabel,
      addDeployment,
    );
    addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const id = newId.value.trim();
      if (id === "" || /\s/.test(id)) {
        deploymentError.textContent = id === "" ? "Deployment id: enter the deployment_id the platform shows." : "Deployment id: it has no spaces; copy it exactly.";
        deploymentError.hidden = false;
        newId.setAttribute("aria-invalid", "true");
        newId.focus();
        return;
      }
      deploymentError.hidden = true;
      newId.removeAttribute("aria-invalid");
      const label = newLabel.value.trim();
      handlers.onAddDeployment(registration.id, { deployment_id: id, label: label === "" ? null : label });
    });

    const toggle = h(
      doc,
      "button",
      { type: "button", class: isSelected ? "btn btn-small is-active" : "btn btn-small", "data-show-handoff": registration.id, "aria-expanded": isSelected ? "true" : "false" },
      isSelected ? "Hide hand-off" : "Show hand-off",
    );
    toggle.addEventListener("click", () => handlers.onSelect(isSelected ? "" : registration.id));

    return h(
      doc,
      "article",
      { class: isSelected ? "registration is-selected" : "registration", "data-registration-id": registration.id },
      h(
        doc,
        "header",
        { class: "registration-header" },
        h(
          doc,
          "div",
          { class: "registration-title" },
          h(doc, "h3", { text: registration.platform_name }),
          platform !== undefined ? h(doc, "span", { class: "tag tag-family", text: familyName(platform.family) }) : null,
        ),
        toggle,
      ),
      h(
        doc,
        "dl",
        { class: "details compact" },
        h(doc, "dt", { text: "client_id" }),
        h(doc, "dd", { class: "mono selectable registration-client-id", text: registration.client_id }),
        h(doc, "dt", { text: "Issuer" }),
        h(doc, "dd", { class: "mono selectable", text: registration.issuer }),
      ),
      h(doc, "h4", { class: "group-title" }, "Deployments ", h(doc, "span", { class: "count muted", text: `(${registration.deployments.length})` })),
      deploymentsTable(registration),
      addForm,
      deploymentError,
      isSelected ? handoffSection(registration) : null,
    );
  };

  const renderList = (): void => {
    count.textContent = `(${registrations.length})`;
    if (registrations.length === 0) {
      list.replaceChildren(
        h(doc, "p", { class: "empty-note", text: "Not registered on any platform yet. Add the client_id a platform gave this tool." }),
      );
      return;
    }
    list.replaceChildren(...registrations.map(registrationCard));
  };

  list.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (target === null) return;
    const card = target.closest<HTMLElement>("[data-registration-id]");
    const registration = card?.getAttribute("data-registration-id") ?? "";
    const remove = target.getAttribute("data-remove-deployment");
    const confirm = target.getAttribute("data-confirm-remove-deployment");
    if (remove !== null) {
      confirming = { registration, deploymentId: remove };
      renderList();
    } else if (confirm !== null) {
      confirming = null;
      target.disabled = true;
      handlers.onRemoveDeployment(registration, confirm);
    } else if (target.hasAttribute("data-cancel-remove-deployment")) {
      confirming = null;
      renderList();
    }
  });

  const renderPlatformOptions = (): void => {
    const wanted = draft.platform !== "" ? draft.platform : platformSelect.value;
    platformSelect.replaceChildren(
      ...platforms.map((platform) => h(doc, "option", { value: platform.id, text: `${platform.name} · ${familyName(platform.family)}` })),
    );
    if (platforms.some((platform) => platform.id === wanted)) {
      platformSelect.value = wanted;
    }
    const none = platforms.length === 0;
    noPlatforms.hidden = !none;
    fields.hidden = none;
    save.disabled = none;
  };

  const element = h(
    doc,
    "section",
    { class: "card", "aria-labelledby": "registrations-heading" },
    h(
      doc,
      "div",
      { class: "card-header" },
      h(doc, "h2", { id: "registrations-heading" }, "Registrations ", count),
      h(doc, "div", { class: "card-actions" }, addButton),
    ),
    h(doc, "p", {
      class: "muted small section-intro",
      text: "Each platform gives the tool a client_id; each course or account install adds a deployment id.",
    }),
    form,
    list,
  );
  renderList();
  renderPlatformOptions();

  return {
    element,
    setData(nextRegistrations, nextPlatforms, nextSelected) {
      registrations = nextRegistrations;
      platforms = nextPlatforms;
      selected = nextSelected;
      if (confirming !== null && !registrations.some((r) => r.id === confirming?.registration && r.deployments.some((d) => d.deployment_id === confirming?.deploymentId))) {
        confirming = null;
      }
      renderPlatformOptions();
      renderList();
    },
    setHandoff(registration, view, error) {
      handoff = { registration, view, error: error ?? null };
      if (registration === selected) {
        const old = list.querySelector("#handoff");
        const card = byAttribute(list, "data-registration-id", registration);
        const found = registrations.find((r) => r.id === registration);
        if (card !== null && found !== undefined) {
          const next = handoffSection(found);
          if (old !== null) old.replaceWith(next);
          else card.append(next);
        }
      }
    },
    setFormBusy(busy) {
      save.disabled = busy || platforms.length === 0;
      save.classList.toggle("is-busy", busy);
      save.textContent = busy ? "Saving…" : "Save registration";
    },
    showFormError,
    resetForm() {
      draft.open = false;
      draft.platform = platformSelect.value;
      draft.clientId = "";
      draft.deployments = [{ deploymentId: "", label: "" }];
      clientId.value = "";
      renderDeploymentRows();
      showFormError("");
      form.hidden = true;
      changed();
    },
    showDeploymentError(registration, message) {
      const node = byAttribute(list, "data-deployment-error", registration);
      if (node !== null) {
        node.textContent = message;
        node.hidden = false;
      }
    },
  };
}

/** "2 deployments" for summaries. */
export function deploymentCount(registration: Registration): string {
  return plural(registration.deployments.length, "deployment");
}
