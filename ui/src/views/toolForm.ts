// The "New tool" form: fields, client-side validation messages, and a busy state while saving.

import { h } from "../lib/dom";
import type { ToolProfile } from "../lib/ipc/bindings";
import {
  TOOL_FIELD_LABELS,
  validateToolForm,
  type ToolField,
  type ToolFormValues,
} from "../lib/validation";

type FieldSpec = {
  field: ToolField;
  id: string;
  kind: "text" | "url" | "textarea";
  hint: string;
  placeholder: string;
  required?: boolean;
};

const FIELDS: FieldSpec[] = [
  { field: "name", id: "tool-name", kind: "text", hint: "", placeholder: "Quiz Builder", required: true },
  {
    field: "description",
    id: "tool-description",
    kind: "text",
    hint: "Optional. Shown to LMS admins in exports.",
    placeholder: "Graded quizzes for Canvas and Moodle",
  },
  {
    field: "domain",
    id: "tool-domain",
    kind: "text",
    hint: "Host name only, without https://.",
    placeholder: "quiz.example.com",
  },
  {
    field: "loginUrl",
    id: "tool-login-url",
    kind: "url",
    hint: "OIDC login initiation URL the platform calls first.",
    placeholder: "https://quiz.example.com/lti/login",
  },
  {
    field: "launchUrl",
    id: "tool-launch-url",
    kind: "url",
    hint: "Target link URI of the launch.",
    placeholder: "https://quiz.example.com/lti/launch",
  },
  {
    field: "redirectUris",
    id: "tool-redirect-uris",
    kind: "textarea",
    hint: "One per line.",
    placeholder: "https://quiz.example.com/lti/launch",
  },
  {
    field: "jwksUrl",
    id: "tool-jwks-url",
    kind: "url",
    hint: "Where the tool publishes its public keys. Optional.",
    placeholder: "https://quiz.example.com/.well-known/jwks.json",
  },
];

export const EMPTY_TOOL_FORM: ToolFormValues = {
  name: "",
  description: "",
  domain: "",
  loginUrl: "",
  launchUrl: "",
  redirectUris: "",
  jwksUrl: "",
};

export type ToolFormView = {
  element: HTMLFormElement;
  values(): ToolFormValues;
  showErrors(errors: Partial<Record<ToolField, string>>): void;
  setBusy(busy: boolean): void;
  focusFirst(): void;
};

export type ToolFormOptions = {
  initial?: ToolFormValues;
  /** Called with a valid `ToolProfile`; never called while the form has errors. */
  onSubmit(input: ToolProfile): void;
  onCancel(): void;
  /** Called on every edit, so a draft can be kept. */
  onChange?(values: ToolFormValues): void;
};

export function createToolForm(doc: Document, options: ToolFormOptions): ToolFormView {
  const initial = options.initial ?? EMPTY_TOOL_FORM;
  const controls = new Map<ToolField, HTMLInputElement | HTMLTextAreaElement>();
  const errorNodes = new Map<ToolField, HTMLElement>();

  const saveButton = h(doc, "button", { type: "submit", id: "tool-save", class: "btn btn-primary" }, "Save tool");
  const cancelButton = h(doc, "button", { type: "button", class: "btn", id: "tool-cancel" }, "Cancel");

  const fieldNodes = FIELDS.map((spec) => {
    const errorId = `${spec.id}-error`;
    const hintId = `${spec.id}-hint`;
    const describedBy = [spec.hint !== "" ? hintId : null, errorId].filter(Boolean).join(" ");
    const common = {
      id: spec.id,
      name: spec.field,
      placeholder: spec.placeholder,
      "aria-describedby": describedBy,
      "aria-required": spec.required === true ? "true" : null,
      spellcheck: "false",
      autocomplete: "off",
    };
    const control =
      spec.kind === "textarea"
        ? h(doc, "textarea", { ...common, rows: 3, class: "mono" })
        : h(doc, "input", {
            ...common,
            type: spec.kind,
            class: spec.kind === "url" ? "mono" : null,
            autocapitalize: "off",
          });
    control.value = initial[spec.field];
    controls.set(spec.field, control);
    const error = h(doc, "p", { class: "field-error", id: errorId, hidden: true });
    errorNodes.set(spec.field, error);
    return h(
      doc,
      "div",
      { class: `field field-${spec.field}` },
      h(
        doc,
        "label",
        { for: spec.id },
        TOOL_FIELD_LABELS[spec.field],
        spec.required === true ? h(doc, "span", { class: "required", "aria-hidden": "true", text: " *" }) : null,
      ),
      control,
      spec.hint !== "" ? h(doc, "p", { class: "hint", id: hintId, text: spec.hint }) : null,
      error,
    );
  });

  const form = h(
    doc,
    "form",
    { id: "tool-form", class: "card tool-form", novalidate: true, "aria-labelledby": "tool-form-title" },
    h(doc, "h1", { id: "tool-form-title", class: "page-title", text: "New tool" }),
    h(doc, "p", {
      class: "muted",
      text: "Describe the LTI 1.3 tool. You can generate its keys once it is saved.",
    }),
    h(doc, "div", { class: "form-grid" }, ...fieldNodes),
    h(doc, "div", { class: "form-actions" }, saveButton, cancelButton),
  );

  const values = (): ToolFormValues => {
    const read = (field: ToolField): string => controls.get(field)?.value ?? "";
    return {
      name: read("name"),
      description: read("description"),
      domain: read("domain"),
      loginUrl: read("loginUrl"),
      launchUrl: read("launchUrl"),
      redirectUris: read("redirectUris"),
      jwksUrl: read("jwksUrl"),
    };
  };

  const showErrors = (errors: Partial<Record<ToolField, string>>): void => {
    for (const spec of FIELDS) {
      const message = errors[spec.field];
      const node = errorNodes.get(spec.field);
      const control = controls.get(spec.field);
      if (node === undefined || control === undefined) {
        continue;
      }
      node.textContent = message ?? "";
      node.hidden = message === undefined;
      if (message === undefined) {
        control.removeAttribute("aria-invalid");
      } else {
        control.setAttribute("aria-invalid", "true");
      }
    }
  };

  let busy = false;
  const setBusy = (value: boolean): void => {
    busy = value;
    saveButton.disabled = value;
    saveButton.classList.toggle("is-busy", value);
    saveButton.textContent = value ? "Saving…" : "Save tool";
  };

  form.addEventListener("input", () => options.onChange?.(values()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const result = validateToolForm(values());
    if (!result.ok) {
      showErrors(result.errors);
      const first = FIELDS.find((spec) => result.errors[spec.field] !== undefined);
      if (first !== undefined) {
        controls.get(first.field)?.focus();
      }
      return;
    }
    showErrors({});
    options.onSubmit(result.input);
  });
  cancelButton.addEventListener("click", () => options.onCancel());

  return {
    element: form,
    values,
    showErrors,
    setBusy,
    focusFirst: () => controls.get("name")?.focus(),
  };
}
