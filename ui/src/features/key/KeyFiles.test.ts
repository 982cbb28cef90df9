import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { KeyImported, KeyInfo } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { SAMPLE_KEYS, SAMPLE_TOOL } from "../../test/fixtures";
import { resetGenerate } from "./generate.svelte";
import KeysTab from "./KeysTab.svelte";

afterEach(() => resetGenerate());

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`no #${id}`);
  return found as T;
}

function fieldError(id: string): string | null {
  return document.querySelector(`[data-field-error="${id}"]`)?.textContent ?? null;
}

const IMPORTED_KEY: KeyInfo = { ...(SAMPLE_KEYS[2] as KeyInfo), kid: "imported-1", status: "next" };
const IMPORTED: KeyImported = { ...IMPORTED_KEY, notes: [] };

describe("importing a PEM private key", () => {
  it("does nothing when the open dialog is cancelled", async () => {
    const backend = fakeBackend({ list_keys: [], pick_key_pem: { outcome: "cancelled" } });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await user.click(await screen.findByRole("button", { name: "Import PEM…" }));
    await waitFor(() => expect(backend.callsOf("pick_key_pem")).toEqual([{ tool: "t1" }]));
    await waitFor(() => expect(byId<HTMLButtonElement>("import-pem").disabled).toBe(false));
    expect(document.getElementById("import-pem-form")).toBeNull();
    expect(app.toasts).toEqual([]);
    expect(app.error).toBeNull();
  });

  it("asks an encrypted file's passphrase, shows a wrong one under its field, then imports", async () => {
    let keys: KeyInfo[] = [];
    let answer: () => unknown = () => {
      throw failure("bad_key", "The passphrase does not open this file.", "passphrase");
    };
    const backend = fakeBackend({
      list_keys: () => keys,
      pick_key_pem: { outcome: "picked", ticket: 7, file_name: "tool-key.pem", encrypted: true },
      import_key_pem: () => answer(),
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await user.click(await screen.findByRole("button", { name: "Import PEM…" }));
    const passphrase = await waitFor(() => byId<HTMLInputElement>("import-passphrase"));
    expect(document.activeElement).toBe(passphrase);
    expect(passphrase.type).toBe("password");
    expect(byId("import-pem-form").textContent).toContain("tool-key.pem");

    // Nothing typed: said here, nothing sent.
    await user.click(byId("import-submit-pem"));
    expect(fieldError("import-passphrase")).toContain("Enter the passphrase");
    expect(backend.callsOf("import_key_pem")).toEqual([]);

    await user.type(passphrase, "wrong");
    await user.type(byId("import-kid"), "imported-1");
    await user.click(byId("import-submit-pem"));
    await waitFor(() => expect(fieldError("import-passphrase")).toBe("The passphrase does not open this file."));
    expect(passphrase.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(passphrase);
    expect(app.error).toBeNull();
    expect(byId<HTMLInputElement>("import-kid").value).toBe("imported-1");

    answer = () => {
      keys = [IMPORTED_KEY];
      return IMPORTED;
    };
    await user.clear(passphrase);
    await user.type(passphrase, "right");
    await user.click(byId("import-submit-pem"));
    await waitFor(() => expect(document.querySelector('#keys-table tr[data-kid="imported-1"]')).not.toBeNull());
    expect(backend.callsOf("import_key_pem")[1]).toEqual({
      request: { ticket: 7, tool: "t1", kid: "imported-1", passphrase: "right" },
    });
    expect(app.toasts.map((t) => t.message)).toEqual(["Key imported-1 imported"]);
    expect(document.getElementById("import-pem-form")).toBeNull();
    expect(document.activeElement).toBe(byId("import-pem"));
  });

  it("imports a plain file without a passphrase, the kid left to the Rust side; Escape cancels", async () => {
    const backend = fakeBackend({
      list_keys: [],
      pick_key_pem: { outcome: "picked", ticket: 3, file_name: "plain.pem", encrypted: false },
      import_key_pem: { ...IMPORTED, notes: ["a CERTIFICATE block was passed over: only the private key is imported"] },
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await user.click(await screen.findByRole("button", { name: "Import PEM…" }));
    await waitFor(() => expect(document.activeElement).toBe(byId("import-kid")));
    expect(document.getElementById("import-passphrase")).toBeNull();
    await user.keyboard("{Escape}");
    expect(document.getElementById("import-pem-form")).toBeNull();
    expect(document.activeElement).toBe(byId("import-pem"));

    await user.click(byId("import-pem"));
    await user.click(await waitFor(() => byId("import-submit-pem")));
    await waitFor(() => expect(backend.callsOf("import_key_pem")).toHaveLength(1));
    expect(backend.callsOf("import_key_pem")[0]).toEqual({ request: { ticket: 3, tool: "t1", kid: null, passphrase: null } });
    await waitFor(() => expect(app.toasts.at(-1)?.message).toBe("Key imported-1 imported (a CERTIFICATE block was passed over: only the private key is imported)"));
  });
});

describe("exporting a private key", () => {
  async function openExport(handlers: Record<string, unknown>): Promise<{
    user: ReturnType<typeof userEvent.setup>;
    backend: ReturnType<typeof fakeBackend>;
  }> {
    const backend = fakeBackend({ list_keys: SAMPLE_KEYS, ...(handlers as Record<string, object>) });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await user.click(await waitFor(() => byId("keys-table").querySelector<HTMLElement>('[data-export-key="next-a"]') as HTMLElement));
    await waitFor(() => expect(document.activeElement).toBe(byId("export-passphrase")));
    return { user, backend };
  }

  it("checks the passphrases here first, then shows the Rust side's field errors under their fields", async () => {
    const { user, backend } = await openExport({
      export_private_key: () => {
        throw failure("invalid", "Use at least 8 characters.", "passphrase");
      },
    });
    await user.click(byId("export-save"));
    expect(fieldError("export-passphrase")).toContain("Enter a passphrase");
    await user.type(byId("export-passphrase"), "short");
    await user.type(byId("export-confirm"), "shirt");
    await user.click(byId("export-save"));
    expect(fieldError("export-confirm")).toBe("The two passphrases differ.");
    expect(document.activeElement).toBe(byId("export-confirm"));
    expect(backend.callsOf("export_private_key")).toEqual([]);

    await user.clear(byId("export-confirm"));
    await user.type(byId("export-confirm"), "short");
    await user.click(byId("export-save"));
    await waitFor(() => expect(fieldError("export-passphrase")).toBe("Use at least 8 characters."));
    expect(backend.callsOf("export_private_key")).toEqual([
      { request: { tool: "t1", kid: "next-a", passphrase: "short", confirm: "short" } },
    ]);
    expect(byId<HTMLInputElement>("export-passphrase").value).toBe("short");

    backend.on("export_private_key", () => {
      throw failure("invalid", "The passphrases differ.", "confirm");
    });
    await user.click(byId("export-save"));
    await waitFor(() => expect(fieldError("export-confirm")).toBe("The passphrases differ."));
    expect(app.error).toBeNull();
  });

  it("saves through the Rust side's dialog and closes, the passphrases gone with the form; Escape cancels", async () => {
    const saved = deferred<unknown>();
    const { user, backend } = await openExport({ export_private_key: () => saved.promise });
    await user.type(byId("export-passphrase"), "correct horse");
    await user.type(byId("export-confirm"), "correct horse");
    await user.click(byId("export-save"));
    expect(byId<HTMLButtonElement>("export-save").disabled).toBe(true);
    saved.resolve({ outcome: "saved", path: "/home/me/next-a.pem" });
    await waitFor(() => expect(document.getElementById("export-passphrase")).toBeNull());
    expect(app.toasts.map((t) => t.message)).toEqual(["Private key of next-a saved to /home/me/next-a.pem"]);
    const trigger = byId("keys-table").querySelector('[data-export-key="next-a"]');
    expect(document.activeElement).toBe(trigger);

    // A cancelled dialog says nothing and keeps the form; Escape closes it.
    backend.on("export_private_key", { outcome: "cancelled" });
    await user.click(trigger as HTMLElement);
    const again = await waitFor(() => byId<HTMLInputElement>("export-passphrase"));
    expect(again.value).toBe("");
    expect(byId<HTMLInputElement>("export-confirm").value).toBe("");
    await user.type(again, "x");
    await user.type(byId("export-confirm"), "x");
    await user.click(byId("export-save"));
    await waitFor(() => expect(backend.callsOf("export_private_key")).toHaveLength(2));
    await waitFor(() => expect(byId<HTMLButtonElement>("export-save").disabled).toBe(false));
    expect(app.toasts).toHaveLength(1);
    byId("export-confirm").focus();
    await user.keyboard("{Escape}");
    expect(document.getElementById("export-passphrase")).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });
});
