import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import App from "../../App.svelte";
import { app } from "../../lib/app.svelte";
import type { IpcError, Tool, ToolRemoval, ToolSummary } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { SAMPLE_KEYS, SAMPLE_TOOL } from "../../test/fixtures";
import { PLATFORM, REGISTRATION } from "../../test/registrationFixtures";
import { SAMPLE_STATE } from "../../test/rotationFixtures";
import type { KeyInfo } from "../../lib/ipc/bindings";
import { READY_WAIT_MS } from "../../lib/app.svelte";
import ToolPage from "./ToolPage.svelte";

const OTHER: Tool = { ...SAMPLE_TOOL, id: "t2", name: "Survey Kit", domain: null, login_url: null, launch_url: null, redirect_uris: [] };

const SUMMARIES: ToolSummary[] = [
  { id: "t1", name: "Quiz Builder", domain: "quiz.example.com", key_count: 1, current_kid: "k1" },
  { id: "t2", name: "Survey Kit", domain: null, key_count: 0, current_kid: null },
];

function byId(tools: Tool[]): (args: Record<string, unknown>) => Tool {
  return (args) => {
    const found = tools.find((t) => t.id === args.tool || t.name === args.tool);
    if (found === undefined) throw failure("tool_not_found", `no tool named or with id '${String(args.tool)}'`);
    return found;
  };
}

function removal(tool: Tool, registrations: number): ToolRemoval {
  return {
    tool_id: tool.id,
    tool: tool.name,
    keys: [{ kid: "k1", private_key: { removed: true, reason: null } as ToolRemoval["keys"][number]["private_key"] }],
    registrations,
    deployments: registrations * 2,
  };
}

function sidebarEntry(id: string): HTMLElement | null {
  return document.querySelector(`#tool-list [data-tool-id="${id}"]`);
}

describe("the tool page", () => {
  it("says it is loading until the tool arrives, then shows its name and URLs", async () => {
    const answer = deferred<Tool>();
    fakeBackend({ get_tool: () => answer.promise });
    render(ToolPage, { id: "t1", tab: "keys" });
    expect(screen.getByText("Loading the tool…")).toBeTruthy();
    expect(document.getElementById("tool-page")).toBeNull();
    answer.resolve(SAMPLE_TOOL);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    const page = document.getElementById("tool-page");
    expect(page?.getAttribute("data-tool-id")).toBe("t1");
    expect(page?.getAttribute("data-tab")).toBe("keys");
    expect(page?.textContent).toContain("https://quiz.example.com/launch");
    expect(page?.textContent).toContain("https://quiz.example.com/login");
    expect(page?.textContent).toContain("quiz.example.com");
    expect(document.getElementById("tab-keys")?.getAttribute("aria-selected")).toBe("true");
    await waitFor(() => expect(document.querySelector("#keys-panel #keys-table")).not.toBeNull());
    // Nothing had the focus: the open tab takes it.
    await waitFor(() => expect(document.activeElement?.id).toBe("tab-keys"));
  });

  it("shows an error it cannot load past, with a retry", async () => {
    let answer: () => Tool = () => {
      throw failure("database", "The database is locked.");
    };
    fakeBackend({ get_tool: () => answer() });
    const user = userEvent.setup();
    render(ToolPage, { id: "t1", tab: "keys" });
    await waitFor(() => expect(app.error?.message).toBe("The database is locked."));
    expect(screen.getByText(/could not be loaded/).textContent).toContain("The database is locked.");
    answer = () => SAMPLE_TOOL;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
  });

  it("opens the edit form from Edit", async () => {
    fakeBackend({ get_tool: SAMPLE_TOOL });
    const user = userEvent.setup();
    render(ToolPage, { id: "t1", tab: "keys" });
    await user.click(await screen.findByRole("button", { name: "Edit" }));
    expect(app.route).toEqual({ screen: "edit-tool", id: "t1" });
  });

  it("leaves a tool deleted elsewhere for the next one, with a toast", async () => {
    const shown = [SAMPLE_TOOL, OTHER];
    const backend = fakeBackend({ list_tools: () => SUMMARIES.filter((s) => shown.some((t) => t.id === s.id)), get_tool: byId(shown) });
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    shown.shift();
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t2", tab: "keys" }));
    expect(app.toasts.map((t) => t.message)).toEqual(["Tool Quiz Builder no longer exists"]);
    expect(app.error).toBeNull();
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Survey Kit"));
    expect(backend.callsOf("get_tool").map((a) => a.tool)).toContain("t2");
  });

  it("deletes a tool after the confirm, then opens and focuses the next in the sidebar", async () => {
    const shown = [SAMPLE_TOOL, OTHER];
    const backend = fakeBackend({
      list_tools: () => SUMMARIES.filter((s) => shown.some((t) => t.id === s.id)),
      get_tool: byId(shown),
      remove_tool: () => {
        shown.shift();
        return removal(SAMPLE_TOOL, 0);
      },
    });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    await user.click(screen.getByRole("button", { name: "Delete tool" }));
    expect(backend.callsOf("remove_tool")).toHaveLength(0);
    expect(document.activeElement?.id).toBe("tool-delete-confirm");
    await user.click(document.getElementById("tool-delete-confirm") as HTMLElement);
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t2", tab: "keys" }));
    expect(backend.callsOf("remove_tool")).toEqual([{ tool: "t1", removeRegistrations: false }]);
    expect(app.toasts.map((t) => t.message)).toEqual(["Tool Quiz Builder deleted with its 1 key"]);
    await waitFor(() => expect(sidebarEntry("t1")).toBeNull());
    expect(document.activeElement).toBe(sidebarEntry("t2"));
  });

  it("shows what goes with a tool that has registrations, and deletes them with it when asked", async () => {
    const refusal: IpcError = {
      ...failure("tool_has_registrations", "tool 'Quiz Builder' still has 1 registration(s) on platforms."),
      remedies: [{ kind: "remove_tool_with_registrations", tool: "Quiz Builder" }],
    };
    const shown = [SAMPLE_TOOL];
    const backend = fakeBackend({
      list_tools: () => SUMMARIES.filter((s) => shown.some((t) => t.id === s.id)),
      get_tool: byId(shown),
      list_registrations: [REGISTRATION],
      remove_tool: (args) => {
        if (args.removeRegistrations !== true) throw refusal;
        shown.shift();
        return removal(SAMPLE_TOOL, 1);
      },
    });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    await user.click(screen.getByRole("button", { name: "Delete tool" }));
    await user.click(document.getElementById("tool-delete-confirm") as HTMLElement);

    const refused = await waitFor(() => {
      const found = document.getElementById("tool-delete-refused");
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    expect(refused.textContent).toContain(PLATFORM.name);
    expect(refused.textContent).toContain(REGISTRATION.client_id);
    expect(refused.textContent).toContain("its 1 key");
    expect(refused.textContent).toContain("2 deployment ids");
    expect(app.error).toBeNull();
    expect(backend.callsOf("list_registrations")).toContainEqual({ tool: "t1", platform: null });
    const button = document.getElementById("tool-delete-with-registrations");
    expect(button?.textContent).toBe("Delete with its 1 registration");
    await waitFor(() => expect(document.activeElement).toBe(button));

    // Escape keeps the tool; asking again comes back to the same place.
    await user.keyboard("{Escape}");
    expect(document.getElementById("tool-delete-refused")).toBeNull();
    await waitFor(() => expect(document.activeElement?.id).toBe("tool-delete"));
    await user.click(screen.getByRole("button", { name: "Delete tool" }));
    await user.click(document.getElementById("tool-delete-confirm") as HTMLElement);
    await user.click(await screen.findByRole("button", { name: "Delete with its 1 registration" }));

    await waitFor(() => expect(app.route).toEqual({ screen: "start" }));
    expect(backend.callsOf("remove_tool").at(-1)).toEqual({ tool: "t1", removeRegistrations: true });
    expect(app.toasts.map((t) => t.message)).toEqual(["Tool Quiz Builder deleted with its 1 key and 1 registration"]);
    expect(await screen.findByText("No tools yet")).toBeTruthy();
    expect(document.activeElement?.id).toBe("new-tool");
  });

  it("moves between tabs with the arrow keys, Home and End", async () => {
    fakeBackend({ list_tools: SUMMARIES, get_tool: byId([SAMPLE_TOOL, OTHER]) });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    expect(screen.getByRole("tablist").querySelectorAll("[role=tab]")).toHaveLength(4);
    (document.getElementById("tab-keys") as HTMLElement).focus();

    await user.keyboard("{ArrowRight}");
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "profile" });
    await waitFor(() => expect(document.activeElement?.id).toBe("tab-profile"));
    expect(document.getElementById("tab-profile")?.getAttribute("aria-selected")).toBe("true");
    expect(document.getElementById("tab-keys")?.getAttribute("aria-selected")).toBe("false");
    expect(document.getElementById("tab-profile")?.tabIndex).toBe(0);
    expect(document.getElementById("tab-keys")?.tabIndex).toBe(-1);
    expect(document.getElementById("profile-panel")).not.toBeNull();

    await user.keyboard("{End}");
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "registrations" });
    await user.keyboard("{ArrowRight}");
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });
    await user.keyboard("{ArrowLeft}");
    await waitFor(() => expect(document.activeElement?.id).toBe("tab-registrations"));
    await user.keyboard("{Home}");
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });

    await user.click(screen.getByRole("tab", { name: "Canvas JSON" }));
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "canvas" });
    expect(document.getElementById("tool-page")?.getAttribute("data-tab")).toBe("canvas");
  });

  it("opens another tool from the sidebar once its tool, keys and rotation are read, in one go", async () => {
    const keys = deferred<KeyInfo[]>();
    const backend = fakeBackend({
      list_tools: SUMMARIES,
      get_tool: byId([SAMPLE_TOOL, OTHER]),
      list_keys: (args) => (args.tool === "t2" ? keys.promise : SAMPLE_KEYS),
      rotation_state: SAMPLE_STATE,
    });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));
    await waitFor(() => expect(document.querySelectorAll("#keys-table tbody tr")).toHaveLength(SAMPLE_KEYS.length));
    const before = backend.callsOf("list_keys").length;

    await user.click(sidebarEntry("t2") as HTMLElement);
    // While the keys are read, the old page stays, whole: no loading state in between.
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });
    expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder");
    expect(screen.queryByText("Loading the tool…")).toBeNull();

    keys.resolve([{ ...SAMPLE_KEYS[0], kid: "survey-key" } as KeyInfo]);
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t2", tab: "keys" }));
    // The page shows complete at once, from what was read before it opened.
    expect(document.getElementById("tool-title")?.textContent).toBe("Survey Kit");
    expect(document.getElementById("keys-table")?.textContent).toContain("survey-key");
    expect(document.getElementById("rotation-loading")).toBeNull();
    expect(sidebarEntry("t2")?.getAttribute("aria-current")).toBe("page");
    // Nothing was read twice: get_tool and rotation_state once for t2, list_keys once more.
    expect(backend.callsOf("get_tool").filter((a) => a.tool === "t2")).toHaveLength(1);
    expect(backend.callsOf("rotation_state").filter((a) => a.tool === "t2")).toHaveLength(1);
    expect(backend.callsOf("list_keys").length - before).toBe(1);
  });

  it("opens the page anyway, loading, when the reads take too long, and a newer click wins", async () => {
    const slow = deferred<Tool>();
    const backend = fakeBackend({
      list_tools: SUMMARIES,
      get_tool: (args) => (args.tool === "t2" ? slow.promise : SAMPLE_TOOL),
      list_keys: SAMPLE_KEYS,
      rotation_state: SAMPLE_STATE,
    });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Quiz Builder"));

    await user.click(sidebarEntry("t2") as HTMLElement);
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t2", tab: "keys" }), { timeout: READY_WAIT_MS * 4 });
    expect(screen.getByText("Loading the tool…")).toBeTruthy();
    slow.resolve(OTHER);
    await waitFor(() => expect(document.getElementById("tool-title")?.textContent).toBe("Survey Kit"));

    // A click on the first tool, then on Platforms before its keys are read: Platforms stays.
    const held = deferred<KeyInfo[]>();
    backend.on("list_keys", () => held.promise);
    await user.click(sidebarEntry("t1") as HTMLElement);
    await user.click(document.getElementById("nav-platforms") as HTMLElement);
    expect(app.route).toEqual({ screen: "platforms" });
    held.resolve(SAMPLE_KEYS);
    await new Promise((resolve) => setTimeout(resolve, READY_WAIT_MS * 2));
    expect(app.route).toEqual({ screen: "platforms" });
  });
});
