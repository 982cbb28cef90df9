import type { Channel } from "@tauri-apps/api/core";
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { KeygenProgress, KeyInfo } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { SAMPLE_KEYS, SAMPLE_TOOL, STATUS_OK } from "../../test/fixtures";
import { tools } from "../tool/tools.svelte";
import { resetGenerate } from "./generate.svelte";
import KeysTab from "./KeysTab.svelte";

afterEach(() => resetGenerate());

const JWK = '{\n  "kty": "RSA",\n  "kid": "cur",\n  "n": "0vx7",\n  "e": "AQAB"\n}';
const JWKS = '{"keys":[{"kty":"RSA","kid":"cur"},{"kty":"RSA","kid":"next-a"}]}';

function kids(): string[] {
  return Array.from(document.querySelectorAll("#keys-table tr[data-kid]"), (row) => row.getAttribute("data-kid") ?? "");
}

function row(kid: string): HTMLElement {
  const found = Array.from(document.querySelectorAll<HTMLElement>("#keys-table tr[data-kid]")).find(
    (r) => r.getAttribute("data-kid") === kid,
  );
  if (found === undefined) throw new Error(`no row for ${kid}`);
  return found;
}

function button(selector: string): HTMLButtonElement {
  const found = document.querySelector<HTMLButtonElement>(selector);
  if (found === null) throw new Error(`no ${selector}`);
  return found;
}

/** A `generate_key` answer that waits for `done`, keeping the progress channel it was sent. */
function pendingGeneration(): {
  done: ReturnType<typeof deferred<KeyInfo>>;
  answer: (args: Record<string, unknown>) => Promise<KeyInfo>;
  progress: () => Channel<KeygenProgress> | null;
} {
  const done = deferred<KeyInfo>();
  let channel: Channel<KeygenProgress> | null = null;
  return {
    done,
    answer: (args) => {
      channel = args.onProgress as Channel<KeygenProgress>;
      return done.promise;
    },
    progress: () => channel,
  };
}

/** The toast shown now. */
function toast(): string {
  return app.toasts.map((t) => t.message).join(" | ");
}

function newKey(kid: string, status: KeyInfo["status"] = "next"): KeyInfo {
  const [first] = SAMPLE_KEYS;
  if (first === undefined) throw new Error("no sample key");
  return { ...first, kid, status, published: true, private_key: "present", created_at: "2026-01-01T00:00:00Z" };
}

describe("the keys tab", () => {
  it("says it is loading until the keys arrive", async () => {
    const keys = deferred<KeyInfo[]>();
    fakeBackend({ list_keys: () => keys.promise });
    render(KeysTab, { tool: SAMPLE_TOOL });
    expect(document.querySelector('[data-state="loading"]')?.textContent).toContain("Loading the keys");
    expect(button("#save-jwks").disabled).toBe(true);
    keys.resolve(SAMPLE_KEYS);
    await waitFor(() => expect(kids()).toHaveLength(SAMPLE_KEYS.length));
    expect(document.querySelector('[data-state="loading"]')).toBeNull();
  });

  it("says there are no keys yet", async () => {
    fakeBackend({ list_keys: [] });
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(document.querySelector("#keys-table .empty-row")?.textContent).toContain("No keys yet"));
    expect(kids()).toEqual([]);
    expect(document.getElementById("keys-heading")?.textContent).toContain("(0 keys)");
  });

  it("shows a failed load in the banner and tries again on request", async () => {
    let answer: () => unknown = () => {
      throw failure("database", "The data file is locked.");
    };
    const backend = fakeBackend({ list_keys: () => answer() });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(document.querySelector('[data-state="error"]')).not.toBeNull());
    expect(app.error?.message).toBe("The data file is locked.");
    answer = () => SAMPLE_KEYS;
    await user.click(button("#keys-retry"));
    await waitFor(() => expect(kids()).toHaveLength(SAMPLE_KEYS.length));
    expect(backend.callsOf("list_keys").every((args) => args.tool === "t1")).toBe(true);
  });

  it("lists every key with its status, size, dates and private key, signing key first", async () => {
    const backend = fakeBackend({ list_keys: SAMPLE_KEYS });
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toEqual(["cur", "next-a", "next-b", "prev", "old-retired"]));
    expect(backend.callsOf("list_keys").every((args) => args.tool === "t1")).toBe(true);
    const prev = row("prev");
    expect(prev.querySelector(".status")?.textContent?.trim()).toBe("previous");
    expect(prev.querySelector(".bits")?.textContent?.trim()).toBe("3072");
    expect(prev.querySelector(".private")?.textContent?.trim()).toBe("missing");
    expect(prev.querySelector(".published")?.textContent?.trim()).toBe("yes");
    expect(prev.querySelector(".created time")?.getAttribute("datetime")).toBe("2024-06-01T00:00:00Z");
    expect(prev.querySelector(".created")?.textContent?.trim()).toMatch(/^2024-06-01 \d\d:\d\d$/);
    expect(prev.classList.contains("row-warning")).toBe(true);
    expect(row("old-retired").querySelector(".published")?.textContent?.trim()).toBe("no");
    expect(document.getElementById("keys-heading")?.textContent).toContain("(5 keys)");
    // The private key can be exported only where the keychain holds it.
    expect(Array.from(document.querySelectorAll("[data-export-key]"), (b) => b.getAttribute("data-export-key"))).toEqual([
      "cur",
      "next-a",
      "next-b",
    ]);
    // The current key cannot be deleted while others depend on it.
    expect(button('[data-delete-key="cur"]').disabled).toBe(true);
    expect(button('[data-delete-key="prev"]').disabled).toBe(false);
  });

  it("copies a key's public JWK and the JWKS", async () => {
    const backend = fakeBackend({ list_keys: SAMPLE_KEYS, export_jwk: JWK, export_jwks: JWKS });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    await user.click(button('[data-copy-jwk="cur"]'));
    await waitFor(() => expect(backend.clipboard).toEqual([JWK]));
    expect(backend.callsOf("export_jwk")).toEqual([{ tool: "t1", kid: "cur" }]);
    expect(toast()).toBe("Public JWK of cur copied");
    await user.click(button("#copy-jwks"));
    await waitFor(() => expect(backend.clipboard).toEqual([JWK, JWKS]));
    expect(toast()).toBe("JWKS copied (4 keys)");
  });

  it("saves the JWKS through the Rust side's dialog; a cancelled dialog says nothing", async () => {
    const saved = deferred<unknown>();
    const backend = fakeBackend({ list_keys: SAMPLE_KEYS, save_jwks: () => saved.promise });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    await user.click(button("#save-jwks"));
    expect(button("#save-jwks").disabled).toBe(true);
    saved.resolve({ outcome: "saved", path: "/home/me/jwks.json" });
    await waitFor(() => expect(toast()).toBe("JWKS saved to /home/me/jwks.json"));
    expect(button("#save-jwks").disabled).toBe(false);
    expect(backend.callsOf("save_jwks")).toEqual([{ tool: "t1" }]);

    app.toasts = [];
    backend.on("save_jwks", { outcome: "cancelled" });
    await user.click(button("#save-jwks"));
    await waitFor(() => expect(backend.callsOf("save_jwks")).toHaveLength(2));
    await waitFor(() => expect(button("#save-jwks").disabled).toBe(false));
    expect(app.toasts).toEqual([]);
    expect(app.error).toBeNull();
  });

  it("shows a key's public JWK in the page; Escape closes it and gives the focus back", async () => {
    const backend = fakeBackend({ list_keys: SAMPLE_KEYS, export_jwk: JWK, export_jwks: JWKS });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    const view = button('[data-view-jwk="cur"]');
    await user.click(view);
    const viewer = await screen.findByRole("region", { name: "Public JWK of cur" });
    expect(viewer.id).toBe("jwk-viewer");
    await waitFor(() => expect(viewer.querySelector("pre")?.textContent).toBe(JSON.stringify(JSON.parse(JWK), null, 2)));
    expect(viewer.contains(document.activeElement)).toBe(true);
    await user.click(button("#jwk-viewer-copy"));
    await waitFor(() => expect(backend.clipboard).toEqual([JSON.stringify(JSON.parse(JWK), null, 2)]));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(document.getElementById("jwk-viewer")).toBeNull());
    expect(document.activeElement).toBe(view);

    // The JWKS, closed with its button.
    await user.click(button("#view-jwks"));
    const jwks = await screen.findByRole("region", { name: "The JWKS to publish" });
    await waitFor(() => expect(jwks.querySelector("pre")?.textContent).toContain('"kid": "next-a"'));
    expect(jwks.textContent).not.toContain('"d"');
    await user.click(button("#jwk-viewer-close"));
    await waitFor(() => expect(document.getElementById("jwk-viewer")).toBeNull());
    expect(document.activeElement?.id).toBe("view-jwks");
  });

  it("deletes a key only once confirmed, then focuses the next row", async () => {
    let keys = SAMPLE_KEYS;
    const backend = fakeBackend({
      list_keys: () => keys,
      delete_key: (args) => {
        keys = keys.filter((k) => k.kid !== args.kid);
        return { removed: true, reason: null };
      },
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    await user.click(button('[data-delete-key="next-b"]'));
    expect(backend.callsOf("delete_key")).toEqual([]);
    expect(document.activeElement).toBe(button('[data-confirm-delete="next-b"]'));
    await user.keyboard("{Escape}");
    expect(document.querySelector("[data-confirm-delete]")).toBeNull();
    expect(document.activeElement).toBe(button('[data-delete-key="next-b"]'));

    await user.click(button('[data-delete-key="next-b"]'));
    await user.click(button('[data-confirm-delete="next-b"]'));
    await waitFor(() => expect(kids()).toEqual(["cur", "next-a", "prev", "old-retired"]));
    expect(backend.callsOf("delete_key")).toEqual([{ tool: "t1", kid: "next-b" }]);
    expect(toast()).toBe("Key next-b deleted");
    await waitFor(() => expect(document.activeElement).toBe(button('[data-delete-key="prev"]')));
  });

  it("says when a deleted key's private key stayed in the keychain", async () => {
    fakeBackend({
      list_keys: SAMPLE_KEYS,
      delete_key: { removed: false, reason: "the keychain is locked" },
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    await user.click(button('[data-delete-key="prev"]'));
    await user.click(button('[data-confirm-delete="prev"]'));
    await waitFor(() => expect(app.error?.message).toContain("the keychain is locked"));
  });
});

describe("generating a key", () => {
  it("shows each stage and the time it takes, then lists the new key", async () => {
    let keys: KeyInfo[] = [];
    const { done, answer, progress } = pendingGeneration();
    const backend = fakeBackend({
      list_keys: () => keys,
      generate_key: answer,
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(document.querySelector("#keys-table .empty-row")).not.toBeNull());
    await user.selectOptions(screen.getByLabelText("Key size"), "3072");
    await user.selectOptions(screen.getByLabelText("Kid scheme"), "uuid");
    await user.click(button("#generate-key"));

    await waitFor(() => expect(progress()).not.toBeNull());
    expect(backend.callsOf("generate_key")[0]?.request).toEqual({ tool: "t1", bits: 3072, kid_scheme: "uuid", kid: null });
    expect(button("#generate-key").disabled).toBe(true);
    progress()!.onmessage({ stage: "generating", elapsed_ms: 0 });
    await waitFor(() => expect(document.querySelector("#keygen-progress")?.textContent).toContain("Generating 3072-bit key…"));
    const elapsed = (): string => document.querySelector("#keygen-progress .elapsed")?.textContent ?? "";
    const first = elapsed();
    await waitFor(() => expect(elapsed()).not.toBe(first), { timeout: 1000 });
    // The window keeps answering while the Rust side works.
    await user.click(button("#view-jwks"));
    expect(document.getElementById("jwk-viewer")).not.toBeNull();
    progress()!.onmessage({ stage: "storing", elapsed_ms: 900 });
    await waitFor(() => expect(document.querySelector("#keygen-progress")?.textContent).toContain("Storing in the keychain…"));

    keys = [newKey("fresh", "current")];
    done.resolve(keys[0] as KeyInfo);
    await waitFor(() => expect(kids()).toEqual(["fresh"]));
    expect(document.getElementById("keygen-progress")).toBeNull();
    expect(button("#generate-key").disabled).toBe(false);
    expect(toast()).toBe("Key fresh generated");
  });

  it("cancels a generation while the primes are searched: nothing is listed, no error, the form is free again", async () => {
    const { done, answer, progress } = pendingGeneration();
    const backend = fakeBackend({
      list_keys: [],
      generate_key: answer,
      cancel_keygen: () => {
        done.reject(failure("cancelled", "key generation was cancelled; nothing was kept"));
        return true;
      },
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(document.querySelector("#keys-table .empty-row")).not.toBeNull());
    await user.selectOptions(screen.getByLabelText("Key size"), "4096");
    await user.click(button("#generate-key"));
    await waitFor(() => expect(progress()).not.toBeNull());
    progress()!.onmessage({ stage: "generating", elapsed_ms: 0 });
    await user.click(await screen.findByRole("button", { name: "Cancel" }));

    await waitFor(() => expect(document.getElementById("keygen-progress")).toBeNull());
    expect(backend.callsOf("cancel_keygen")).toEqual([{ tool: "t1" }]);
    expect(toast()).toBe("Key generation cancelled: nothing was stored");
    expect(app.error).toBeNull();
    expect(kids()).toEqual([]);
    expect(button("#generate-key").disabled).toBe(false);
  });

  it("offers no cancel once the key is being stored", async () => {
    const { done, answer, progress } = pendingGeneration();
    fakeBackend({
      list_keys: [],
      generate_key: answer,
    });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(document.querySelector("#keys-table .empty-row")).not.toBeNull());
    await user.click(button("#generate-key"));
    await waitFor(() => expect(progress()).not.toBeNull());
    progress()!.onmessage({ stage: "generating", elapsed_ms: 0 });
    await waitFor(() => expect(document.getElementById("cancel-keygen")).not.toBeNull());
    progress()!.onmessage({ stage: "storing", elapsed_ms: 40 });
    await waitFor(() => expect(document.querySelector("#keygen-progress")?.textContent).toContain("Storing"));
    expect(document.getElementById("cancel-keygen")).toBeNull();
    done.resolve(newKey("stored", "current"));
    await waitFor(() => expect(document.getElementById("keygen-progress")).toBeNull());
  });

  it("checks a custom kid, sends it, then clears it; a kid the Rust side refuses shows under the field", async () => {
    let answer: (args: Record<string, unknown>) => unknown = () => {
      throw failure("kid_exists", "kid 'taken' is used by another key of the tool", "kid");
    };
    const backend = fakeBackend({ list_keys: [], generate_key: (args) => answer(args) });
    const user = userEvent.setup();
    render(KeysTab, { tool: SAMPLE_TOOL });
    await user.selectOptions(await screen.findByLabelText("Kid scheme"), "custom");
    const field = (): HTMLInputElement => document.getElementById("custom-kid") as HTMLInputElement;
    await user.click(button("#generate-key"));
    expect(document.querySelector('[data-field-error="custom-kid"]')?.textContent).toContain("enter a kid");
    expect(document.activeElement).toBe(field());
    expect(backend.callsOf("generate_key")).toEqual([]);

    await user.type(field(), "taken");
    await user.click(button("#generate-key"));
    await waitFor(() =>
      expect(document.querySelector('[data-field-error="custom-kid"]')?.textContent).toContain("used by another key"),
    );
    expect(field().getAttribute("aria-invalid")).toBe("true");
    expect(field().value).toBe("taken");
    expect(app.error).toBeNull();

    answer = (args) => newKey(String((args.request as { kid: string }).kid));
    await user.clear(field());
    await user.type(field(), "my-key-2026");
    await user.click(button("#generate-key"));
    await waitFor(() => expect(toast()).toBe("Key my-key-2026 generated"));
    expect(backend.callsOf("generate_key")[1]?.request).toEqual({ tool: "t1", bits: 2048, kid_scheme: "thumbprint", kid: "my-key-2026" });
    expect(field().value).toBe("");
    expect(document.querySelector('[data-field-error="custom-kid"]')).toBeNull();
  });

  it("keeps each tool's form values when switching tools", async () => {
    fakeBackend({ list_keys: [] });
    const user = userEvent.setup();
    const first = render(KeysTab, { tool: SAMPLE_TOOL });
    await user.selectOptions(await screen.findByLabelText("Key size"), "4096");
    await user.selectOptions(screen.getByLabelText("Kid scheme"), "custom");
    await user.type(await screen.findByLabelText("Custom kid"), "half-typed");
    first.unmount();

    const other = render(KeysTab, { tool: { ...SAMPLE_TOOL, id: "t2" } });
    expect((screen.getByLabelText("Key size") as HTMLSelectElement).value).toBe("2048");
    expect((screen.getByLabelText("Kid scheme") as HTMLSelectElement).value).toBe("thumbprint");
    other.unmount();

    render(KeysTab, { tool: SAMPLE_TOOL });
    expect((screen.getByLabelText("Key size") as HTMLSelectElement).value).toBe("4096");
    expect((screen.getByLabelText("Kid scheme") as HTMLSelectElement).value).toBe("custom");
    expect((screen.getByLabelText("Custom kid") as HTMLInputElement).value).toBe("half-typed");
  });

  it("cannot generate or import without the keychain, and says why beside the buttons", async () => {
    fakeBackend({ list_keys: SAMPLE_KEYS });
    tools.status = { ...STATUS_OK, keychain_available: false, keychain_message: "No Secret Service." };
    render(KeysTab, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(kids()).toHaveLength(5));
    expect(button("#generate-key").disabled).toBe(true);
    expect(button("#import-pem").disabled).toBe(true);
    expect(document.getElementById("generate-unavailable")?.textContent).toBe("Needs the OS keychain.");
    expect(button("#generate-key").getAttribute("aria-describedby")).toBe("generate-unavailable");
    expect(document.getElementById("import-unavailable")?.textContent).toBe("Needs the OS keychain.");
    expect(document.querySelectorAll("#keychain-warning")).toHaveLength(0);
  });
});
