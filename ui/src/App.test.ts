import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import App from "./App.svelte";
import { app, TOAST_MS } from "./lib/app.svelte";
import type { ToolSummary } from "./lib/ipc/bindings";
import { fakeBackend } from "./test/backend";
import { SAMPLE_TOOL, STATUS_OK } from "./test/fixtures";

const TOOLS: ToolSummary[] = [
  { id: "t2", name: "Zeta Quiz", domain: "zeta.example.edu", key_count: 2, current_kid: "k2" },
  { id: "t1", name: "Álgebra Lab", domain: "algebra.example.org", key_count: 0, current_kid: null },
  { id: "t3", name: "Beta Survey", domain: null, key_count: 1, current_kid: "k3" },
];

function toolButtons(): string[] {
  return Array.from(document.querySelectorAll("#tool-list [data-tool-id]")).map((b) => b.getAttribute("data-tool-id") ?? "");
}

describe("the window", () => {
  it("says there are no tools yet, once the list has answered", async () => {
    fakeBackend();
    render(App);
    expect(await screen.findByText("No tools yet")).toBeTruthy();
    expect(document.querySelector("#tool-list")?.textContent).toContain("No tools yet.");
  });

  it("lists the tools by name, accents folded, and opens the first", async () => {
    fakeBackend({ list_tools: TOOLS });
    render(App);
    await waitFor(() => expect(toolButtons()).toEqual(["t1", "t3", "t2"]));
    expect(app.route).toEqual({ screen: "tool", id: "t1", tab: "keys" });
    expect(document.querySelector('[data-tool-id="t1"]')?.getAttribute("aria-current")).toBe("page");
  });

  it("filters the sidebar by name or domain; Ctrl+F focuses the filter, Escape clears it", async () => {
    fakeBackend({ list_tools: TOOLS });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
    await user.keyboard("{Control>}f{/Control}");
    const filter = document.getElementById("tool-filter");
    expect(document.activeElement).toBe(filter);
    await user.keyboard("algebra");
    expect(toolButtons()).toEqual(["t1"]);
    await user.clear(filter as HTMLInputElement);
    await user.keyboard("zeta.example");
    expect(toolButtons()).toEqual(["t2"]);
    await user.keyboard("nothing-like-it");
    expect(document.querySelector("#tool-list")?.textContent).toContain("No tool matches");
    await user.keyboard("{Escape}");
    expect(toolButtons()).toHaveLength(3);
  });

  it("opens the new-tool form on Ctrl+N", async () => {
    fakeBackend({ list_tools: TOOLS });
    render(App);
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
    await fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    expect(app.route).toEqual({ screen: "new-tool" });
  });

  it("warns once when the keychain is unavailable", async () => {
    fakeBackend({ app_status: { ...STATUS_OK, keychain_available: false, keychain_message: "No Secret Service." } });
    render(App);
    const banner = await waitFor(() => {
      const found = document.querySelectorAll("#keychain-warning");
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(banner?.textContent).toContain("No Secret Service.");
  });

  it("ends the keychain's message as a sentence before its own", async () => {
    fakeBackend({
      app_status: { ...STATUS_OK, keychain_available: false, keychain_message: "Keys are never stored in plaintext instead" },
    });
    render(App);
    const banner = await waitFor(() => {
      const found = document.querySelector("#keychain-warning");
      expect(found).not.toBeNull();
      return found;
    });
    expect(banner?.textContent).toContain("plaintext instead. Keys can be listed");
  });

  it("reloads the sidebar when the window regains focus", async () => {
    const backend = fakeBackend({ list_tools: TOOLS.slice(0, 1) });
    render(App);
    await waitFor(() => expect(toolButtons()).toEqual(["t2"]));
    backend.on("list_tools", TOOLS);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
  });

  it("on regaining focus reloads only the status when the database did not change, and everything when it did", async () => {
    let stamp = 7;
    const backend = fakeBackend({ list_tools: TOOLS.slice(0, 1), data_stamp: () => stamp });
    render(App);
    await waitFor(() => expect(toolButtons()).toEqual(["t2"]));
    await waitFor(() => expect(backend.callsOf("data_stamp").length).toBeGreaterThan(0));
    const lists = backend.callsOf("list_tools").length;
    const statuses = backend.callsOf("app_status").length;

    // Back with nothing changed (the stamp held): the status is read again, nothing else.
    backend.on("list_tools", TOOLS);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(backend.callsOf("app_status").length).toBe(statuses + 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(backend.callsOf("list_tools").length).toBe(lists);
    expect(toolButtons()).toEqual(["t2"]);
    expect(app.revision).toBe(0);

    // Someone wrote meanwhile (the stamp moved): every screen reloads.
    stamp = 8;
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
    expect(app.revision).toBe(1);
  });

  it("after its own change notes the stamp, so coming back does not reload again", async () => {
    let stamp = 1;
    const backend = fakeBackend({
      list_tools: TOOLS,
      data_stamp: () => stamp,
      remove_orphans: () => {
        stamp += 1;
        return STATUS_OK;
      },
      app_status: () => ({ ...STATUS_OK, orphans: [{ tool: "Quiz", kid: "k9", revoked: true }] }),
    });
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByText("Remove…"));
    await user.click(await waitFor(() => document.getElementById("orphans-confirm") as HTMLElement));
    await waitFor(() => expect(app.revision).toBe(1));
    await waitFor(() => expect(backend.callsOf("data_stamp").length).toBe(2));
    const lists = backend.callsOf("list_tools").length;
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(backend.callsOf("data_stamp").length).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.revision).toBe(1);
    expect(backend.callsOf("list_tools").length).toBe(lists);
  });

  it("reloads everything on regaining focus when the stamp cannot be read", async () => {
    const backend = fakeBackend({ list_tools: TOOLS.slice(0, 1), data_stamp: () => { throw new Error("the database is gone"); } });
    render(App);
    await waitFor(() => expect(toolButtons()).toEqual(["t2"]));
    backend.on("list_tools", TOOLS);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
  });

  it("offers to remove orphan private keys, asking first", async () => {
    const orphans = [{ tool: "Quiz", kid: "k9", revoked: true }];
    let left = orphans;
    const backend = fakeBackend({
      app_status: () => ({ ...STATUS_OK, orphans: left }),
      remove_orphans: () => {
        left = [];
        return { ...STATUS_OK, orphans: left };
      },
    });
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByText("Remove…"));
    const confirm = document.getElementById("orphans-confirm");
    expect(document.activeElement).toBe(confirm);
    await user.click(confirm as HTMLElement);
    await waitFor(() => expect(document.getElementById("orphans-banner")).toBeNull());
    expect(backend.callsOf("remove_orphans")).toHaveLength(1);
    expect(document.getElementById("toast")?.textContent).toBe("Removed 1 private key from the keychain");
  });

  it("lets a toast go by itself", async () => {
    vi.useFakeTimers();
    try {
      fakeBackend();
      render(App);
      app.toast("Done");
      await vi.advanceTimersByTimeAsync(10);
      expect(document.getElementById("toast")?.textContent).toBe("Done");
      await vi.advanceTimersByTimeAsync(TOAST_MS);
      expect(document.getElementById("toast")?.hidden).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows an error with the remedies this window can carry out", async () => {
    // The tool page opened at start answers before the error is shown, so it cannot replace it.
    fakeBackend({ list_tools: TOOLS, get_tool: (args) => ({ ...SAMPLE_TOOL, id: String(args.tool) }) });
    render(App);
    await waitFor(() => expect(toolButtons()).toHaveLength(3));
    app.showError({
      kind: "key_not_found",
      message: "No key signs for Zeta Quiz.",
      field: null,
      remedies: [{ kind: "generate_key", tool: "Zeta Quiz", next: false }, { kind: "list_tools" }],
    });
    const remedy = await screen.findByText("Generate a key");
    await fireEvent.click(remedy);
    expect(app.route).toEqual({ screen: "tool", id: "t2", tab: "keys" });
    expect(app.error).toBeNull();
  });
});
