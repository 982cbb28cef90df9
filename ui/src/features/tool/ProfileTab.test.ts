import { cleanup, configure, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../../lib/app.svelte";
import type { Tool, ToolProfile } from "../../lib/ipc/bindings";
import { CANNED_CHOICES, deferred, failure, fakeBackend } from "../../test/backend";
import { SAMPLE_TOOL } from "../../test/fixtures";
import { PROFILE_TOOL } from "../../test/registrationFixtures";
import ProfileTab, { resetProfileTab } from "./ProfileTab.svelte";

const RL = "LtiResourceLinkRequest";
const DL = "LtiDeepLinkingRequest";
const SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

// Each test types key by key: give it room on a busy machine.
vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => resetProfileTab());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const row = (index: number): string => `#profile-placements .placement-row[data-index="${index}"]`;

function options(selector: string): string[] {
  return Array.from(el<HTMLSelectElement>(selector).options, (option) => option.value);
}

/** A backend whose update_tool stores what it is given. */
function savingBackend(tool: Tool = PROFILE_TOOL) {
  return fakeBackend({
    update_tool: (args) => ({ ...tool, ...(args.edit as ToolProfile) }),
  });
}

async function openEditor(tool: Tool = PROFILE_TOOL) {
  const user = userEvent.setup();
  render(ProfileTab, { tool });
  await user.click(await screen.findByRole("button", { name: "Edit profile" }));
  await waitFor(() => expect(document.activeElement).toBe(el("#profile-name")));
  return user;
}

describe("the profile tab", () => {
  it("says it is loading until the choices arrive", async () => {
    const choices = deferred<unknown>();
    fakeBackend({ lti_choices: () => choices.promise });
    render(ProfileTab, { tool: PROFILE_TOOL });
    expect(screen.getByText("Loading the profile…")).toBeTruthy();
    choices.resolve(CANNED_CHOICES);
    expect(await screen.findByRole("button", { name: "Edit profile" })).toBeTruthy();
  });

  it("says why the choices did not load, and tries again", async () => {
    let fail = true;
    fakeBackend({
      lti_choices: () => {
        if (fail) throw failure("internal", "the shell is busy");
        return CANNED_CHOICES;
      },
    });
    const user = userEvent.setup();
    render(ProfileTab, { tool: PROFILE_TOOL });
    expect((await screen.findByRole("alert")).textContent).toContain("the shell is busy");
    fail = false;
    await user.click(el("#profile-retry"));
    expect(await screen.findByRole("button", { name: "Edit profile" })).toBeTruthy();
  });

  it("shows an empty profile as such", async () => {
    fakeBackend();
    render(ProfileTab, { tool: SAMPLE_TOOL });
    await screen.findByRole("button", { name: "Edit profile" });
    expect(el("#profile-summary").textContent).toContain("No placements: the tool appears nowhere in Canvas.");
    expect(el("#profile-summary").textContent).toContain("Anonymous");
    expect(document.querySelector("#profile-summary tr[data-placement]")).toBeNull();
  });

  it("shows the whole stored profile", async () => {
    fakeBackend();
    render(ProfileTab, { tool: PROFILE_TOOL });
    await screen.findByRole("button", { name: "Edit profile" });
    const text = el("#profile-summary").textContent ?? "";
    expect(text).toContain("Name only");
    expect(text).toContain("canvas_user_id = $Canvas.user.id");
    expect(text).toContain("Assignment and Grade Services: post scores");
    expect(text).toContain("https://quiz.example.com/.well-known/jwks.json");
    expect(el('#profile-summary tr[data-placement="course_navigation"]').textContent).toContain(RL);
    expect(el('#profile-summary tr[data-placement="editor_button"]').textContent).toContain("Disabled");
  });
});

describe("editing the profile", () => {
  it("fills every control from the tool", async () => {
    savingBackend();
    await openEditor();
    expect(el<HTMLInputElement>("#profile-name").value).toBe("Quiz Builder");
    expect(el<HTMLSelectElement>("#profile-privacy-level").value).toBe("name_only");
    expect(el<HTMLInputElement>(`#profile-scopes input[data-scope="${SCORE}"]`).checked).toBe(true);
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(2);
    expect(el<HTMLInputElement>(`${row(1)} input[data-field=selection_width]`).value).toBe("800");
    expect(el<HTMLInputElement>(`${row(1)} input[data-field=enabled]`).checked).toBe(false);
    expect(el<HTMLDetailsElement>(`${row(1)} details`).open).toBe(true);
    expect(el<HTMLInputElement>("#custom-field-0-name").value).toBe("canvas_user_id");
  });

  it("offers only the message types each placement accepts", async () => {
    savingBackend();
    const user = await openEditor();
    expect(options(`${row(0)} select[data-field=message_type]`)).toEqual([RL]);
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual([DL]);
    const placement = `${row(1)} select[data-field=placement]`;
    const usedByRow0 = Array.from(el<HTMLSelectElement>(placement).options).find((o) => o.value === "course_navigation");
    expect(usedByRow0?.disabled).toBe(true);

    await user.selectOptions(el(placement), "link_selection");
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual([RL, DL]);
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=message_type]`).value).toBe(DL);
    await user.selectOptions(el(placement), "top_navigation");
    expect(options(`${row(1)} select[data-field=message_type]`)).toEqual([RL]);
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=message_type]`).value).toBe(RL);
    expect(el(`${row(1)} .placement-notes`).textContent).toContain("top_navigation_placement");
  });

  it("adds and removes placements; typing keeps its focus; removing moves the focus on", async () => {
    savingBackend();
    const user = await openEditor();
    const text = el<HTMLInputElement>(`${row(0)} input[data-field=text]`);
    await user.clear(text);
    await user.type(text, "My quizzes");
    expect(document.activeElement).toBe(text);
    expect(text.value).toBe("My quizzes");

    await user.click(el("#placement-add"));
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(3);
    expect(document.activeElement).toBe(el(`${row(2)} select[data-field=placement]`));
    expect(el<HTMLSelectElement>(`${row(2)} select[data-field=placement]`).value).toBe("account_navigation");

    await user.click(el(`${row(1)} button[data-placement-remove]`));
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(2);
    expect(el<HTMLInputElement>(`${row(0)} input[data-field=text]`).value).toBe("My quizzes");
    expect(el<HTMLSelectElement>(`${row(1)} select[data-field=placement]`).value).toBe("account_navigation");
    expect(document.activeElement).toBe(el(`${row(1)} select[data-field=placement]`));

    await user.click(el(`${row(1)} button[data-placement-remove]`));
    expect(document.activeElement).toBe(el("#placement-add"));
  });

  it("saves the whole profile with the edits and shows it", async () => {
    const backend = savingBackend();
    const user = await openEditor();
    const name = el<HTMLInputElement>("#profile-name");
    await user.clear(name);
    await user.type(name, "Quiz Builder Pro");
    await user.selectOptions(el("#profile-privacy-level"), "public");
    await user.click(el(`#profile-scopes input[data-scope="${NRPS}"]`));
    await user.click(el("#custom-field-add"));
    await user.type(el("#custom-field-1-name"), "course");
    await user.type(el("#custom-field-1-value"), "$Canvas.course.id");
    await user.click(el("#placement-add"));
    await user.selectOptions(el(`${row(2)} select[data-field=placement]`), "assignment_selection");
    expect(options(`${row(2)} select[data-field=message_type]`)).toEqual([RL, DL]);
    await user.selectOptions(el(`${row(2)} select[data-field=message_type]`), DL);
    await user.type(el(`${row(2)} input[data-field=text]`), "Pick a quiz");
    await user.click(el("#profile-save"));

    await waitFor(() => expect(document.getElementById("profile-summary")).not.toBeNull());
    const [call] = backend.callsOf("update_tool");
    expect(call?.tool).toBe(PROFILE_TOOL.id);
    const edit = call?.edit as ToolProfile;
    expect(edit.name).toBe("Quiz Builder Pro");
    expect(edit.privacy_level).toBe("public");
    expect(edit.scopes).toEqual([SCORE, NRPS]);
    expect(edit.custom_fields).toEqual({ canvas_user_id: "$Canvas.user.id", course: "$Canvas.course.id" });
    expect(edit.redirect_uris).toEqual(PROFILE_TOOL.redirect_uris);
    expect(edit.placements.slice(0, 2)).toEqual(PROFILE_TOOL.placements);
    expect(edit.placements[2]).toMatchObject({ placement: "assignment_selection", message_type: DL, text: "Pick a quiz", enabled: true });
    expect(app.toasts[0]?.message).toBe("Profile of Quiz Builder Pro saved");
    expect(el('#profile-summary tr[data-placement="assignment_selection"]').textContent).toContain(DL);
    expect(document.activeElement).toBe(el("#profile-edit"));
  });

  it("checks the fields before saving and marks each wrong one", async () => {
    const backend = savingBackend();
    const user = await openEditor();
    const login = el<HTMLInputElement>("#profile-login-url");
    await user.clear(login);
    await user.type(login, "ftp://quiz.example.com/login");
    const width = el<HTMLInputElement>(`${row(1)} input[data-field=launch_width]`);
    await user.type(width, "wide");
    await user.click(el("#profile-save"));

    expect(backend.callsOf("update_tool")).toHaveLength(0);
    expect(login.getAttribute("aria-invalid")).toBe("true");
    expect(el("#profile-login-url-error").textContent).toContain("must start with https://, not ftp://");
    expect(width.getAttribute("aria-invalid")).toBe("true");
    expect(el(`#placement-1-launch_width-error`).textContent).toContain("whole number");
    expect(el("#profile-error").textContent).toBe("Fix the 2 fields marked below, then save again.");
    await waitFor(() => expect(document.activeElement).toBe(login));
    expect(login.value).toBe("ftp://quiz.example.com/login");
  });

  it("shows the server's refusal under the field it names and keeps the draft", async () => {
    const backend = fakeBackend({
      update_tool: () => {
        throw failure(
          "invalid",
          "placement 2 (editor_button) target link URI: 'http://quiz.example.com/deep' uses http. Fix: use https://",
          "placements[1].target_link_uri",
        );
      },
    });
    const user = await openEditor();
    const uri = el<HTMLInputElement>(`${row(1)} input[data-field=target_link_uri]`);
    await user.clear(uri);
    await user.type(uri, "http://localhost/deep");
    await user.click(el(`${row(1)} summary`));
    expect(el<HTMLDetailsElement>(`${row(1)} details`).open).toBe(false);
    await user.click(el("#profile-save"));

    await waitFor(() => expect(el("#placement-1-target_link_uri-error").textContent).toContain("uses http"));
    expect(backend.callsOf("update_tool")).toHaveLength(1);
    expect(el<HTMLDetailsElement>(`${row(1)} details`).open).toBe(true);
    expect(uri.getAttribute("aria-invalid")).toBe("true");
    expect(uri.value).toBe("http://localhost/deep");
    expect(el("#profile-error").textContent).toContain("uses http");
    await waitFor(() => expect(document.activeElement).toBe(uri));
    expect(app.error).toBeNull();
    expect(el<HTMLButtonElement>("#profile-save").disabled).toBe(false);
  });

  it("gives the tool a EULA launch, keeps plain http with a warning, and shows both", async () => {
    const backend = savingBackend();
    const user = await openEditor();
    expect(document.querySelector("#profile-eula-url")).toBeNull();
    await user.click(el("#profile-eula"));
    await user.type(el("#profile-eula-url"), "https://quiz.example.com/lti/eula");
    await user.type(el("#profile-eula-custom-fields"), "eula_version{Enter}");
    const launch = el<HTMLInputElement>("#profile-launch-url");
    await user.clear(launch);
    await user.type(launch, "http://quiz.example.com/launch");
    expect(el("#profile-launch-url-warning").textContent).toContain("Target link URI uses plain http");
    expect(launch.getAttribute("aria-describedby")).toContain("profile-launch-url-warning");
    expect(launch.getAttribute("aria-invalid")).toBe("false");

    await user.click(el("#profile-save"));
    expect(backend.callsOf("update_tool")).toHaveLength(0);
    expect(el("#profile-eula-custom-fields-error").textContent).toContain('write "eula_version" as NAME=VALUE');
    await user.type(el("#profile-eula-custom-fields"), "{Backspace}=2");
    await user.click(el("#profile-save"));

    await waitFor(() => expect(backend.callsOf("update_tool")).toHaveLength(1));
    const edit = backend.callsOf("update_tool")[0]!.edit as ToolProfile;
    expect(edit.eula).toEqual({ target_link_uri: "https://quiz.example.com/lti/eula", custom_fields: { eula_version: "2" } });
    expect(edit.launch_url).toBe("http://quiz.example.com/launch");
    await waitFor(() => expect(el("#profile-eula-summary").textContent).toContain("https://quiz.example.com/lti/eula"));
    expect(el("#profile-eula-summary").textContent).toContain("eula_version = 2");
    expect(el("#profile-http-warnings").textContent).toContain("Target link URI uses plain http");
  });

  it("takes the EULA launch away when its box is cleared", async () => {
    const tool = { ...PROFILE_TOOL, eula: { target_link_uri: null, custom_fields: {} } };
    const backend = savingBackend(tool);
    const user = await openEditor(tool);
    expect(el<HTMLInputElement>("#profile-eula").checked).toBe(true);
    await user.click(el("#profile-eula"));
    await user.click(el("#profile-save"));
    await waitFor(() => expect(backend.callsOf("update_tool")).toHaveLength(1));
    expect("eula" in (backend.callsOf("update_tool")[0]!.edit as object)).toBe(false);
  });

  it("puts an error about no field in the banner", async () => {
    fakeBackend({ update_tool: () => { throw failure("database", "the database is locked"); } });
    const user = await openEditor();
    await user.click(el("#profile-save"));
    await waitFor(() => expect(app.error?.message).toBe("the database is locked"));
    expect(document.getElementById("profile-form")).not.toBeNull();
  });

  it("cancels on Escape and keeps nothing of the draft", async () => {
    const backend = savingBackend();
    const user = await openEditor();
    await user.type(el("#profile-description"), " and more");
    await user.keyboard("{Escape}");
    expect(document.getElementById("profile-form")).toBeNull();
    expect(document.activeElement).toBe(el("#profile-edit"));
    expect(backend.callsOf("update_tool")).toHaveLength(0);
    await user.click(el("#profile-edit"));
    expect(el<HTMLTextAreaElement>("#profile-description").value).toBe("Quizzes");
  });

  it("keeps the draft when the tab is left and opened again", async () => {
    savingBackend();
    const user = await openEditor();
    await user.type(el("#profile-description"), " and more");
    await user.click(el("#placement-add"));
    cleanup();
    render(ProfileTab, { tool: PROFILE_TOOL });
    await waitFor(() => expect(el<HTMLTextAreaElement>("#profile-description").value).toBe("Quizzes and more"));
    expect(document.querySelectorAll("#profile-placements .placement-row")).toHaveLength(3);
  });
});
