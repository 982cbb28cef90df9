// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import shell from "../index.html?raw";
import { App, countKeys } from "./app";
import type { Ipc } from "./lib/ipc";
import type { AppStatus, KeyInfo, KeygenProgress, SaveOutcome, ToolSummary } from "./lib/ipc/bindings";
import { SAMPLE_KEYS, SAMPLE_TOOL, STATUS_OK } from "./test/fixtures";
import { fakeRegistrationIpc } from "./test/registrationFixtures";
import { fakeRotationIpc } from "./test/rotationFixtures";

const STATUS: AppStatus = {
  version: "0.1.0",
  data_dir: "/home/me/.local/share/ltikeys",
  keychain_available: false,
  keychain_message: "No Secret Service on the session bus.",
  repairs: [],
  orphans: null,
};

const SUMMARY: ToolSummary = {
  id: SAMPLE_TOOL.id,
  name: SAMPLE_TOOL.name,
  domain: SAMPLE_TOOL.domain,
  key_count: SAMPLE_KEYS.length,
  current_kid: "cur",
};

type Deferred<T> = { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void };

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await Promise.resolve();
  }
}

function fakeIpc(keys: KeyInfo[]) {
  return {
    appStatus: vi.fn(async () => STATUS),
    listTools: vi.fn(async () => [SUMMARY]),
    addTool: vi.fn(async () => SAMPLE_TOOL),
    getTool: vi.fn(async () => SAMPLE_TOOL),
    listKeys: vi.fn(async () => [...keys]),
    generateKey: vi.fn<Ipc["generateKey"]>(),
    exportJwk: vi.fn(async () => '{"kid":"cur"}'),
    exportJwks: vi.fn(async () => '{"keys":[{"kid":"a"},{"kid":"b"}]}'),
    saveJwks: vi.fn(async (): Promise<SaveOutcome> => ({ outcome: "saved", path: "/home/me/quiz-builder-jwks.json" })),
    deleteKey: vi.fn(async () => ({ removed: true, reason: null })),
    removeOrphans: vi.fn(async () => ({ ...STATUS_OK })),
    copyText: vi.fn(async () => undefined),
    ...fakeRegistrationIpc(),
    ...fakeRotationIpc(),
  } satisfies Ipc;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} missing`);
  return element as T;
}

function select(id: string, value: string): void {
  const element = byId<HTMLSelectElement>(id);
  element.value = value;
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

describe("App", () => {
  let keys: KeyInfo[];
  let ipc: ReturnType<typeof fakeIpc>;

  beforeEach(async () => {
    const parsed = new DOMParser().parseFromString(shell, "text/html");
    document.body.innerHTML = parsed.body.innerHTML;
    keys = [...SAMPLE_KEYS];
    ipc = fakeIpc(keys);
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(new Date("2025-05-01T10:00:00Z"));
    await new App(document, ipc).start();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens the first tool, lists it in the sidebar and shows status and the keychain warning", () => {
    expect(byId("tool-list").querySelector(`[data-tool-id="${SAMPLE_TOOL.id}"]`)?.textContent).toBe("Quiz Builder");
    expect(byId("tool-page").getAttribute("data-tool-id")).toBe(SAMPLE_TOOL.id);
    expect(byId("tool-title").textContent).toBe("Quiz Builder");
    expect(byId("keys-table").querySelectorAll("tr[data-kid]")).toHaveLength(SAMPLE_KEYS.length);
    expect(byId("keychain-warning").hidden).toBe(false);
    expect(byId("keychain-warning").textContent).toContain("No Secret Service on the session bus.");
    expect(byId("app-footer").textContent).toContain("/home/me/.local/share/ltikeys");
    expect(byId("app-footer").textContent).toContain("0.1.0");
    expect(ipc.listKeys).toHaveBeenCalledWith(SAMPLE_TOOL.id);
  });

  it("shows progress while generating, then refreshes the table and toasts the kid", async () => {
    const pending = deferred<KeyInfo>();
    let report: (progress: KeygenProgress) => void = () => undefined;
    ipc.generateKey.mockImplementation((_request, onProgress) => {
      report = onProgress;
      return pending.promise;
    });

    select("key-bits", "4096");
    select("kid-scheme", "uuid");
    byId<HTMLButtonElement>("generate-key").click();

    expect(ipc.generateKey).toHaveBeenCalledWith(
      { tool: SAMPLE_TOOL.id, bits: 4096, kid_scheme: "uuid", kid: null },
      expect.any(Function),
    );
    expect(byId<HTMLButtonElement>("generate-key").disabled).toBe(true);
    expect(byId("keygen-progress").hidden).toBe(false);
    expect(byId("keygen-progress").textContent).toContain("Generating 4096-bit key…");
    expect(byId("keygen-progress").textContent).toContain("0.0 s");

    vi.advanceTimersByTime(2300);
    expect(byId("keygen-progress").textContent).toContain("2.3 s");
    report({ stage: "storing", elapsed_ms: 2300 });
    expect(byId("keygen-progress").textContent).toContain("Storing in the keychain…");

    const created: KeyInfo = { ...SAMPLE_KEYS[2]!, kid: "new-kid", status: "next", bits: 4096 };
    keys.push(created);
    ipc.listKeys.mockResolvedValue([...keys]);
    pending.resolve(created);
    await settle();

    expect(byId("toast").textContent).toBe("Key new-kid generated");
    expect(byId("toast").hidden).toBe(false);
    expect(byId("keygen-progress").hidden).toBe(true);
    expect(byId<HTMLButtonElement>("generate-key").disabled).toBe(false);
    expect(byId("keys-table").querySelector('tr[data-kid="new-kid"] td.bits')?.textContent).toBe("4096");
  });

  it("shows a failed generation in the error banner and keeps the form values", async () => {
    ipc.generateKey.mockRejectedValue({ kind: "DuplicateKid", message: 'Kid: "mine" is already used.' });

    select("kid-scheme", "custom");
    expect(byId("custom-kid").closest(".field")?.hasAttribute("hidden")).toBe(false);
    byId<HTMLInputElement>("custom-kid").value = "mine";
    byId<HTMLButtonElement>("generate-key").click();
    await settle();

    expect(ipc.generateKey).toHaveBeenCalledWith(
      { tool: SAMPLE_TOOL.id, bits: 2048, kid_scheme: "thumbprint", kid: "mine" },
      expect.any(Function),
    );
    expect(byId("error-banner").hidden).toBe(false);
    expect(byId("error-banner").textContent?.trim()).toBe('Kid: "mine" is already used.');
    expect(byId<HTMLInputElement>("custom-kid").value).toBe("mine");
    expect(byId<HTMLSelectElement>("kid-scheme").value).toBe("custom");
    expect(byId<HTMLButtonElement>("generate-key").disabled).toBe(false);
    expect(byId("keygen-progress").hidden).toBe(true);

    byId("error-dismiss").click();
    expect(byId("error-banner").hidden).toBe(true);
  });

  it("does not generate with an empty custom kid", () => {
    select("kid-scheme", "custom");
    byId<HTMLButtonElement>("generate-key").click();
    expect(ipc.generateKey).not.toHaveBeenCalled();
    expect(byId("custom-kid-error").textContent).toBe("Custom kid: enter a kid, or pick another kid scheme.");
  });

  it("deletes a key only after the confirmation step", async () => {
    const deleteButton = document.querySelector<HTMLButtonElement>('button[data-delete-key="prev"]');
    deleteButton?.click();
    expect(ipc.deleteKey).not.toHaveBeenCalled();
    document.querySelector<HTMLButtonElement>('button[data-cancel-delete="prev"]')?.click();
    expect(document.querySelector('button[data-confirm-delete="prev"]')).toBeNull();

    document.querySelector<HTMLButtonElement>('button[data-delete-key="prev"]')?.click();
    ipc.listKeys.mockResolvedValue(keys.filter((key) => key.kid !== "prev"));
    document.querySelector<HTMLButtonElement>('button[data-confirm-delete="prev"]')?.click();
    await settle();

    expect(ipc.deleteKey).toHaveBeenCalledWith(SAMPLE_TOOL.id, "prev");
    expect(byId("toast").textContent).toBe("Key prev deleted");
    expect(document.querySelector('tr[data-kid="prev"]')).toBeNull();
  });

  it("copies a JWK and the JWKS, and says where the Rust side saved the JWKS", async () => {
    document.querySelector<HTMLButtonElement>('button[data-copy-jwk="cur"]')?.click();
    await settle();
    expect(ipc.exportJwk).toHaveBeenCalledWith(SAMPLE_TOOL.id, "cur");
    expect(ipc.copyText).toHaveBeenLastCalledWith('{"kid":"cur"}');

    byId("copy-jwks").click();
    await settle();
    expect(ipc.copyText).toHaveBeenLastCalledWith('{"keys":[{"kid":"a"},{"kid":"b"}]}');
    expect(byId("toast").textContent).toBe("JWKS copied (2 keys)");

    byId("save-jwks").click();
    await settle();
    expect(ipc.saveJwks).toHaveBeenCalledWith(SAMPLE_TOOL.id);
    expect(byId("toast").textContent).toBe("JWKS saved to /home/me/quiz-builder-jwks.json");
    expect(byId<HTMLButtonElement>("save-jwks").disabled).toBe(false);
  });

  it("says nothing when the save dialog is cancelled", async () => {
    ipc.saveJwks.mockResolvedValue({ outcome: "cancelled" });
    byId("save-jwks").click();
    await settle();
    expect(ipc.saveJwks).toHaveBeenCalledWith(SAMPLE_TOOL.id);
    expect(byId("toast").hidden).toBe(true);
    expect(byId("error-banner").hidden).toBe(true);
    expect(byId<HTMLButtonElement>("save-jwks").disabled).toBe(false);
  });

  it("keeps the typed tool when the backend refuses it, and opens the tool once saved", async () => {
    byId("new-tool").click();
    const name = byId<HTMLInputElement>("tool-name");
    name.value = "Quiz Builder";
    name.dispatchEvent(new Event("input", { bubbles: true }));
    ipc.addTool.mockRejectedValueOnce({ kind: "Conflict", message: "Name: a tool with this name exists." });
    byId("tool-save").click();
    await settle();

    expect(byId("error-banner").textContent?.trim()).toBe("Name: a tool with this name exists.");
    expect(byId<HTMLInputElement>("tool-name").value).toBe("Quiz Builder");
    expect(byId<HTMLButtonElement>("tool-save").disabled).toBe(false);

    byId("tool-save").click();
    await settle();
    expect(ipc.addTool).toHaveBeenCalledTimes(2);
    expect(document.getElementById("tool-form")).toBeNull();
    expect(byId("tool-page").getAttribute("data-tool-id")).toBe(SAMPLE_TOOL.id);
    expect(byId("toast").textContent).toBe("Tool Quiz Builder created");
  });
});

describe("App with orphan private keys in the keychain", () => {
  beforeEach(async () => {
    const parsed = new DOMParser().parseFromString(shell, "text/html");
    document.body.innerHTML = parsed.body.innerHTML;
  });

  it("lists them, removes them only after the confirm, and says what start repaired", async () => {
    const ipc = fakeIpc([...SAMPLE_KEYS]);
    ipc.appStatus.mockResolvedValueOnce({
      ...STATUS_OK,
      repairs: [{ tool_id: "t1", tool: "Quiz Builder", kid: "cut", kind: "generation_undone", error: null }],
      orphans: [
        { tool_id: "t1", tool: "Quiz Builder", kid: "lost", revoked: false },
        { tool_id: "t1", tool: "Quiz Builder", kid: "old", revoked: true },
      ],
    });
    await new App(document, ipc).start();
    expect(byId("orphans-banner").hidden).toBe(false);
    expect(byId("orphans-message").textContent).toContain("2 private keys are in the OS keychain");
    expect(byId("orphans-message").textContent).toContain("Quiz Builder old (revoked)");
    expect(byId("toast").textContent).toContain("undid a cut-short generation of cut");
    expect(byId("orphans-confirm").hidden).toBe(true);

    byId("orphans-remove").click();
    expect(ipc.removeOrphans).not.toHaveBeenCalled();
    expect(byId("orphans-confirm").hidden).toBe(false);
    expect(document.activeElement).toBe(byId("orphans-confirm"));
    byId("orphans-cancel").click();
    expect(byId("orphans-confirm").hidden).toBe(true);
    expect(ipc.removeOrphans).not.toHaveBeenCalled();

    byId("orphans-remove").click();
    byId("orphans-confirm").click();
    await settle();
    expect(ipc.removeOrphans).toHaveBeenCalledTimes(1);
    expect(byId("orphans-banner").hidden).toBe(true);
    expect(byId("toast").textContent).toBe("Removed 2 private keys from the keychain");
  });
});

describe("countKeys", () => {
  it("counts the keys of a JWKS and tolerates junk", () => {
    expect(countKeys('{"keys":[{},{}]}')).toBe(2);
    expect(countKeys("[]")).toBe(0);
    expect(countKeys("nope")).toBe(0);
  });
});
