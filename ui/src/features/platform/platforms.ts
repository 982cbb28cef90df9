// Platforms: what a preset needs from the user, the values it will fill in, the NewPlatform to
// send, the PlatformUpdate of an edit, discovery changes as display rows, and the registration
// hand-off as text and JSON.

import type {
  DiscoveryOutcome,
  Handoff,
  IpcError,
  NewDeployment,
  NewPlatform,
  Platform,
  PlatformFamily,
  PlatformUpdate,
  Preset,
} from "../../lib/ipc/bindings";
import { checkUrl } from "../../lib/validation";

/** The endpoint fields of a platform, in display order. */
export const ENDPOINT_FIELDS = ["issuer", "auth_url", "token_url", "token_audience", "jwks_url", "openid_configuration_url"] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];

export const ENDPOINT_LABELS: Record<EndpointField, string> = {
  issuer: "Issuer (iss)",
  auth_url: "OIDC auth URL",
  token_url: "Token URL",
  token_audience: "Token audience",
  jwks_url: "Platform JWKS URL",
  openid_configuration_url: "OpenID configuration URL",
};

/** The endpoints every platform must have. */
export const REQUIRED_ENDPOINTS = ["issuer", "auth_url", "token_url", "jwks_url"] as const;

const FIELD_LABELS: Record<string, string> = {
  ...ENDPOINT_LABELS,
  name: "Name",
  family: "Family",
  base_url: "Base URL",
  registration_endpoint: "Registration endpoint",
};

/** A label for a platform field named as in `Platform` (`auth_url`, ...). */
export function platformFieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/_/g, " ");
}

/** A short family name for badges: "Canvas cloud", "Moodle", ... */
export function familyName(family: PlatformFamily): string {
  switch (family) {
    case "canvas-cloud":
      return "Canvas cloud";
    case "canvas-beta":
      return "Canvas beta";
    case "canvas-test":
      return "Canvas test";
    case "canvas-self-hosted":
      return "Canvas self-hosted";
    case "moodle":
      return "Moodle";
    case "brightspace":
      return "Brightspace";
    case "blackboard":
      return "Blackboard";
    case "sakai":
      return "Sakai";
    case "schoology":
      return "Schoology";
    case "openedx":
      return "Open edX";
    case "custom":
      return "Other";
  }
}

/** `{base_url}` in a template replaced by the base URL (without a trailing slash), when given. */
export function fillTemplate(template: string, baseUrl: string): string {
  const base = baseUrl.trim().replace(/\/+$/, "");
  return base === "" ? template : template.split("{base_url}").join(base);
}

/** The placeholders other than `{base_url}` a value keeps, e.g. `{client_id}`. */
export function placeholdersIn(value: string): string[] {
  return [...value.matchAll(/\{[a-z_]+\}/g)].map((match) => match[0]).filter((name) => name !== "{base_url}");
}

/** The endpoint fields a preset leaves to the user (all four for "custom"). */
export function fieldsToGive(preset: Preset): EndpointField[] {
  return REQUIRED_ENDPOINTS.filter((field) => preset[field] === null);
}

/** What the add-platform form holds. */
export type PlatformFormValues = {
  preset: PlatformFamily;
  name: string;
  baseUrl: string;
} & Record<EndpointField, string>;

export function emptyPlatformForm(preset: PlatformFamily): PlatformFormValues {
  return {
    preset,
    name: "",
    baseUrl: "",
    issuer: "",
    auth_url: "",
    token_url: "",
    token_audience: "",
    jwks_url: "",
    openid_configuration_url: "",
  };
}

/** The value each endpoint will get: the override when typed, else the preset's, filled. */
export function resolvedEndpoints(preset: Preset, values: PlatformFormValues): Record<EndpointField, string | null> {
  const out = {} as Record<EndpointField, string | null>;
  for (const field of ENDPOINT_FIELDS) {
    const typed = values[field].trim();
    const template = preset[field];
    out[field] = typed !== "" ? typed : template === null ? null : fillTemplate(template, values.baseUrl);
  }
  return out;
}

export type PlatformFormField = "name" | "baseUrl" | EndpointField;
export type PlatformFormResult =
  | { ok: true; input: NewPlatform }
  | { ok: false; errors: Partial<Record<PlatformFormField, string>> };

function optional(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** URL checks with the placeholders the Rust side keeps (`{client_id}`, ...) allowed. */
function checkTemplateUrl(value: string, label: string): string | null {
  return checkUrl(value.replace(/\{[a-z_]+\}/g, "x"), label);
}

/** Checks the form against the preset and builds the `NewPlatform` to send. */
export function buildNewPlatform(preset: Preset, values: PlatformFormValues): PlatformFormResult {
  const errors: Partial<Record<PlatformFormField, string>> = {};
  if (values.name.trim() === "") {
    errors.name = "Name: give the platform a name, such as \"Acme University Canvas\".";
  } else if ([...values.name.trim()].length > 100) {
    errors.name = "Name: use at most 100 characters.";
  }
  if (preset.needs_base_url && values.baseUrl.trim() === "") {
    errors.baseUrl = `Base URL: the ${preset.label} preset needs the instance's address, such as ${
      preset.base_url_example ?? "https://lms.example.edu"
    }.`;
  } else if (values.baseUrl.trim() !== "") {
    const error = checkUrl(values.baseUrl, "Base URL");
    if (error !== null) errors.baseUrl = error;
  }
  for (const field of ENDPOINT_FIELDS) {
    const typed = values[field].trim();
    if (typed === "") {
      if ((REQUIRED_ENDPOINTS as readonly string[]).includes(field) && preset[field] === null) {
        errors[field] = `${ENDPOINT_LABELS[field]}: this preset has no value for it; copy it from the platform.`;
      }
      continue;
    }
    if (field === "token_audience") {
      if (/\s/.test(typed)) errors[field] = "Token audience: copy it exactly, without spaces.";
      continue;
    }
    const error = checkTemplateUrl(typed, ENDPOINT_LABELS[field]);
    if (error !== null) errors[field] = error;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    input: {
      name: values.name.trim(),
      preset: preset.family,
      base_url: optional(values.baseUrl),
      issuer: optional(values.issuer),
      auth_url: optional(values.auth_url),
      token_url: optional(values.token_url),
      token_audience: optional(values.token_audience),
      jwks_url: optional(values.jwks_url),
      openid_configuration_url: optional(values.openid_configuration_url),
    },
  };
}

/** The form field a platform error is about (its `field`, a path of the platform), if any. */
export function platformErrorField(error: Pick<IpcError, "kind" | "field">): PlatformFormField | null {
  switch (error.field) {
    case "name":
      return "name";
    case "base_url":
      return "baseUrl";
    case "issuer":
    case "auth_url":
    case "token_url":
    case "token_audience":
    case "jwks_url":
    case "openid_configuration_url":
      return error.field;
    default:
      return null;
  }
}

/** A platform's endpoints as label/value rows (the audience and OpenID URL only when set). */
export function endpointRows(platform: Platform): Array<{ field: EndpointField; label: string; value: string }> {
  return ENDPOINT_FIELDS.flatMap((field) => {
    const value = platform[field];
    return value === null || value === "" ? [] : [{ field, label: ENDPOINT_LABELS[field], value }];
  });
}

/** One line of a discovery's field-by-field diff. */
export type ChangeRow = {
  field: string;
  label: string;
  old: string;
  new: string;
  status: "applied" | "not-applied";
  reason: string | null;
};

/** Discovery changes as display rows: applied ones first, values "—" when absent. */
export function changeRows(outcome: DiscoveryOutcome): ChangeRow[] {
  return outcome.changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => Number(b.change.applied) - Number(a.change.applied) || a.index - b.index)
    .map(({ change }) => ({
      field: change.field,
      label: platformFieldLabel(change.field),
      old: change.old ?? "—",
      new: change.new ?? "—",
      status: change.applied ? "applied" : "not-applied",
      reason: change.applied ? null : change.reason ?? "not applied",
    }));
}

/** A one-line summary of a discovery. */
export function discoverySummary(outcome: DiscoveryOutcome): string {
  const applied = outcome.changes.filter((change) => change.applied).length;
  const held = outcome.changes.length - applied;
  if (outcome.changes.length === 0) {
    return "The OpenID configuration matches the record: nothing changed.";
  }
  const parts = [`${applied} ${applied === 1 ? "change" : "changes"} applied`];
  if (held > 0) parts.push(`${held} not applied`);
  return `${parts.join(", ")}.`;
}

/** Deployment rows as typed in a form, blanks dropped; an error names a repeated id. */
export function buildDeployments(
  rows: ReadonlyArray<{ deploymentId: string; label: string }>,
): { ok: true; deployments: NewDeployment[] } | { ok: false; error: string; index: number } {
  const deployments: NewDeployment[] = [];
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    const id = row.deploymentId.trim();
    const label = row.label.trim();
    if (id === "") {
      if (label !== "") {
        return { ok: false, error: `Deployment ${index + 1}: give the deployment_id for "${label}".`, index };
      }
      continue;
    }
    if (/\s/.test(id)) {
      return { ok: false, error: `Deployment ${index + 1}: a deployment_id has no spaces.`, index };
    }
    if (seen.has(id)) {
      return { ok: false, error: `Deployment ${index + 1}: ${id} is listed twice.`, index };
    }
    seen.add(id);
    deployments.push({ deployment_id: id, label: label === "" ? null : label });
  }
  return { ok: true, deployments };
}

/** The hand-off fields, in the order an admin sends them. */
export const HANDOFF_FIELDS = [
  "issuer",
  "client_id",
  "deployment_ids",
  "auth_url",
  "token_url",
  "token_audience",
  "jwks_url",
] as const;
export type HandoffField = (typeof HANDOFF_FIELDS)[number];

export const HANDOFF_LABELS: Record<HandoffField, string> = {
  issuer: "Issuer (iss)",
  client_id: "Client ID",
  deployment_ids: "Deployment IDs",
  auth_url: "OIDC auth endpoint",
  token_url: "Access token URL",
  token_audience: "Token audience (aud)",
  jwks_url: "Platform JWKS URL",
};

/** The hand-off as rows; the audience only when the platform has one. */
export function handoffRows(handoff: Handoff): Array<{ field: HandoffField; label: string; values: string[] }> {
  return HANDOFF_FIELDS.flatMap((field) => {
    let values: string[];
    switch (field) {
      case "deployment_ids":
        values = [...handoff.deployment_ids];
        break;
      case "token_audience":
        if (handoff.token_audience === undefined || handoff.token_audience === "") return [];
        values = [handoff.token_audience];
        break;
      default:
        values = [handoff[field]];
    }
    const label = field === "deployment_ids" && values.length === 1 ? "Deployment ID" : HANDOFF_LABELS[field];
    return [{ field, label, values }];
  });
}

/** The text one copy button puts on the clipboard: deployment ids one per line. */
export function handoffValueText(values: readonly string[]): string {
  return values.join("\n");
}

/** The hand-off as pretty JSON, with the field names of the `Handoff` type. */
export function handoffJson(handoff: Handoff): string {
  const out: Record<string, unknown> = {
    issuer: handoff.issuer,
    client_id: handoff.client_id,
    deployment_ids: handoff.deployment_ids,
    auth_url: handoff.auth_url,
    token_url: handoff.token_url,
  };
  if (handoff.token_audience !== undefined && handoff.token_audience !== "") {
    out.token_audience = handoff.token_audience;
  }
  out.jwks_url = handoff.jwks_url;
  return JSON.stringify(out, null, 2);
}

/** What the edit form of a platform holds: its name and endpoints as text. */
export type PlatformEditValues = { name: string } & Record<EndpointField, string>;

export function platformEditValues(platform: Platform): PlatformEditValues {
  return {
    name: platform.name,
    issuer: platform.issuer,
    auth_url: platform.auth_url,
    token_url: platform.token_url,
    token_audience: platform.token_audience ?? "",
    jwks_url: platform.jwks_url,
    openid_configuration_url: platform.openid_configuration_url ?? "",
  };
}

export type PlatformEditField = "name" | EndpointField;
export type PlatformEditResult =
  | { ok: true; update: PlatformUpdate; changed: boolean }
  | { ok: false; errors: Partial<Record<PlatformEditField, string>> };

/** Checks the edit form and builds the `PlatformUpdate`: unchanged values are `null`, a
 * cleared audience or OpenID URL is "" (the Rust side clears it). */
export function buildPlatformUpdate(platform: Platform, values: PlatformEditValues): PlatformEditResult {
  const errors: Partial<Record<PlatformEditField, string>> = {};
  const name = values.name.trim();
  if (name === "") {
    errors.name = "Name: give the platform a name, such as \"Acme University Canvas\".";
  } else if ([...name].length > 100) {
    errors.name = "Name: use at most 100 characters.";
  }
  for (const field of ENDPOINT_FIELDS) {
    const typed = values[field].trim();
    if (typed === "") {
      if ((REQUIRED_ENDPOINTS as readonly string[]).includes(field)) {
        errors[field] = `${ENDPOINT_LABELS[field]}: a platform needs it; copy it from the platform.`;
      }
      continue;
    }
    if (field === "token_audience") {
      if (/\s/.test(typed)) errors[field] = "Token audience: copy it exactly, without spaces.";
      continue;
    }
    const error = checkTemplateUrl(typed, ENDPOINT_LABELS[field]);
    if (error !== null) errors[field] = error;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const before = platformEditValues(platform);
  const changedOrNull = (field: PlatformEditField): string | null => {
    const typed = values[field].trim();
    return typed === before[field].trim() ? null : typed;
  };
  const update: PlatformUpdate = {
    name: changedOrNull("name"),
    issuer: changedOrNull("issuer"),
    auth_url: changedOrNull("auth_url"),
    token_url: changedOrNull("token_url"),
    token_audience: changedOrNull("token_audience"),
    jwks_url: changedOrNull("jwks_url"),
    openid_configuration_url: changedOrNull("openid_configuration_url"),
  };
  return { ok: true, update, changed: Object.values(update).some((value) => value !== null) };
}

/** Whether the platform is a Canvas (cloud, beta, test or self-hosted): it has the registrations API. */
export function isCanvas(family: PlatformFamily): boolean {
  return family.startsWith("canvas-");
}

