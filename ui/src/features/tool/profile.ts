// The tool profile editor's logic: drafts made from a tool, the message types each placement
// accepts, client-side checks, the `ToolProfile` sent to update_tool, and server errors mapped to fields.

import type {
  Choices,
  IpcError,
  DisplayType,
  Eula,
  MessageType,
  Placement,
  PrivacyLevel,
  Tool,
  ToolProfile,
  WindowTarget,
} from "../../lib/ipc/bindings";
import { checkDomain, checkToolUrl, parseRedirectUris } from "../../lib/validation";

/** The largest launch or selection size the Rust side accepts, in pixels. */
export const MAX_SIZE = 10_000;

/** The size fields of a placement, in form order. */
export const SIZE_FIELDS = ["selection_width", "selection_height", "launch_width", "launch_height"] as const;
export type SizeField = (typeof SIZE_FIELDS)[number];

/** One placement row as typed: numbers and lists are kept as text until saved. */
export type PlacementDraft = {
  placement: string;
  message_type: MessageType | "";
  enabled: boolean;
  text: string;
  target_link_uri: string;
  icon_url: string;
  selection_width: string;
  selection_height: string;
  launch_width: string;
  launch_height: string;
  display_type: DisplayType | "";
  window_target: WindowTarget | "";
  /** Comma-separated permission names. */
  required_permissions: string;
};

export type CustomFieldDraft = { name: string; value: string };

/** The whole profile as typed. */
export type ProfileDraft = {
  name: string;
  description: string;
  domain: string;
  loginUrl: string;
  launchUrl: string;
  /** One per line. */
  redirectUris: string;
  jwksUrl: string;
  privacyLevel: PrivacyLevel;
  canvasToolId: string;
  iconUrl: string;
  customFields: CustomFieldDraft[];
  scopes: string[];
  placements: PlacementDraft[];
  /** Whether the tool has a EULA launch (LtiEulaRequest). */
  eulaEnabled: boolean;
  /** Where it goes; blank for the launch URL. */
  eulaUrl: string;
  /** Its custom fields, one NAME=VALUE per line. */
  eulaCustomFields: string;
};

/** The draft's top-level text fields. */
export type ProfileTextField =
  | "name"
  | "description"
  | "domain"
  | "loginUrl"
  | "launchUrl"
  | "redirectUris"
  | "jwksUrl"
  | "canvasToolId"
  | "iconUrl"
  | "eulaUrl"
  | "eulaCustomFields";

/**
 * Where an error belongs: a top-level field (`name`, `loginUrl`, ...), `customFields`, `scopes`,
 * `placements.<index>` (the row) or `placements.<index>.<field>` (a control of the row).
 */
export type ProfileErrorKey = string;
export type ProfileErrors = Record<ProfileErrorKey, string>;

/** Labels as the form shows them. */
export const PROFILE_LABELS: Record<ProfileTextField, string> = {
  name: "Title",
  description: "Description",
  domain: "Domain",
  loginUrl: "OIDC login initiation URL",
  launchUrl: "Target link URI",
  redirectUris: "Redirect URIs",
  jwksUrl: "JWKS URL",
  canvasToolId: "Canvas tool_id",
  iconUrl: "Icon URL",
  eulaUrl: "EULA target link URI",
  eulaCustomFields: "EULA custom fields",
};

export const PLACEMENT_LABELS: Record<Exclude<keyof PlacementDraft, "enabled">, string> = {
  placement: "Placement",
  message_type: "Message type",
  text: "Link text",
  target_link_uri: "Target link URI",
  icon_url: "Icon URL",
  selection_width: "Selection width",
  selection_height: "Selection height",
  launch_width: "Launch width",
  launch_height: "Launch height",
  display_type: "Display type",
  window_target: "Window target",
  required_permissions: "Required permissions",
};

/** The message types `placement` accepts, its default first; none for an unknown placement. */
export function messageTypesFor(choices: Choices, placement: string): MessageType[] {
  return choices.placements.find((info) => info.name === placement)?.message_types ?? [];
}

/** `current` when the placement accepts it, else the placement's default ("" when unknown). */
export function fitMessageType(choices: Choices, placement: string, current: MessageType | ""): MessageType | "" {
  const accepted = messageTypesFor(choices, placement);
  if (current !== "" && accepted.includes(current)) {
    return current;
  }
  return accepted[0] ?? "";
}

function text(value: string | null): string {
  return value ?? "";
}

function size(value: number | null): string {
  return value === null ? "" : String(value);
}

export function placementDraft(placement: Placement): PlacementDraft {
  return {
    placement: placement.placement,
    message_type: placement.message_type,
    enabled: placement.enabled,
    text: text(placement.text),
    target_link_uri: text(placement.target_link_uri),
    icon_url: text(placement.icon_url),
    selection_width: size(placement.selection_width),
    selection_height: size(placement.selection_height),
    launch_width: size(placement.launch_width),
    launch_height: size(placement.launch_height),
    display_type: placement.display_type ?? "",
    window_target: placement.window_target ?? "",
    required_permissions: placement.required_permissions.join(", "),
  };
}

/** A new row: the first placement no other row uses, with its default message type. */
export function newPlacementDraft(choices: Choices, used: readonly string[]): PlacementDraft {
  const free = choices.placements.find((info) => !used.includes(info.name));
  const placement = free?.name ?? "";
  return {
    placement,
    message_type: fitMessageType(choices, placement, ""),
    enabled: true,
    text: "",
    target_link_uri: "",
    icon_url: "",
    selection_width: "",
    selection_height: "",
    launch_width: "",
    launch_height: "",
    display_type: "",
    window_target: "",
    required_permissions: "",
  };
}

/** Whether a row has any launch setting beyond placement, message type and enabled. */
export function hasLaunchSettings(row: PlacementDraft): boolean {
  return (
    row.target_link_uri.trim() !== "" ||
    row.icon_url.trim() !== "" ||
    SIZE_FIELDS.some((field) => row[field].trim() !== "") ||
    row.display_type !== "" ||
    row.window_target !== "" ||
    row.required_permissions.trim() !== ""
  );
}

/** The editor's starting point: the tool as it is stored. */
export function draftFromTool(tool: Tool): ProfileDraft {
  return {
    name: tool.name,
    description: tool.description,
    domain: text(tool.domain),
    loginUrl: text(tool.login_url),
    launchUrl: text(tool.launch_url),
    redirectUris: tool.redirect_uris.join("\n"),
    jwksUrl: text(tool.jwks_url),
    privacyLevel: tool.privacy_level,
    canvasToolId: text(tool.canvas_tool_id),
    iconUrl: text(tool.icon_url),
    customFields: Object.entries(tool.custom_fields).map(([name, value]) => ({ name, value })),
    scopes: [...tool.scopes],
    placements: tool.placements.map(placementDraft),
    eulaEnabled: tool.eula !== undefined,
    eulaUrl: text(tool.eula?.target_link_uri ?? null),
    eulaCustomFields: Object.entries(tool.eula?.custom_fields ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join("\n"),
  };
}

/** The stored tool as the `ToolProfile` update_tool takes (every field, nothing changed). */
export function toToolProfile(tool: Tool): ToolProfile {
  const { id: _id, created_at: _created, ...profile } = tool;
  return {
    ...profile,
    redirect_uris: [...tool.redirect_uris],
    custom_fields: { ...tool.custom_fields },
    scopes: [...tool.scopes],
    placements: tool.placements.map((placement) => ({
      ...placement,
      required_permissions: [...placement.required_permissions],
    })),
  };
}

function optional(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A size in pixels: null when blank; an error message when not a whole number in range. */
export function parseSize(value: string, label: string): number | null | { error: string } {
  const trimmed = value.trim();
  if (trimmed === "") {
    return null;
  }
  if (!/^\d+$/.test(trimmed)) {
    return { error: `${label}: give a whole number of pixels, such as 800.` };
  }
  const number = Number(trimmed);
  if (number < 1 || number > MAX_SIZE) {
    return { error: `${label}: give a number of pixels from 1 to ${MAX_SIZE}.` };
  }
  return number;
}

/** Permission names from "a, b c": split on commas and spaces, blanks dropped. */
export function parsePermissions(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

const CUSTOM_FIELD_NAME = /^[A-Za-z0-9_.-]+$/;
const PERMISSION_NAME = /^[a-z0-9_]+$/;

export type BuildResult = { ok: true; input: ToolProfile } | { ok: false; errors: ProfileErrors };

/**
 * Checks the draft and builds the `ToolProfile` to send: the tool as stored with every edited field
 * replaced, trimmed, blanks as null. Errors are keyed as in `ProfileErrorKey`.
 */
export function buildToolProfile(tool: Tool, draft: ProfileDraft, choices: Choices): BuildResult {
  const errors: ProfileErrors = {};

  const name = draft.name.trim();
  if (name === "") {
    errors.name = "Title: enter the tool's name.";
  } else if ([...name].length > 100) {
    errors.name = "Title: use at most 100 characters.";
  }
  const domainError = checkDomain(draft.domain);
  if (domainError !== null) {
    errors.domain = domainError;
  }
  for (const field of ["loginUrl", "launchUrl", "jwksUrl", "iconUrl"] as const) {
    if (draft[field].trim() !== "") {
      const error = checkToolUrl(draft[field], PROFILE_LABELS[field]);
      if (error !== null) {
        errors[field] = error;
      }
    }
  }
  const redirectUris = parseRedirectUris(draft.redirectUris);
  const redirectErrors = redirectUris
    .map((uri) => checkToolUrl(uri, `Redirect URI "${uri}"`))
    .filter((error): error is string => error !== null);
  if (redirectErrors.length > 0) {
    errors.redirectUris = redirectErrors.join(" ");
  } else if (new Set(redirectUris).size !== redirectUris.length) {
    errors.redirectUris = "Redirect URIs: list each URI once.";
  }
  if ([...draft.canvasToolId.trim()].length > 255) {
    errors.canvasToolId = "Canvas tool_id: use at most 255 characters.";
  }

  const customFields: Record<string, string> = {};
  for (const [index, field] of draft.customFields.entries()) {
    const fieldName = field.name.trim();
    if (fieldName === "" && field.value.trim() === "") {
      continue;
    }
    if (fieldName === "") {
      errors[`customFields.${index}`] = `Custom field ${index + 1}: give it a name, such as canvas_user_id.`;
    } else if (!CUSTOM_FIELD_NAME.test(fieldName)) {
      errors[`customFields.${index}`] =
        `Custom field "${fieldName}": use only letters, digits, "_", "-" and ".".`;
    } else if (fieldName in customFields) {
      errors[`customFields.${index}`] = `Custom field "${fieldName}": this name is used twice.`;
    } else {
      customFields[fieldName] = field.value.trim();
    }
  }

  let eula: Eula | undefined;
  if (draft.eulaEnabled) {
    const url = optional(draft.eulaUrl);
    if (url !== null) {
      const error = checkToolUrl(url, PROFILE_LABELS.eulaUrl);
      if (error !== null) errors.eulaUrl = error;
    }
    const fields: Record<string, string> = {};
    for (const line of parseRedirectUris(draft.eulaCustomFields)) {
      const at = line.indexOf("=");
      const fieldName = at < 0 ? "" : line.slice(0, at).trim();
      if (at < 0 || fieldName === "") {
        errors.eulaCustomFields = `EULA custom fields: write "${line}" as NAME=VALUE, such as eula_version=2.`;
      } else if (!CUSTOM_FIELD_NAME.test(fieldName)) {
        errors.eulaCustomFields = `EULA custom field "${fieldName}": use only letters, digits, "_", "-" and ".".`;
      } else if (fieldName in fields) {
        errors.eulaCustomFields = `EULA custom field "${fieldName}": this name is used twice.`;
      } else {
        fields[fieldName] = line.slice(at + 1).trim();
      }
    }
    eula = { target_link_uri: url, custom_fields: fields };
  }

  const placements: Placement[] = [];
  const seen = new Set<string>();
  for (const [index, row] of draft.placements.entries()) {
    const key = `placements.${index}`;
    const label = `Placement ${index + 1}${row.placement !== "" ? ` (${row.placement})` : ""}`;
    if (row.placement === "") {
      errors[`${key}.placement`] = `${label}: choose a placement.`;
      continue;
    }
    if (seen.has(row.placement)) {
      errors[`${key}.placement`] = `${label}: the tool has this placement already; keep one row per placement.`;
      continue;
    }
    seen.add(row.placement);
    const accepted = messageTypesFor(choices, row.placement);
    if (row.message_type === "" || !accepted.includes(row.message_type)) {
      errors[`${key}.message_type`] =
        `${label}: Canvas accepts only ${accepted.join(" or ")} here.`;
      continue;
    }
    for (const field of ["target_link_uri", "icon_url"] as const) {
      if (row[field].trim() !== "") {
        const error = checkToolUrl(row[field], `${label} ${PLACEMENT_LABELS[field].toLowerCase()}`);
        if (error !== null) {
          errors[`${key}.${field}`] = error;
        }
      }
    }
    const sizes: Partial<Record<SizeField, number | null>> = {};
    for (const field of SIZE_FIELDS) {
      const parsed = parseSize(row[field], `${label} ${PLACEMENT_LABELS[field].toLowerCase()}`);
      if (typeof parsed === "object" && parsed !== null) {
        errors[`${key}.${field}`] = parsed.error;
      } else {
        sizes[field] = parsed;
      }
    }
    const permissions = parsePermissions(row.required_permissions);
    const badPermission = permissions.find((permission) => !PERMISSION_NAME.test(permission));
    if (badPermission !== undefined) {
      errors[`${key}.required_permissions`] =
        `${label} required permissions: "${badPermission}" is not a Canvas permission name (such as manage_course_content_add).`;
    } else if (new Set(permissions).size !== permissions.length) {
      errors[`${key}.required_permissions`] = `${label} required permissions: list each permission once.`;
    }
    placements.push({
      placement: row.placement,
      message_type: row.message_type,
      enabled: row.enabled,
      text: optional(row.text),
      target_link_uri: optional(row.target_link_uri),
      icon_url: optional(row.icon_url),
      selection_width: sizes.selection_width ?? null,
      selection_height: sizes.selection_height ?? null,
      launch_width: sizes.launch_width ?? null,
      launch_height: sizes.launch_height ?? null,
      display_type: row.display_type === "" ? null : row.display_type,
      window_target: row.window_target === "" ? null : row.window_target,
      required_permissions: permissions,
    });
  }

  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  const { eula: _stored, ...stored } = toToolProfile(tool);
  return {
    ok: true,
    input: {
      ...stored,
      ...(eula === undefined ? {} : { eula }),
      name,
      description: draft.description.trim(),
      domain: optional(draft.domain),
      login_url: optional(draft.loginUrl),
      launch_url: optional(draft.launchUrl),
      redirect_uris: redirectUris,
      jwks_url: optional(draft.jwksUrl),
      privacy_level: draft.privacyLevel,
      canvas_tool_id: optional(draft.canvasToolId),
      icon_url: optional(draft.iconUrl),
      custom_fields: customFields,
      scopes: [...draft.scopes],
      placements,
    },
  };
}

const TOP_LEVEL_FIELDS: Record<string, ProfileErrorKey> = {
  name: "name",
  domain: "domain",
  login_url: "loginUrl",
  launch_url: "launchUrl",
  jwks_url: "jwksUrl",
  icon_url: "iconUrl",
  canvas_tool_id: "canvasToolId",
  redirect_uris: "redirectUris",
  scopes: "scopes",
  custom_fields: "customFields",
};

const PLACEMENT_PARTS: ReadonlySet<string> = new Set<keyof PlacementDraft>([
  "placement",
  "message_type",
  "target_link_uri",
  "icon_url",
  "selection_width",
  "selection_height",
  "launch_width",
  "launch_height",
  "required_permissions",
]);

/**
 * The form field a server error is about (its `field`, a path of the tool profile such as
 * `redirect_uris[1]` or `placements[0].message_type`), as a `ProfileErrorKey`; null when it is
 * about none the form shows.
 */
export function serverErrorKey(error: Pick<IpcError, "kind" | "field">): ProfileErrorKey | null {
  const field = error.field;
  if (field === null) {
    return null;
  }
  if (field.startsWith("eula.custom_fields")) {
    return "eulaCustomFields";
  }
  if (field === "eula" || field.startsWith("eula.")) {
    return "eulaUrl";
  }
  const top = /^([a-z_]+)(?:\[\d+\]|\..+)?$/.exec(field);
  if (top !== null && top[1] !== undefined && top[1] in TOP_LEVEL_FIELDS) {
    return TOP_LEVEL_FIELDS[top[1]] ?? null;
  }
  const placement = /^placements\[(\d+)\](?:\.([a-z_]+))?$/.exec(field);
  if (placement !== null) {
    const index = Number(placement[1]);
    const part = placement[2];
    if (part === undefined || !PLACEMENT_PARTS.has(part)) {
      return `placements.${index}`;
    }
    return `placements.${index}.${part as keyof PlacementDraft}`;
  }
  return null;
}

/** The ids of the form's top-level text controls. */
export const PROFILE_FIELD_IDS: Record<ProfileTextField, string> = {
  name: "profile-name",
  description: "profile-description",
  domain: "profile-domain",
  loginUrl: "profile-login-url",
  launchUrl: "profile-launch-url",
  redirectUris: "profile-redirect-uris",
  jwksUrl: "profile-jwks-url",
  canvasToolId: "profile-canvas-tool-id",
  iconUrl: "profile-icon-url",
  eulaUrl: "profile-eula-url",
  eulaCustomFields: "profile-eula-custom-fields",
};

/** The id of the control `key` is about, to focus it: a text field, a custom field's name, a
 * placement row's control (its placement menu for the row itself), or the scopes. */
export function controlIdOf(key: ProfileErrorKey): string {
  if (key in PROFILE_FIELD_IDS) {
    return PROFILE_FIELD_IDS[key as ProfileTextField];
  }
  if (key === "scopes") {
    return "profile-scopes";
  }
  if (key === "customFields") {
    return "custom-field-add";
  }
  const custom = /^customFields\.(\d+)$/.exec(key);
  if (custom !== null) {
    return `custom-field-${custom[1]}-name`;
  }
  const placement = /^placements\.(\d+)(?:\.([a-z_]+))?$/.exec(key);
  if (placement !== null) {
    return `placement-${placement[1]}-${placement[2] ?? "placement"}`;
  }
  return "profile-save";
}
