// What the new-tool form holds while the app runs, so leaving the form and coming back keeps
// what was typed; and how the form's values map to and from a tool's profile.

import type { Tool, ToolProfile } from "../../lib/ipc/bindings";
import type { ToolFormValues } from "../../lib/validation";

export const EMPTY_TOOL_FORM: ToolFormValues = {
  name: "",
  description: "",
  domain: "",
  loginUrl: "",
  launchUrl: "",
  redirectUris: "",
  jwksUrl: "",
};

/** The draft of the new-tool form (the edit form starts from its tool each time). */
export const newToolDraft = $state<ToolFormValues>({ ...EMPTY_TOOL_FORM });

export function clearNewToolDraft(): void {
  Object.assign(newToolDraft, EMPTY_TOOL_FORM);
}

let pendingFocus: string | null = null;

/** Asks the tool page about to open to focus the control `id` once it has loaded. */
export function focusOnToolPage(id: string): void {
  pendingFocus = id;
}

/** The control the tool page is to focus once loaded (asked for once). */
export function takeToolPageFocus(): string | null {
  const id = pendingFocus;
  pendingFocus = null;
  return id;
}

/** The form's values for an existing tool. */
export function formValuesOf(tool: Tool): ToolFormValues {
  return {
    name: tool.name,
    description: tool.description,
    domain: tool.domain ?? "",
    loginUrl: tool.login_url ?? "",
    launchUrl: tool.launch_url ?? "",
    redirectUris: tool.redirect_uris.join("\n"),
    jwksUrl: tool.jwks_url ?? "",
  };
}

/**
 * The whole profile to send for `tool` edited by the form: the form's fields from `edited`,
 * everything the form does not show (placements, scopes, custom fields…) as the tool has it.
 */
export function editedProfile(tool: Tool, edited: ToolProfile): ToolProfile {
  return {
    name: edited.name,
    description: edited.description,
    domain: edited.domain,
    login_url: edited.login_url,
    launch_url: edited.launch_url,
    redirect_uris: edited.redirect_uris,
    jwks_url: edited.jwks_url,
    privacy_level: tool.privacy_level,
    canvas_tool_id: tool.canvas_tool_id,
    icon_url: tool.icon_url,
    custom_fields: tool.custom_fields,
    scopes: tool.scopes,
    placements: tool.placements,
  };
}
