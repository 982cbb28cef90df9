// Client-side checks of the tool form and the custom kid; messages name the field and the fix.

import type { ToolProfile } from "./ipc/bindings";

/** Host names for which plain http:// is accepted (local development of a tool). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Checks one URL. Returns null when it is acceptable, else a message that starts with `label`.
 * https:// is required; http:// only for localhost, 127.0.0.1 and [::1].
 */
export function checkUrl(value: string, label: string): string | null {
  const text = value.trim();
  if (text === "") {
    return `${label}: enter a URL.`;
  }
  if (/\s/.test(text)) {
    return `${label}: a URL cannot contain spaces.`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${label}: "${text}" is not a valid URL; use the form https://tool.example.com/path.`;
  }
  if (url.protocol === "https:") {
    return url.hostname === ""
      ? `${label}: "${text}" has no host name; use the form https://tool.example.com/path.`
      : null;
  }
  if (url.protocol === "http:") {
    return LOOPBACK_HOSTS.has(url.hostname.toLowerCase())
      ? null
      : `${label}: must start with https:// (http:// is only allowed for localhost, 127.0.0.1 and [::1]).`;
  }
  return `${label}: must start with https://, not ${url.protocol}//.`;
}

/**
 * Checks a URL of the tool's own (launch, login, redirect, icon, JWKS, EULA): like `checkUrl`, but
 * plain http:// on any host is kept, as Canvas keeps it; `plainHttp` says why to look at it again.
 */
export function checkToolUrl(value: string, label: string): string | null {
  const text = value.trim();
  try {
    const url = new URL(text);
    if (url.protocol === "http:" && url.hostname !== "" && !/\s/.test(text)) return null;
  } catch {
    // checkUrl names the problem.
  }
  return checkUrl(value, label);
}

/** A warning for a URL that uses plain http on a host other than loopback, else null. */
export function plainHttp(value: string | null, label: string): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value.trim());
    if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) {
      return `${label} uses plain http: Canvas saves it, but a browser may block an http launch inside an https LMS page. Use https:// if the tool's server offers it.`;
    }
  } catch {
    // Not a URL: nothing to warn about here.
  }
  return null;
}

/** One URI per line: lines are trimmed and blank lines dropped. */
export function parseRedirectUris(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Checks a domain: a bare host name (optionally with a port), not a URL. */
export function checkDomain(value: string): string | null {
  const text = value.trim();
  if (text === "") {
    return null;
  }
  if (text.includes("://") || text.includes("/")) {
    return "Domain: enter only the host name, such as tool.example.com (no https://, no path).";
  }
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:\d{1,5})?$/.test(text)) {
    return `Domain: "${text}" is not a valid host name; use letters, digits, dots and hyphens, such as tool.example.com.`;
  }
  return null;
}

/** What the tool form holds, exactly as typed. */
export type ToolFormValues = {
  name: string;
  description: string;
  domain: string;
  loginUrl: string;
  launchUrl: string;
  redirectUris: string;
  jwksUrl: string;
};

export type ToolField = keyof ToolFormValues;

/** Field labels as the form shows them (and as messages name them). */
export const TOOL_FIELD_LABELS: Record<ToolField, string> = {
  name: "Name",
  description: "Description",
  domain: "Domain",
  loginUrl: "Login initiation URL",
  launchUrl: "Launch URL",
  redirectUris: "Redirect URIs",
  jwksUrl: "JWKS URL",
};

export type ToolFormResult =
  | { ok: true; input: ToolProfile }
  | { ok: false; errors: Partial<Record<ToolField, string>> };

function optional(value: string): string | null {
  const text = value.trim();
  return text === "" ? null : text;
}

/** Validates the form; on success returns the `ToolProfile` to send (trimmed, blanks as null). */
export function validateToolForm(values: ToolFormValues): ToolFormResult {
  const errors: Partial<Record<ToolField, string>> = {};

  if (values.name.trim() === "") {
    errors.name = "Name: enter a name for the tool.";
  } else if (values.name.trim().length > 200) {
    errors.name = "Name: use at most 200 characters.";
  }

  const domainError = checkDomain(values.domain);
  if (domainError !== null) {
    errors.domain = domainError;
  }

  for (const field of ["loginUrl", "launchUrl", "jwksUrl"] as const) {
    if (values[field].trim() !== "") {
      const error = checkToolUrl(values[field], TOOL_FIELD_LABELS[field]);
      if (error !== null) {
        errors[field] = error;
      }
    }
  }

  const redirectUris = parseRedirectUris(values.redirectUris);
  const redirectErrors = redirectUris
    .map((uri) => checkToolUrl(uri, `Redirect URI "${uri}"`))
    .filter((error): error is string => error !== null);
  if (redirectErrors.length > 0) {
    errors.redirectUris = redirectErrors.join(" ");
  }

  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    input: {
      name: values.name.trim(),
      description: values.description.trim(),
      domain: optional(values.domain),
      login_url: optional(values.loginUrl),
      launch_url: optional(values.launchUrl),
      redirect_uris: redirectUris,
      jwks_url: optional(values.jwksUrl),
      privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
    },
  };
}

/** Checks a custom kid; null when acceptable. */
export function checkCustomKid(value: string): string | null {
  const text = value.trim();
  if (text === "") {
    return "Custom kid: enter a kid, or pick another kid scheme.";
  }
  if (text.length > 128) {
    return "Custom kid: use at most 128 characters.";
  }
  if (/[\s\p{Cc}]/u.test(text)) {
    return "Custom kid: use no spaces or control characters.";
  }
  return null;
}
