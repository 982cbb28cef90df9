// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ToolProfile } from "../lib/ipc/bindings";
import { draftFromTool, type ProfileDraft } from "../lib/profile";
import { CHOICES, PROFILE_TOOL } from "../test/registrationFixtures";
import { createProfileForm, createProfileSummary, type ProfileFormView } from "./profile";

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function options(selector: string): string[] {
  return Array.from(el<HTMLSelectElement>(selector).options, (option) => option.value);
}

function choose(selector: string, value: string): void {
  const select = el<HTMLSelectElement>(selector);
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function type(selector: string, value: string): void {
  const input = el<HTMLInputElement | HTMLTextAreaElement>(selector);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const row = (index: number): string => `#profile-placements .placement-row[data-index="${index}"]`;

describe("profile summary", () => {
  it("shows the stored profile with labels, placements and an Edit button", () => {
    const onEdit = vi.fn();
    document.body.replaceChildren(createProfileSummary(document, PROFILE_TOOL, CHOICES, onEdit).element);
    const text = el("#profile-summary").textContent ?? "";
    expect(text).toContain("Name only");
    expect(text).toContain("canvas_user_id = $Canvas.user.id");
    expect(text).toContain("Assignment and Grade Services: post scores");
    expect(el('tr[data-placement="course_navigation"]').textContent).toContain("LtiResourceLinkRequest");
    expect(el('tr[data-placement="editor_button"]').textContent).toContain("Disabled");
    el("#profile-edit").click();
    expect(onEdit).toHaveBeenCalledOnce();
  });
});

describe("profile form", () => {
  let view: ProfileFormView;
  const onSave = vi.fn<(input: ToolProfile) => void>();
  const onChange = vi.fn<(draft: ProfileDraft) => void>();
  const onCancel = vi.fn();

  beforeEach(() => {
    onSave.mockReset();
    onChange.mockReset();
    onCancel.mockReset();
    view = createProfileForm(document, PROFILE_TOOL, CHOICES, draftFromTool(PROFILE_TOOL), { onSave, onChange, onCancel });
    document.body.replaceChildren(view.element);
  });

  it("fills every control from the tool", () => {
    expect(el<HTMLInputElement>("#profile-name").value).toBe("Quiz Builder");
    expect(el<HTMLSelectElement>("#profile-privacy-level").value).toBe("name_only");
    expect(el<HTMLInputElement>("#profile-canvas-tool-id").value).toBe("quiz");
    expect(el<HTMLInputElement>('#profile-scopes input[data-scope="https://purl.imsglobal.org/spec/lti-ags/scope/score"]').checked).toBe(true);
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(2);
    expect(el<HTMLInputElement>(`${row(1)} input[data-field=selection_width]`).value).toBe("800");
    expect(el<HTMLInputElement>(`${row(1)} input[data-field=enabled]`).checked).toBe(false);
    expect(el<HTMLDetailsElement>(`${row(1)} details`).open).toBe(true);
    expect(el(`#profile-custom-fields .custom-field-row input[data-field=name]`)).toHaveProperty("value", "canvas_user_id");
  });

  it("marks flagged and hidden scopes", () => {
    const flagged = el('#profile-scopes input[data-scope="https://purl.imsglobal.org/spec/lti/scope/asset.readonly"]').closest("li");
    expect(flagged?.textContent).toContain("flag: lti_asset_processor");
    const hidden = el('#profile-scopes input[data-scope="https://canvas.instructure.com/lti/feature_flags/scope/show"]').closest("details");
    expect(hidden?.open).toBe(false);
    expect(hidden?.textContent).toContain("hidden");
  });

  it("offers only the message types the placement takes, and re-filters on change", () => {
    expect(options(`${row(0)} select[data-field=message_type]`)).toEqual(["LtiResourceLinkRequest"]);
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual(["LtiDeepLinkingRequest"]);

    choose(`${row(1)} select[data-field=placement]`, "link_selection");
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual(["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    // The deep-linking choice survives a placement that takes it too.
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=message_type]`).value).toBe("LtiDeepLinkingRequest");

    choose(`${row(1)} select[data-field=placement]`, "top_navigation");
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual(["LtiResourceLinkRequest"]);
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=message_type]`).value).toBe("LtiResourceLinkRequest");
    expect(el(`${row(1)} .placement-notes`).textContent).toContain("top_navigation_placement");
    expect(onChange.mock.lastCall?.[0].placements[1]).toMatchObject({ placement: "top_navigation", message_type: "LtiResourceLinkRequest" });
  });

  it("disables in each row the placements other rows use", () => {
    const second = el<HTMLSelectElement>(`${row(1)} select[data-field=placement]`);
    expect(Array.from(second.options).find((o) => o.value === "course_navigation")?.disabled).toBe(true);
    expect(Array.from(second.options).find((o) => o.value === "editor_button")?.disabled).toBe(false);
  });

  it("adds and removes placement rows, keeping what was typed in the others", () => {
    type(`${row(0)} input[data-field=text]`, "My quizzes");
    el("#placement-add").click();
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(3);
    expect(el<HTMLSelectElement>(`${row(2)} select[data-field=placement]`).value).toBe("link_selection");

    el(`${row(1)} button[data-placement-remove]`).click();
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(2);
    expect(el<HTMLInputElement>(`${row(0)} input[data-field=text]`).value).toBe("My quizzes");
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=placement]`).value).toBe("link_selection");
  });

  it("saves the whole ToolProfile with the edits", () => {
    type("#profile-name", "Quiz Builder Pro");
    choose("#profile-privacy-level", "public");
    const nrps = el<HTMLInputElement>('#profile-scopes input[data-scope="https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]');
    nrps.checked = true;
    nrps.dispatchEvent(new Event("change", { bubbles: true }));
    el("#custom-field-add").click();
    type("#profile-custom-fields .custom-field-row:last-child input[data-field=name]", "course");
    type("#profile-custom-fields .custom-field-row:last-child input[data-field=value]", "$Canvas.course.id");
    el("#profile-save").click();

    expect(onSave).toHaveBeenCalledOnce();
    const input = onSave.mock.calls[0]![0];
    expect(input.name).toBe("Quiz Builder Pro");
    expect(input.privacy_level).toBe("public");
    expect(input.scopes).toHaveLength(2);
    expect(input.custom_fields).toEqual({ canvas_user_id: "$Canvas.user.id", course: "$Canvas.course.id" });
    expect(input.placements).toEqual(PROFILE_TOOL.placements);
    expect(input.redirect_uris).toEqual(PROFILE_TOOL.redirect_uris);
  });

  it("does not save while a field is wrong, and marks it", () => {
    type("#profile-login-url", "http://quiz.example.com/login");
    type(`${row(1)} input[data-field=launch_width]`, "wide");
    el("#profile-save").click();

    expect(onSave).not.toHaveBeenCalled();
    expect(el("#profile-login-url").getAttribute("aria-invalid")).toBe("true");
    expect(el("#profile-login-url-error").textContent).toContain("must start with https://");
    expect(el(`${row(1)} input[data-field=launch_width]`).getAttribute("aria-invalid")).toBe("true");
    expect(el(`${row(1)} .row-error`).textContent).toContain("whole number");
    expect(el("#profile-error").textContent).toBe("Fix the 2 fields marked below, then save again.");
    expect(el<HTMLInputElement>("#profile-login-url").value).toBe("http://quiz.example.com/login");
  });

  it("shows a server error on the field it names", () => {
    view.showErrors({ "placements.1.target_link_uri": "placement 2 (editor_button) target link URI: bad. Fix: x" }, "placement 2 (editor_button) target link URI: bad. Fix: x");
    const input = el(`${row(1)} input[data-field=target_link_uri]`);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(el(`${row(1)} .row-error`).hidden).toBe(false);
    expect(el("#profile-error").textContent).toContain("target link URI: bad");
    view.showErrors({});
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    expect(el("#profile-error").hidden).toBe(true);
  });

  it("shows the busy state and cancels", () => {
    view.setBusy(true);
    expect(el<HTMLButtonElement>("#profile-save").disabled).toBe(true);
    el("#profile-save").click();
    expect(onSave).not.toHaveBeenCalled();
    el("#profile-cancel").click();
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
