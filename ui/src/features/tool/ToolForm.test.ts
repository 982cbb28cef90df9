import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { Tool, ToolProfile } from "../../lib/ipc/bindings";
import { failure, fakeBackend } from "../../test/backend";
import { SAMPLE_TOOL } from "../../test/fixtures";
import { PROFILE_TOOL } from "../../test/registrationFixtures";
import { clearNewToolDraft, newToolDraft } from "./draft.svelte";
import ToolForm from "./ToolForm.svelte";

function control(id: string): HTMLInputElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement)) throw new Error(`no control #${id}`);
  return element as HTMLInputElement;
}

function errorOf(id: string): string | null {
  return document.getElementById(`${id}-error`)?.textContent ?? null;
}

const CREATED: Tool = { ...SAMPLE_TOOL, id: "t9", name: "Quiz Engine" };

beforeEach(() => clearNewToolDraft());

describe("the new-tool form", () => {
  it("opens empty with the focus on the name", async () => {
    fakeBackend();
    render(ToolForm);
    expect(screen.getByRole("heading", { name: "New tool" })).toBeTruthy();
    for (const id of ["tool-name", "tool-domain", "tool-login-url", "tool-launch-url", "tool-redirect-uris", "tool-jwks-url"]) {
      expect(control(id).value).toBe("");
    }
    await waitFor(() => expect(document.activeElement?.id).toBe("tool-name"));
  });

  it("shows what is wrong under each field, sends nothing, and focuses the first", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(ToolForm);
    await user.type(control("tool-domain"), "https://quiz.example.com");
    await user.type(control("tool-launch-url"), "quiz.example.com/launch");
    await user.type(control("tool-redirect-uris"), "https://ok.example.com/a{Enter}ftp://bad.example.com");
    await user.click(screen.getByRole("button", { name: "Save tool" }));
    expect(errorOf("tool-name")).toContain("Name: enter a name");
    expect(errorOf("tool-domain")).toContain("Domain: enter only the host name");
    expect(errorOf("tool-launch-url")).toContain("is not a valid URL");
    expect(errorOf("tool-redirect-uris")).toContain('Redirect URI "ftp://bad.example.com"');
    expect(errorOf("tool-login-url")).toBeNull();
    expect(control("tool-name").getAttribute("aria-invalid")).toBe("true");
    expect(control("tool-name").getAttribute("aria-describedby")).toContain("tool-name-error");
    await waitFor(() => expect(document.activeElement?.id).toBe("tool-name"));
    expect(backend.callsOf("add_tool")).toHaveLength(0);

    // Typing into a field takes its error away.
    await user.type(control("tool-name"), "Quiz");
    expect(errorOf("tool-name")).toBeNull();
    expect(control("tool-name").getAttribute("aria-invalid")).toBe("false");
  });

  it("creates the tool from what was typed, opens it and says so", async () => {
    const backend = fakeBackend({ add_tool: CREATED });
    const user = userEvent.setup();
    render(ToolForm);
    await user.type(control("tool-name"), "  Quiz Engine ");
    await user.type(control("tool-domain"), "quiz.example.edu");
    await user.type(control("tool-launch-url"), "https://quiz.example.edu/lti/launch");
    await user.type(control("tool-redirect-uris"), "https://quiz.example.edu/a{Enter}{Enter}https://quiz.example.edu/b");
    await user.click(screen.getByRole("button", { name: "Save tool" }));
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t9", tab: "keys" }));
    const input = backend.callsOf("add_tool")[0]?.input as ToolProfile;
    expect(input).toMatchObject({
      name: "Quiz Engine",
      domain: "quiz.example.edu",
      login_url: null,
      launch_url: "https://quiz.example.edu/lti/launch",
      redirect_uris: ["https://quiz.example.edu/a", "https://quiz.example.edu/b"],
      jwks_url: null,
    });
    expect(app.toasts.map((t) => t.message)).toEqual(["Tool Quiz Engine created"]);
    expect(newToolDraft.name).toBe("");
  });

  it("shows a duplicate name under the name field, focused, and keeps the draft", async () => {
    fakeBackend({
      add_tool: () => {
        throw failure("tool_exists", "a tool named 'Quiz Engine' already exists. Fix: choose another name", "name");
      },
    });
    const user = userEvent.setup();
    render(ToolForm);
    await user.type(control("tool-name"), "Quiz Engine");
    await user.type(control("tool-domain"), "quiz.example.edu");
    await user.click(screen.getByRole("button", { name: "Save tool" }));
    await waitFor(() => expect(errorOf("tool-name")).toContain("already exists"));
    expect(control("tool-name").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement?.id).toBe("tool-name"));
    expect(app.error).toBeNull();
    expect(app.route).toEqual({ screen: "start" });
    expect(control("tool-domain").value).toBe("quiz.example.edu");
  });

  it("shows an error about no field of the form in the banner", async () => {
    fakeBackend({ add_tool: () => Promise.reject(failure("database", "The database is locked.")) });
    const user = userEvent.setup();
    render(ToolForm);
    await user.type(control("tool-name"), "Quiz");
    await user.click(screen.getByRole("button", { name: "Save tool" }));
    await waitFor(() => expect(app.error?.message).toBe("The database is locked."));
    expect(errorOf("tool-name")).toBeNull();
    expect((screen.getByRole("button", { name: "Save tool" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("keeps the draft when the form is left and opened again", async () => {
    fakeBackend();
    const user = userEvent.setup();
    const first = render(ToolForm);
    await user.type(control("tool-name"), "Half typed");
    await user.type(control("tool-jwks-url"), "https://half.example.com/jwks");
    first.unmount();
    render(ToolForm);
    expect(control("tool-name").value).toBe("Half typed");
    expect(control("tool-jwks-url").value).toBe("https://half.example.com/jwks");
  });

  it("cancels on Escape, dropping the draft", async () => {
    fakeBackend();
    const user = userEvent.setup();
    app.navigate({ screen: "new-tool" });
    render(ToolForm);
    await user.type(control("tool-name"), "Never mind");
    await user.keyboard("{Escape}");
    expect(app.route).toEqual({ screen: "start" });
    expect(newToolDraft.name).toBe("");
  });
});

describe("the edit form", () => {
  it("starts from the tool and sends its whole profile with only the form's fields changed", async () => {
    const backend = fakeBackend({
      get_tool: PROFILE_TOOL,
      update_tool: (args) => ({ ...PROFILE_TOOL, ...(args.edit as ToolProfile) }),
    });
    const user = userEvent.setup();
    render(ToolForm, { toolId: "t1" });
    await waitFor(() => expect(control("tool-name").value).toBe("Quiz Builder"));
    expect(control("tool-launch-url").value).toBe("https://quiz.example.com/launch");
    expect(control("tool-redirect-uris").value).toBe("https://quiz.example.com/launch");
    await waitFor(() => expect(document.activeElement?.id).toBe("tool-name"));

    await user.clear(control("tool-name"));
    await user.type(control("tool-name"), "Quiz Builder 2");
    await user.clear(control("tool-launch-url"));
    await user.type(control("tool-launch-url"), "https://quiz.example.com/v2/launch");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(backend.callsOf("update_tool")).toHaveLength(1));
    const call = backend.callsOf("update_tool")[0];
    expect(call?.tool).toBe("t1");
    const { id: _id, created_at: _created, ...profile } = PROFILE_TOOL;
    expect(call?.edit).toEqual({ ...profile, name: "Quiz Builder 2", launch_url: "https://quiz.example.com/v2/launch" });
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });
    expect(app.toasts.map((t) => t.message)).toEqual(["Tool Quiz Builder 2 saved"]);
    expect(backend.callsOf("add_tool")).toHaveLength(0);
  });

  it("goes back to the tool on Escape without saving", async () => {
    const backend = fakeBackend({ get_tool: SAMPLE_TOOL });
    const user = userEvent.setup();
    render(ToolForm, { toolId: "t1" });
    await waitFor(() => expect(control("tool-name").value).toBe("Quiz Builder"));
    await user.type(control("tool-name"), " changed");
    await user.keyboard("{Escape}");
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });
    expect(backend.callsOf("update_tool")).toHaveLength(0);
  });
});
