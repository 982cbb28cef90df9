import { describe, expect, it } from "vitest";

import { CHOICES, PROFILE_TOOL } from "../../test/registrationFixtures";
import {
  buildToolProfile,
  controlIdOf,
  draftFromTool,
  fitMessageType,
  hasLaunchSettings,
  messageTypesFor,
  newPlacementDraft,
  parsePermissions,
  parseSize,
  serverErrorKey,
  toToolProfile,
  type ProfileDraft,
} from "./profile";

function draft(edit: (draft: ProfileDraft) => void = () => undefined): ProfileDraft {
  const value = draftFromTool(PROFILE_TOOL);
  edit(value);
  return value;
}

describe("message types by placement", () => {
  it("offers only what each placement accepts, its default first", () => {
    expect(messageTypesFor(CHOICES, "course_navigation")).toEqual(["LtiResourceLinkRequest"]);
    expect(messageTypesFor(CHOICES, "editor_button")).toEqual(["LtiDeepLinkingRequest"]);
    expect(messageTypesFor(CHOICES, "link_selection")).toEqual(["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    expect(messageTypesFor(CHOICES, "assignment_selection")).toEqual(["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]);
    expect(messageTypesFor(CHOICES, "no_such_placement")).toEqual([]);
  });

  it("keeps an accepted message type and replaces a refused one with the default", () => {
    expect(fitMessageType(CHOICES, "link_selection", "LtiDeepLinkingRequest")).toBe("LtiDeepLinkingRequest");
    expect(fitMessageType(CHOICES, "course_navigation", "LtiDeepLinkingRequest")).toBe("LtiResourceLinkRequest");
    expect(fitMessageType(CHOICES, "editor_button", "LtiResourceLinkRequest")).toBe("LtiDeepLinkingRequest");
    expect(fitMessageType(CHOICES, "", "LtiResourceLinkRequest")).toBe("");
  });

  it("starts a new row on the first placement no row uses", () => {
    const row = newPlacementDraft(CHOICES, ["course_navigation", "editor_button"]);
    expect(row.placement).toBe("account_navigation");
    expect(row.message_type).toBe("LtiResourceLinkRequest");
    expect(row.enabled).toBe(true);
    const all = CHOICES.placements.map((p) => p.name);
    expect(newPlacementDraft(CHOICES, all).placement).toBe("");
  });
});

describe("building the ToolProfile", () => {
  it("sends the tool unchanged when nothing was edited", () => {
    const result = buildToolProfile(PROFILE_TOOL, draft(), CHOICES);
    expect(result).toEqual({ ok: true, input: toToolProfile(PROFILE_TOOL) });
    if (result.ok) {
      expect(result.input).not.toHaveProperty("id");
      expect(result.input).not.toHaveProperty("created_at");
    }
  });

  it("applies every edit: trimmed text, blanks as null, numbers and permission lists parsed", () => {
    const result = buildToolProfile(
      PROFILE_TOOL,
      draft((d) => {
        d.name = "  Quiz Builder 2 ";
        d.domain = " ";
        d.jwksUrl = "";
        d.redirectUris = "https://quiz.example.com/a\n\n  https://quiz.example.com/b  ";
        d.privacyLevel = "public";
        d.canvasToolId = "";
        d.customFields = [
          { name: " canvas_course_id ", value: " $Canvas.course.id " },
          { name: "", value: "" },
        ];
        d.scopes = [...d.scopes, "https://canvas.instructure.com/lti/feature_flags/scope/show"];
        const row = d.placements[1]!;
        row.selection_width = " 640 ";
        row.launch_height = "480";
        row.required_permissions = "manage_course_content_add, read_roster  view_all_grades";
        row.window_target = "_blank";
        row.text = "  ";
      }),
      CHOICES,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const input = result.input;
    expect(input.name).toBe("Quiz Builder 2");
    expect(input.domain).toBeNull();
    expect(input.jwks_url).toBeNull();
    expect(input.redirect_uris).toEqual(["https://quiz.example.com/a", "https://quiz.example.com/b"]);
    expect(input.privacy_level).toBe("public");
    expect(input.canvas_tool_id).toBeNull();
    expect(input.custom_fields).toEqual({ canvas_course_id: "$Canvas.course.id" });
    expect(input.scopes).toHaveLength(2);
    expect(input.placements[1]).toMatchObject({
      placement: "editor_button",
      message_type: "LtiDeepLinkingRequest",
      enabled: false,
      text: null,
      selection_width: 640,
      selection_height: 600,
      launch_height: 480,
      launch_width: null,
      window_target: "_blank",
      required_permissions: ["manage_course_content_add", "read_roster", "view_all_grades"],
    });
    // The stored tool is not touched.
    expect(PROFILE_TOOL.placements[1]?.selection_width).toBe(800);
  });

  it("refuses a message type the placement does not take, naming the row", () => {
    const result = buildToolProfile(
      PROFILE_TOOL,
      draft((d) => {
        d.placements[0]!.message_type = "LtiDeepLinkingRequest";
      }),
      CHOICES,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors["placements.0.message_type"]).toBe(
      "Placement 1 (course_navigation): Canvas accepts only LtiResourceLinkRequest here.",
    );
  });

  it("names every bad field at once", () => {
    const result = buildToolProfile(
      PROFILE_TOOL,
      draft((d) => {
        d.name = " ";
        d.loginUrl = "ftp://quiz.example.com/login";
        d.domain = "https://quiz.example.com";
        d.redirectUris = "https://a.example/x\nhttps://a.example/x";
        d.customFields = [{ name: "bad name", value: "x" }, { name: "", value: "orphan" }];
        d.placements[1]!.placement = "course_navigation";
        d.placements.push({ ...d.placements[0]!, placement: "link_selection", launch_width: "0", icon_url: "ftp://x" });
        d.placements.push({ ...d.placements[0]!, placement: "" });
      }),
      CHOICES,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(
      [
        "name",
        "loginUrl",
        "domain",
        "redirectUris",
        "customFields.0",
        "customFields.1",
        "placements.1.placement",
        "placements.2.launch_width",
        "placements.2.icon_url",
        "placements.3.placement",
      ].sort(),
    );
    expect(result.errors.loginUrl).toContain("https://");
    expect(result.errors["placements.1.placement"]).toContain("already");
    expect(result.errors["placements.2.launch_width"]).toContain("1 to 10000");
  });

  it("parses sizes and permissions strictly", () => {
    expect(parseSize("", "Width")).toBeNull();
    expect(parseSize(" 12 ", "Width")).toBe(12);
    expect(parseSize("12.5", "Width")).toEqual({ error: "Width: give a whole number of pixels, such as 800." });
    expect(parseSize("10001", "Width")).toEqual({ error: "Width: give a number of pixels from 1 to 10000." });
    expect(parsePermissions(" a,b ,, c ")).toEqual(["a", "b", "c"]);
  });

  it("opens launch settings only for rows that have some", () => {
    const [first, second] = draft().placements;
    expect(hasLaunchSettings(first!)).toBe(true);
    expect(hasLaunchSettings({ ...first!, display_type: "", required_permissions: "" })).toBe(false);
    expect(hasLaunchSettings(second!)).toBe(true);
  });
});

describe("server errors mapped to fields", () => {
  it.each([
    ["launch_url", "launchUrl"],
    ["login_url", "loginUrl"],
    ["jwks_url", "jwksUrl"],
    ["domain", "domain"],
    ["redirect_uris[1]", "redirectUris"],
    ["redirect_uris", "redirectUris"],
    ["canvas_tool_id", "canvasToolId"],
    ["scopes[2]", "scopes"],
    ["custom_fields.a b", "customFields"],
    ["custom_fields", "customFields"],
    ["placements[1].message_type", "placements.1.message_type"],
    ["placements[0].launch_width", "placements.0.launch_width"],
    ["placements[2].placement", "placements.2.placement"],
    ["name", "name"],
  ])("%s", (field, key) => {
    expect(serverErrorKey({ kind: "invalid", field })).toBe(key);
  });

  it("points a name clash at the name", () => {
    expect(serverErrorKey({ kind: "tool_exists", field: "name" })).toBe("name");
  });

  it("names no field for errors about something else", () => {
    expect(serverErrorKey({ kind: "database", field: null })).toBeNull();
    expect(serverErrorKey({ kind: "invalid", field: "public_jwk" })).toBeNull();
  });
});

describe("the control an error is about", () => {
  it.each([
    ["name", "profile-name"],
    ["launchUrl", "profile-launch-url"],
    ["redirectUris", "profile-redirect-uris"],
    ["scopes", "profile-scopes"],
    ["customFields", "custom-field-add"],
    ["customFields.2", "custom-field-2-name"],
    ["placements.1.target_link_uri", "placement-1-target_link_uri"],
    ["placements.3", "placement-3-placement"],
  ])("%s", (key, id) => {
    expect(controlIdOf(key)).toBe(id);
  });
});
