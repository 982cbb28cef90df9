// @vitest-environment jsdom
// The profile, Canvas JSON, platform, registration and import screens wired into the App with a
// fake backend: which calls they make, in what order, and what they show.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import shell from "../../index.html?raw";
import { App } from "../app";
import type { Ipc } from "../lib/ipc";
import type { Finding, SaveOutcome, ToolSummary } from "../lib/ipc/bindings";
import { SAMPLE_KEYS, STATUS_OK } from "../test/fixtures";
import {
  CANVAS_JSON,
  fakeRegistrationIpc,
  HANDOFF,
  NO_PLACEMENTS,
  PLATFORM,
  PROFILE_TOOL,
  REGISTRATION,
  WRONG_MESSAGE_TYPE,
} from "../test/registrationFixtures";
import { fakeRotationIpc } from "../test/rotationFixtures";
import { LINT_DELAY_MS } from "./context";
import { ImportScreen } from "./importCanvas";

const SUMMARY: ToolSummary = {
  id: PROFILE_TOOL.id,
  name: PROFILE_TOOL.name,
  domain: PROFILE_TOOL.domain,
  key_count: 0,
  current_kid: null,
};

function fakeIpc() {
  return {
    appStatus: vi.fn(async () => ({ version: "0.1.0", data_dir: "/d", keychain_available: true, keychain_message: null, repairs: [], orphans: [] })),
    listTools: vi.fn(async () => [SUMMARY]),
    addTool: vi.fn(async () => PROFILE_TOOL),
    getTool: vi.fn(async () => PROFILE_TOOL),
    listKeys: vi.fn(async () => [...SAMPLE_KEYS]),
    generateKey: vi.fn<Ipc["generateKey"]>(),
    exportJwk: vi.fn(async () => "{}"),
    exportJwks: vi.fn(async () => '{"keys":[]}'),
    saveJwks: vi.fn(async (): Promise<SaveOutcome> => ({ outcome: "cancelled" })),
    deleteKey: vi.fn(async () => ({ removed: true, reason: null })),
    removeOrphans: vi.fn(async () => ({ ...STATUS_OK })),
    copyText: vi.fn(async () => undefined),
    ...fakeRegistrationIpc(),
    ...fakeRotationIpc(),
  } satisfies Ipc;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    await Promise.resolve();
  }
}

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function type(selector: string, value: string): void {
  const input = el<HTMLInputElement | HTMLTextAreaElement>(selector);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Whether CSS would show it: the Keys content is hidden by a rule, panels by `hidden`. */
function onKeysTab(): boolean {
  return el("#tool-page").getAttribute("data-tab") === "keys";
}

describe("tool page tabs", () => {
  let ipc: ReturnType<typeof fakeIpc>;

  beforeEach(async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    ipc = fakeIpc();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    await new App(document, ipc).start();
    await settle();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens on Keys and loads nothing of the other tabs until they are opened", () => {
    expect(onKeysTab()).toBe(true);
    expect(el("#tab-keys").getAttribute("aria-selected")).toBe("true");
    expect(el("#profile-panel").hidden).toBe(true);
    expect(el("#keys-table")).toBeTruthy();
    expect(ipc.exportCanvas).not.toHaveBeenCalled();
    expect(ipc.listRegistrations).not.toHaveBeenCalled();
  });

  it("edits the profile and saves the whole ToolProfile, then shows the saved profile", async () => {
    el("#tab-profile").click();
    await settle();
    expect(onKeysTab()).toBe(false);
    expect(el("#profile-panel").hidden).toBe(false);
    el("#profile-edit").click();
    type("#profile-description", "Graded quizzes");
    el("#profile-save").click();
    await settle();

    expect(ipc.updateTool).toHaveBeenCalledWith(PROFILE_TOOL.id, expect.objectContaining({ description: "Graded quizzes", placements: PROFILE_TOOL.placements }));
    expect(el("#toast").textContent).toBe("Profile of Quiz Builder saved");
    // The page was rebuilt on the same tab, showing the summary.
    expect(el("#tool-page").getAttribute("data-tab")).toBe("profile");
    expect(document.getElementById("profile-summary")).not.toBeNull();
  });

  it("keeps what was typed when the server refuses it, and marks the field it names", async () => {
    ipc.updateTool.mockRejectedValueOnce({
      kind: "invalid",
      message: "launch URL: 'http://quiz.example.com/launch' uses http. Fix: use https://",
      field: "launch_url",
      remedies: [],
    });
    el("#tab-profile").click();
    await settle();
    el("#profile-edit").click();
    type("#profile-launch-url", "http://localhost:8080/launch");
    el("#profile-save").click();
    await settle();

    expect(el<HTMLInputElement>("#profile-launch-url").value).toBe("http://localhost:8080/launch");
    expect(el("#profile-launch-url").getAttribute("aria-invalid")).toBe("true");
    expect(el("#profile-launch-url-error").textContent).toContain("launch URL:");
    expect(el("#profile-error").textContent).toContain("uses http");
    expect(el<HTMLButtonElement>("#profile-save").disabled).toBe(false);

    // The draft survives leaving and coming back.
    el("#tab-keys").click();
    el("#tab-profile").click();
    expect(el<HTMLInputElement>("#profile-launch-url").value).toBe("http://localhost:8080/launch");
  });

  it("exports the Canvas JSON, lints it, and lints again only once typing pauses", async () => {
    ipc.lintCanvas.mockResolvedValueOnce([NO_PLACEMENTS]);
    el("#tab-canvas").click();
    await settle();
    expect(ipc.exportCanvas).toHaveBeenCalledWith(PROFILE_TOOL.id);
    expect(el<HTMLTextAreaElement>("#canvas-json").value).toBe(CANVAS_JSON);
    expect(ipc.lintCanvas).toHaveBeenCalledWith(CANVAS_JSON);
    expect(el('#canvas-findings [data-finding-code="no-placements"]')).toBeTruthy();

    ipc.lintCanvas.mockClear();
    const broken = CANVAS_JSON.replace("LtiResourceLinkRequest", "LtiDeepLinkingRequest");
    type("#canvas-json", "{");
    type("#canvas-json", broken);
    expect(ipc.lintCanvas).not.toHaveBeenCalled();
    ipc.lintCanvas.mockResolvedValueOnce([WRONG_MESSAGE_TYPE]);
    vi.advanceTimersByTime(LINT_DELAY_MS);
    await settle();
    expect(ipc.lintCanvas).toHaveBeenCalledTimes(1);
    expect(ipc.lintCanvas).toHaveBeenCalledWith(broken);
    expect(el('#canvas-findings [data-finding-code="wrong-message-type"]')).toBeTruthy();
    expect(el("#canvas-status").textContent).toBe("1 error");
  });

  it("drops a lint answer that arrives after a newer one", async () => {
    el("#tab-canvas").click();
    await settle();
    let answerOld: (findings: Finding[]) => void = () => undefined;
    ipc.lintCanvas.mockImplementationOnce(() => new Promise((resolve) => (answerOld = resolve)));
    type("#canvas-json", "{ old");
    vi.advanceTimersByTime(LINT_DELAY_MS);
    ipc.lintCanvas.mockResolvedValueOnce([]);
    type("#canvas-json", CANVAS_JSON);
    vi.advanceTimersByTime(LINT_DELAY_MS);
    await settle();
    answerOld([WRONG_MESSAGE_TYPE]);
    await settle();
    expect(document.querySelector('#canvas-findings [data-finding-code="wrong-message-type"]')).toBeNull();
    expect(el("#canvas-findings").textContent).toContain("No findings");
  });

  it("keeps an edited JSON across tabs, copies it, resets it, and saves the export", async () => {
    el("#tab-canvas").click();
    await settle();
    type("#canvas-json", `${CANVAS_JSON}\n`);
    el("#tab-keys").click();
    el("#tab-canvas").click();
    await settle();
    expect(el<HTMLTextAreaElement>("#canvas-json").value).toBe(`${CANVAS_JSON}\n`);
    el("#canvas-copy").click();
    await settle();
    expect(ipc.copyText).toHaveBeenLastCalledWith(`${CANVAS_JSON}\n`);
    expect(el("#toast").textContent).toBe("Edited Canvas JSON copied");

    el("#canvas-reset").click();
    expect(el<HTMLTextAreaElement>("#canvas-json").value).toBe(CANVAS_JSON);

    el("#canvas-save").click();
    await settle();
    expect(ipc.saveCanvas).toHaveBeenCalledWith(PROFILE_TOOL.id);
    expect(el("#toast").textContent).toBe("Canvas JSON saved to /home/me/quiz-builder-canvas.json");

    ipc.saveCanvas.mockResolvedValueOnce({ outcome: "cancelled" });
    el("#toast").hidden = true;
    el("#canvas-save").click();
    await settle();
    expect(ipc.saveCanvas).toHaveBeenCalledTimes(2);
    expect(el("#toast").hidden).toBe(true);
  });

  it("shows why there is no export, and its fix", async () => {
    ipc.exportCanvas.mockRejectedValueOnce({
      kind: "invalid",
      message: "public key: tool 'Quiz Builder' has no JWKS URL and no current key. Fix: generate a key",
      field: "public_jwk",
      remedies: [{ kind: "generate_key", tool: "Quiz Builder", next: false }],
    });
    el("#tab-canvas").click();
    await settle();
    expect(el("#canvas-export-error").hidden).toBe(false);
    expect(el("#canvas-export-error").textContent).toContain("Fix: generate a key");
    el('#canvas-export-error [data-open-tab="keys"]').click();
    expect(onKeysTab()).toBe(true);
  });

  it("adds a registration with its deployments and shows its hand-off", async () => {
    ipc.listRegistrations.mockResolvedValueOnce([]);
    el("#tab-registrations").click();
    await settle();
    expect(ipc.listRegistrations).toHaveBeenCalledWith(PROFILE_TOOL.id, null);
    el("#registration-add").click();
    type("#registration-client-id", REGISTRATION.client_id);
    type("#registration-deployments .deployment-row input[data-field=deployment_id]", "43");
    el("#registration-save").click();
    await settle();

    expect(ipc.addRegistration).toHaveBeenCalledWith({
      tool: PROFILE_TOOL.id,
      platform: PLATFORM.id,
      client_id: REGISTRATION.client_id,
      deployments: [{ deployment_id: "43", label: null }],
    });
    expect(el("#registration-form").hidden).toBe(true);
    expect(ipc.registrationHandoff).toHaveBeenCalledWith(REGISTRATION.id);
    expect(el('#handoff [data-handoff-field="client_id"]').textContent).toContain(HANDOFF.handoff.client_id);
    el('#handoff button[data-copy-handoff="issuer"]').click();
    await settle();
    expect(ipc.copyText).toHaveBeenLastCalledWith("https://moodle.acme.edu");
  });

  it("keeps the registration form when the server refuses it", async () => {
    ipc.addRegistration.mockRejectedValueOnce({
      kind: "duplicate_registration",
      message: "Acme Moodle already has a registration with client_id zTn6FWnZ4W21zmS",
    });
    el("#tab-registrations").click();
    await settle();
    el("#registration-add").click();
    type("#registration-client-id", REGISTRATION.client_id);
    el("#registration-save").click();
    await settle();
    expect(el("#registration-error").textContent).toContain("already has a registration");
    expect(el("#registration-client-id").hasAttribute("aria-invalid")).toBe(true);
    expect(el<HTMLInputElement>("#registration-client-id").value).toBe(REGISTRATION.client_id);
  });
});

describe("platforms and import pages", () => {
  let ipc: ReturnType<typeof fakeIpc>;

  beforeEach(async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    ipc = fakeIpc();
    await new App(document, ipc).start();
    await settle();
  });

  it("opens the platforms page from the sidebar and marks the entry", async () => {
    el("#nav-platforms").click();
    await settle();
    expect(el("#platforms-page")).toBeTruthy();
    expect(el("#nav-platforms").classList.contains("is-selected")).toBe(true);
    expect(el(`[data-platform-id="${PLATFORM.id}"]`).textContent).toContain("Quiz Builder");
    expect(ipc.listRegistrations).toHaveBeenCalledWith(null, null);

    el(`button[data-open-tool="${PROFILE_TOOL.id}"]`).click();
    await settle();
    expect(el("#tool-page").getAttribute("data-tab")).toBe("registrations");
    expect(el("#nav-platforms").classList.contains("is-selected")).toBe(false);
  });

  it("adds a platform and lists it", async () => {
    ipc.listPlatforms.mockResolvedValueOnce([]);
    el("#nav-platforms").click();
    await settle();
    // No platform yet: the form is open.
    expect(el("#platform-form").hidden).toBe(false);
    const preset = el<HTMLSelectElement>("#platform-preset");
    preset.value = "moodle";
    preset.dispatchEvent(new Event("change", { bubbles: true }));
    type("#platform-name", "Acme Moodle");
    type("#platform-base-url", "https://moodle.acme.edu");
    el("#platform-save").click();
    await settle();
    expect(ipc.addPlatform).toHaveBeenCalledWith(expect.objectContaining({ preset: "moodle", base_url: "https://moodle.acme.edu" }));
    expect(el("#toast").textContent).toBe("Platform Acme Moodle added");
    expect(el("#platform-form").hidden).toBe(true);
    expect(el(`[data-platform-id="${PLATFORM.id}"]`)).toBeTruthy();
  });

  it("imports Canvas JSON and opens the new tool with what the import reported", async () => {
    const unknown: Finding = {
      code: "unknown-field",
      severity: "warning",
      path: "$.vendor_thing",
      message: "vendor_thing is not a Canvas field",
      fix: "remove it",
    };
    ipc.importCanvas.mockResolvedValueOnce({ tool: PROFILE_TOOL, findings: [unknown] });
    el("#import-canvas").click();
    expect(el("#import-page")).toBeTruthy();
    expect(el("#import-canvas").classList.contains("is-selected")).toBe(true);
    type("#import-json", CANVAS_JSON);
    type("#import-name", "Vendor Quiz");
    el("#import-submit").click();
    await settle();

    expect(ipc.importCanvas).toHaveBeenCalledWith(CANVAS_JSON, "Vendor Quiz");
    expect(el("#tool-page").getAttribute("data-tool-id")).toBe(PROFILE_TOOL.id);
    expect(el("#tool-page").getAttribute("data-tab")).toBe("canvas");
    expect(el('#import-report [data-finding-code="unknown-field"]').textContent).toContain("vendor_thing");
    expect(el("#toast").textContent).toBe("Imported Quiz Builder (1 finding to review)");
    el("#import-report-dismiss").click();
    expect(document.getElementById("import-report")).toBeNull();
  });

  it("keeps the pasted JSON when the import fails", async () => {
    ipc.importCanvas.mockRejectedValueOnce({ kind: "tool_exists", message: "a tool named 'Quiz Builder' already exists. Fix: choose another name" });
    el("#import-canvas").click();
    type("#import-json", CANVAS_JSON);
    el("#import-submit").click();
    await settle();
    expect(el("#import-error").textContent).toContain("already exists");
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe(CANVAS_JSON);
    // Leaving and coming back keeps it too.
    el("#nav-platforms").click();
    el("#import-canvas").click();
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe(CANVAS_JSON);
  });
});

describe("drops outside the drop zone", () => {
  it("are refused for files and left alone for text", () => {
    document.body.innerHTML = '<div class="drop-zone"><span id="inside"></span></div><textarea id="outside"></textarea>';
    ImportScreen.guardDrops(document);
    const drop = (target: string, types: string[]): Event => {
      const event = new Event("drop", { bubbles: true, cancelable: true });
      Object.defineProperty(event, "dataTransfer", { value: { types, dropEffect: "copy" } });
      el(target).dispatchEvent(event);
      return event;
    };
    expect(drop("#outside", ["Files"]).defaultPrevented).toBe(true);
    expect(drop("#outside", ["text/plain"]).defaultPrevented).toBe(false);
    expect(drop("#inside", ["Files"]).defaultPrevented).toBe(false);
  });
});

describe("the error banner's remedies", () => {
  it("offers as a button each remedy the window carries out, and carries it out", async () => {
    document.body.innerHTML = new DOMParser().parseFromString(shell, "text/html").body.innerHTML;
    const app = new App(document, fakeIpc());
    await app.start();
    await settle();
    el("#tab-profile").click();
    await settle();
    expect(onKeysTab()).toBe(false);

    app.showError({
      kind: "no_published_key",
      message: `tool '${PROFILE_TOOL.name}' has no published key. Fix: generate a key for it`,
      field: null,
      remedies: [{ kind: "generate_key", tool: PROFILE_TOOL.name, next: false }, { kind: "list_canvas_scopes" }],
    });
    expect(el("#error-banner").hidden).toBe(false);
    const buttons = [...document.querySelectorAll<HTMLButtonElement>("#error-actions button")];
    expect(buttons.map((b) => b.textContent)).toEqual(["Generate a key"]);
    buttons[0]!.click();
    await settle();
    expect(onKeysTab()).toBe(true);
    expect(el("#error-banner").hidden).toBe(true);

    app.showError({ kind: "database", message: "the database failed", field: null, remedies: [] });
    expect(el("#error-actions").hidden).toBe(true);
    app.showError({ kind: "key_not_found", message: "x", field: null, remedies: [{ kind: "list_keys", tool: "No Such Tool" }] });
    expect(el("#error-actions").hidden).toBe(true);
  });
});
