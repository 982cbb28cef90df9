// @vitest-environment jsdom
// The rotation section and the Checks page inside the whole app, against a fake backend.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import shell from "../index.html?raw";
import { App } from "./app";
import type { Ipc } from "./lib/ipc";
import type {
  AppStatus,
  JwksCheck,
  KeyInfo,
  PlatformCheck,
  RotationOutcome,
  SaveOutcome,
  ToolSummary,
} from "./lib/ipc/bindings";
import { SAMPLE_KEYS, SAMPLE_TOOL, STATUS_OK } from "./test/fixtures";
import { fakeRegistrationIpc } from "./test/registrationFixtures";
import { fakeRotationIpc, rotatedKeys, SAMPLE_CHECK, SAMPLE_OUTCOME, SAMPLE_PLATFORM_CHECKS } from "./test/rotationFixtures";

const STATUS: AppStatus = { version: "0.1.0", data_dir: "/tmp/ltikeys", keychain_available: true, keychain_message: null, repairs: [], orphans: [] };
const SUMMARY: ToolSummary = { id: SAMPLE_TOOL.id, name: SAMPLE_TOOL.name, domain: null, key_count: 5, current_kid: "cur" };

function fakeIpc() {
  return {
    appStatus: vi.fn(async () => STATUS),
    listTools: vi.fn(async () => [SUMMARY]),
    addTool: vi.fn(async () => SAMPLE_TOOL),
    getTool: vi.fn(async () => SAMPLE_TOOL),
    listKeys: vi.fn(async (): Promise<KeyInfo[]> => [...SAMPLE_KEYS]),
    generateKey: vi.fn<Ipc["generateKey"]>(),
    exportJwk: vi.fn(async () => '{"kid":"next-b"}'),
    exportJwks: vi.fn(async () => '{"keys":[{"kid":"a"}]}'),
    saveJwks: vi.fn(async (): Promise<SaveOutcome> => ({ outcome: "saved", path: "/home/me/quiz-builder-jwks.json" })),
    deleteKey: vi.fn(async () => ({ removed: true, reason: null })),
    removeOrphans: vi.fn(async () => ({ ...STATUS_OK })),
    copyText: vi.fn(async () => undefined),
    ...fakeRegistrationIpc(),
    ...fakeRotationIpc(),
  } satisfies Ipc;
}

type Deferred<T> = { promise: Promise<T>; resolve(value: T): void };

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    await Promise.resolve();
  }
}

function q<T extends Element = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

describe("start-up", () => {
  it("keeps a page the user opened while the tools were loading", async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    const ipc = fakeIpc();
    const tools = deferred<ToolSummary[]>();
    ipc.listTools.mockReturnValueOnce(tools.promise);
    const started = new App(document, ipc).start();
    q<HTMLButtonElement>("#new-tool").click();
    expect(document.querySelector("#tool-form")).not.toBeNull();
    tools.resolve([]);
    await started;
    await settle();
    expect(document.querySelector("#tool-form")).not.toBeNull();
    expect(document.querySelector(".empty-state")).toBeNull();
  });
});

describe("rotation in the app", () => {
  let ipc: ReturnType<typeof fakeIpc>;

  beforeEach(async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    ipc = fakeIpc();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(new Date("2025-05-01T10:00:00Z"));
    await new App(document, ipc).start();
    await settle();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("puts the rotation and published-JWKS sections after the generate card", () => {
    const cards = Array.from(q("#tool-page").children, (c) => c.id || c.getAttribute("aria-labelledby"));
    const generate = cards.indexOf("generate-heading");
    expect(cards.slice(generate, generate + 3)).toEqual(["generate-heading", "rotation-panel", "jwks-check-panel"]);
    expect(ipc.rotationState).toHaveBeenCalledWith(SAMPLE_TOOL.id);
    expect(q("#rotate-preview").textContent).toContain("Promote next-b to current");
    expect(document.querySelectorAll("#timeline [data-timeline-kid]")).toHaveLength(SAMPLE_KEYS.length);
  });

  it("rotates after the confirm step, then refreshes the keys, the timeline and shows the reminder", async () => {
    const pending = deferred<RotationOutcome>();
    ipc.rotateKeys.mockReturnValue(pending.promise);
    q<HTMLButtonElement>("#rotate-keys").click();
    expect(ipc.rotateKeys).not.toHaveBeenCalled();
    q<HTMLButtonElement>("#rotate-confirm").click();
    expect(ipc.rotateKeys).toHaveBeenCalledWith(SAMPLE_TOOL.id);
    expect(q("#rotate-progress").hidden).toBe(false);
    expect(q<HTMLButtonElement>("#rotate-keys").disabled).toBe(true);

    ipc.listKeys.mockResolvedValue(rotatedKeys());
    ipc.rotationState.mockClear();
    pending.resolve(SAMPLE_OUTCOME);
    await settle();

    expect(q("#rotate-progress").hidden).toBe(true);
    expect(q("#toast").textContent).toBe("Rotated: next-b signs now");
    expect(q("#rotation-reminder").hidden).toBe(false);
    expect(q("#rotation-reminder").textContent).toContain("Publish the new JWKS");
    expect(q('#keys-table tr[data-kid="cur"] .status').textContent).toBe("previous");
    expect(q('[data-timeline-kid="cur"]').getAttribute("data-status")).toBe("previous");
    expect(q('[data-timeline-kid="cur"]').textContent).toContain("Unpublish after");
    expect(q('[data-timeline-kid="next-b"]').getAttribute("data-status")).toBe("current");
    expect(ipc.rotationState).toHaveBeenCalled();
    expect(ipc.listTools).toHaveBeenCalledTimes(2);

    q<HTMLButtonElement>("#reminder-copy-jwks").click();
    await settle();
    expect(ipc.copyText).toHaveBeenLastCalledWith('{"keys":[{"kid":"a"}]}');
    q<HTMLButtonElement>("#reminder-copy-jwk").click();
    await settle();
    expect(ipc.exportJwk).toHaveBeenCalledWith(SAMPLE_TOOL.id, "next-b");

    // The reminder stays with the tool until dismissed.
    q<HTMLButtonElement>("#nav-checks").click();
    await settle();
    q<HTMLButtonElement>(`[data-tool-id="${SAMPLE_TOOL.id}"]`).click();
    await settle();
    expect(q("#rotation-reminder").hidden).toBe(false);
    q<HTMLButtonElement>("#reminder-dismiss").click();
    expect(q("#rotation-reminder").hidden).toBe(true);
  });

  it("shows a retire refusal inline and retires with force after the confirm", async () => {
    ipc.retireKey.mockRejectedValueOnce({
      kind: "retire_too_early",
      message: "key prev is inside its overlap window until 2025-05-08T10:00:00Z. Fix: wait, or retire it anyway",
      field: null,
      remedies: [],
    });
    q<HTMLButtonElement>('button[data-retire-key="prev"]').click();
    await settle();
    expect(ipc.retireKey).toHaveBeenLastCalledWith(SAMPLE_TOOL.id, "prev", false);
    expect(q("#error-banner").hidden).toBe(true);
    expect(q('[data-retire-refused="prev"]').textContent).toContain("inside its overlap window until");

    q<HTMLButtonElement>('button[data-retire-force="prev"]').click();
    q<HTMLButtonElement>('button[data-retire-force-confirm="prev"]').click();
    await settle();
    expect(ipc.retireKey).toHaveBeenLastCalledWith(SAMPLE_TOOL.id, "prev", true);
    expect(q("#toast").textContent).toBe("Key prev retired early: no longer published");
  });

  it("shows other retire failures in the error banner", async () => {
    ipc.retireKey.mockRejectedValueOnce({ kind: "keychain", message: "The keychain is locked." });
    q<HTMLButtonElement>('button[data-retire-key="prev"]').click();
    await settle();
    expect(q("#error-banner").hidden).toBe(false);
    expect(q("#error-message").textContent).toBe("The keychain is locked.");
    expect(document.querySelector('[data-retire-refused="prev"]')).toBeNull();
  });

  async function typeKidAndRevoke(kid: string): Promise<void> {
    q<HTMLButtonElement>(`button[data-revoke-key="${kid}"]`).click();
    const input = q<HTMLInputElement>(`input[data-revoke-input="${kid}"]`);
    input.value = kid;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    q<HTMLButtonElement>(`button[data-revoke-confirm="${kid}"]`).click();
    await settle();
  }

  it("revokes after the kid is typed and says which key signs now", async () => {
    ipc.revokeKey.mockResolvedValueOnce({
      kid: "cur",
      signing: "next-b",
      private_key: { removed: true, reason: null },
    });
    await typeKidAndRevoke("cur");
    expect(ipc.revokeKey).toHaveBeenCalledWith(SAMPLE_TOOL.id, "cur");
    expect(q("#toast").textContent).toBe("Key cur revoked; next-b signs now: publish the new JWKS now");
    expect(ipc.listKeys).toHaveBeenCalledTimes(2);
    expect(q("#error-banner").hidden).toBe(true);
  });

  it("says so when a revoked key's private key could not leave the keychain", async () => {
    ipc.revokeKey.mockResolvedValueOnce({
      kid: "cur",
      signing: "next-b",
      private_key: { removed: false, reason: "the OS keychain is unavailable: it is locked" },
    });
    await typeKidAndRevoke("cur");
    expect(q("#error-banner").hidden).toBe(false);
    expect(q("#error-message").textContent).toContain("still in the OS keychain");
    expect(q("#error-message").textContent).toContain("it is locked");
  });

  it("saves the policy and shows the refusal of the backend", async () => {
    const overlap = q<HTMLInputElement>("#policy-overlap");
    overlap.value = "3d";
    overlap.dispatchEvent(new Event("input", { bubbles: true }));
    q<HTMLButtonElement>("#policy-save").click();
    await settle();
    expect(ipc.setPolicy).toHaveBeenCalledWith(SAMPLE_TOOL.id, { pre_publish_secs: 86_400, overlap_secs: 259_200, rotate_every_secs: null });
    expect(q("#toast").textContent).toBe("Rotation policy saved");

    ipc.setPolicy.mockRejectedValueOnce({ kind: "invalid", message: "overlap: must be between 0 and 365 days. Fix: give a duration such as 7d" });
    overlap.value = "4d";
    overlap.dispatchEvent(new Event("input", { bubbles: true }));
    q<HTMLButtonElement>("#policy-save").click();
    await settle();
    expect(q("#error-message").textContent).toContain("overlap: must be between");
    expect(overlap.value).toBe("4d");
    expect(overlap.disabled).toBe(false);
  });
});

describe("checks in the app", () => {
  let ipc: ReturnType<typeof fakeIpc>;

  beforeEach(async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    ipc = fakeIpc();
    ipc.getTool.mockResolvedValue({ ...SAMPLE_TOOL, jwks_url: SAMPLE_CHECK.url });
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(new Date("2025-05-01T10:00:00Z"));
    await new App(document, ipc).start();
    await settle();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("checks the tool's published JWKS against its keys, showing the last check first", async () => {
    expect(q("#tool-last-check").textContent).toContain("Last check: 1 error, 3 min ago");
    const pending = deferred<JwksCheck>();
    ipc.checkJwks.mockReturnValue(pending.promise);
    q<HTMLButtonElement>("#check-jwks").click();
    expect(ipc.checkJwks).toHaveBeenCalledWith(SAMPLE_CHECK.url, "tool", SAMPLE_TOOL.id);
    expect(q("#tool-check-progress").hidden).toBe(false);
    vi.advanceTimersByTime(1_200);
    expect(q("#tool-check-progress").textContent).toContain("1.2 s");
    pending.resolve(SAMPLE_CHECK);
    await settle();
    expect(q("#tool-check-progress").hidden).toBe(true);
    expect(document.querySelectorAll("#tool-check-result [data-finding-code]")).toHaveLength(3);
    expect(q("#toast").textContent).toBe("JWKS checked: 1 error, 1 warning");
  });

  it("opens the Checks page from the sidebar, checks a URL and keeps ages current", async () => {
    q<HTMLButtonElement>("#nav-checks").click();
    await settle();
    expect(q("#checks-page")).toBeTruthy();
    expect(q("#nav-checks").getAttribute("aria-current")).toBe("page");
    expect(document.querySelector("#tool-list .is-selected")).toBeNull();
    expect(q("#recent-checks").textContent).toContain("checked 3 min ago");

    vi.advanceTimersByTime(60 * 60_000);
    expect(q("#recent-checks").textContent).toContain("checked 1 h ago");

    const pending = deferred<JwksCheck>();
    ipc.checkJwks.mockReturnValue(pending.promise);
    q<HTMLInputElement>("#check-url").value = "http://127.0.0.1:9/jwks";
    q<HTMLButtonElement>("#check-run").click();
    expect(ipc.checkJwks).toHaveBeenCalledWith("http://127.0.0.1:9/jwks", "platform", null);
    expect(q("#check-progress").hidden).toBe(false);
    pending.resolve({ ...SAMPLE_CHECK, url: "http://127.0.0.1:9/jwks" });
    await settle();
    expect(q("#check-progress").hidden).toBe(true);
    expect(q("#check-result .check-url").textContent).toBe("http://127.0.0.1:9/jwks");
    expect(ipc.lastChecks).toHaveBeenCalledTimes(3);

    q<HTMLButtonElement>(`[data-tool-id="${SAMPLE_TOOL.id}"]`).click();
    await settle();
    expect(q("#nav-checks").hasAttribute("aria-current")).toBe(false);
    expect(document.querySelector("#checks-page")).toBeNull();
  });

  it("checks every platform with progress, and keeps the results for the next visit", async () => {
    q<HTMLButtonElement>("#nav-checks").click();
    await settle();
    const pending = deferred<PlatformCheck[]>();
    let report: (progress: { done: number; total: number }) => void = () => undefined;
    ipc.checkPlatforms.mockImplementation((onProgress) => {
      report = onProgress;
      return pending.promise;
    });
    q<HTMLButtonElement>("#check-platforms").click();
    report({ done: 3, total: 7 });
    expect(q("#platform-check-count").textContent).toBe("3 / 7");
    expect(q<HTMLButtonElement>("#check-platforms").disabled).toBe(true);
    pending.resolve(SAMPLE_PLATFORM_CHECKS);
    await settle();
    expect(q("#platform-check-progress").hidden).toBe(true);
    expect(q("#platform-check-table").querySelectorAll("tbody tr")).toHaveLength(2);
    expect(q("#toast").textContent).toBe("Checked 2 platform URLs: no errors");

    q<HTMLButtonElement>(`[data-tool-id="${SAMPLE_TOOL.id}"]`).click();
    await settle();
    q<HTMLButtonElement>("#nav-checks").click();
    await settle();
    expect(q("#platform-check-table").querySelectorAll("tbody tr")).toHaveLength(2);
  });
});
