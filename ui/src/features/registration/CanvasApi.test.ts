import { cleanup, configure, render, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { CanvasRegistered, CanvasRegistrationStatus, Platform, Registration } from "../../lib/ipc/bindings";
import { failure, fakeBackend } from "../../test/backend";
import { PLATFORM, PROFILE_TOOL, REGISTRATION } from "../../test/registrationFixtures";
import CanvasApiPanel from "./CanvasApiPanel.svelte";
import CanvasLink from "./CanvasLink.svelte";

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });
afterEach(() => cleanup());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const CANVAS: Platform = { ...PLATFORM, id: "p2", name: "Acme Canvas", family: "canvas-cloud", base_url: null };
const LINKED: Registration = { ...REGISTRATION, platform_id: CANVAS.id, canvas: { account_id: "1", registration_id: "40" } };
const TOKEN = "7~secret-admin-token";

function registered(): CanvasRegistered {
  return {
    registration: LINKED,
    canvas: { id: "40", name: "Quiz", client_id: LINKED.client_id, binding: "on", configuration: null },
    deployments: [{ deployment_id: "40:abc", context_type: "Account", context_id: "1", context_name: "Acme University", active: true }],
    notes: [],
  };
}

describe("registering through Canvas's API", () => {
  it("offers only Canvas platforms, keeps the token in the keychain and shows the client_id and deployments", async () => {
    const backend = fakeBackend({
      canvas_api_settings: { canvas_url: null, has_token: false },
      set_canvas_api: { canvas_url: "https://acme.instructure.com", has_token: true },
      canvas_register: registered(),
    });
    const user = userEvent.setup();
    render(CanvasApiPanel, { tool: PROFILE_TOOL, platforms: [PLATFORM, CANVAS], onClose: vi.fn() });
    await waitFor(() => expect(backend.callsOf("canvas_api_settings")[0]?.platform).toBe(CANVAS.id));
    expect([...el<HTMLSelectElement>("#canvas-api-platform").options].map((o) => o.text)).toEqual(["Acme Canvas"]);
    expect(el<HTMLInputElement>("#canvas-api-token").type).toBe("password");

    // Nothing given: each field says what it needs, and nothing is sent.
    await user.click(el("#canvas-api-register"));
    expect(el("#canvas-api-url-error").textContent).toContain("Canvas address");
    expect(el("#canvas-api-token-error").textContent).toContain("access token");
    expect(backend.callsOf("set_canvas_api")).toEqual([]);

    await user.type(el("#canvas-api-url"), "https://acme.instructure.com");
    await user.type(el("#canvas-api-token"), TOKEN);
    await user.click(el("#canvas-api-register"));
    await waitFor(() => expect(el("#canvas-api-client-id").textContent).toBe(LINKED.client_id));
    expect(backend.callsOf("set_canvas_api")[0]).toMatchObject({ platform: CANVAS.id, canvasUrl: "https://acme.instructure.com", token: TOKEN });
    expect(backend.callsOf("canvas_register")[0]).toMatchObject({ tool: PROFILE_TOOL.id, platform: CANVAS.id, account: "1", on: true });
    expect(el("#canvas-api-deployments").textContent).toContain("Acme University (account)");
    expect(document.body.textContent).not.toContain(TOKEN);
  });

  it("puts Canvas's refusal of the token under the token field", async () => {
    fakeBackend({
      canvas_api_settings: { canvas_url: "https://acme.instructure.com", has_token: true },
      set_canvas_api: { canvas_url: "https://acme.instructure.com", has_token: true },
      canvas_register: () => {
        throw failure("invalid", "API token: none is stored for platform 'Acme Canvas'. Fix: create one", "api_token");
      },
    });
    const user = userEvent.setup();
    render(CanvasApiPanel, { tool: PROFILE_TOOL, platforms: [CANVAS], onClose: vi.fn() });
    await waitFor(() => expect(el<HTMLInputElement>("#canvas-api-url").value).toBe("https://acme.instructure.com"));
    expect(el("#canvas-api-forget")).toBeTruthy();
    await user.click(el("#canvas-api-register"));
    await waitFor(() => expect(el("#canvas-api-token-error").textContent).toContain("none is stored"));
  });

  it("says to add a Canvas platform when there is none", () => {
    fakeBackend({});
    render(CanvasApiPanel, { tool: PROFILE_TOOL, platforms: [PLATFORM], onClose: vi.fn() });
    expect(el("#canvas-api-no-platform").textContent).toContain("Add a Canvas platform");
  });
});

describe("a registration's life in Canvas", () => {
  it("syncs deployments, shows what differs, sends the update and turns it off", async () => {
    const stale: CanvasRegistrationStatus = { registration: LINKED, canvas: registered().canvas, differences: ["description"] };
    const current: CanvasRegistrationStatus = { ...stale, differences: [] };
    let statusCalls = 0;
    const backend = fakeBackend({
      canvas_deployments: { registration: LINKED, deployments: registered().deployments, added: ["40:abc"], labelled: [] },
      canvas_status: () => (statusCalls++ === 0 ? stale : { ...current, canvas: { ...current.canvas, binding: "off" } }),
      canvas_update: current,
      canvas_switch: "off",
    });
    const user = userEvent.setup();
    const onUpdated = vi.fn();
    render(CanvasLink, { registration: LINKED, onUpdated });
    expect(el(`[data-canvas-link="${LINKED.id}"]`).textContent).toContain("registration 40");
    await user.click(el(`[data-canvas-sync="${LINKED.id}"]`));
    await waitFor(() => expect(onUpdated).toHaveBeenCalledWith(LINKED));
    await user.click(el(`[data-canvas-status="${LINKED.id}"]`));
    await waitFor(() => expect(el(`[data-canvas-differences="${LINKED.id}"]`).textContent).toContain("description"));
    await user.click(el(`[data-canvas-update="${LINKED.id}"]`));
    await waitFor(() => expect(el(`[data-canvas-current="${LINKED.id}"]`)).toBeTruthy());
    expect(backend.callsOf("canvas_update")).toHaveLength(1);
    await user.click(el(`[data-canvas-switch="${LINKED.id}"]`));
    await waitFor(() => expect(el(`[data-canvas-binding="${LINKED.id}"]`).textContent).toBe("off"));
    expect(backend.callsOf("canvas_switch")[0]).toMatchObject({ registration: LINKED.id, on: false });
  });

  it("links a registration made by hand by its client_id", async () => {
    const backend = fakeBackend({ canvas_link: LINKED });
    const user = userEvent.setup();
    const onUpdated = vi.fn();
    render(CanvasLink, { registration: { ...LINKED, canvas: null }, onUpdated });
    await user.click(el(`[data-canvas-link-submit="${LINKED.id}"]`));
    await waitFor(() => expect(onUpdated).toHaveBeenCalledWith(LINKED));
    expect(backend.callsOf("canvas_link")[0]).toMatchObject({ account: "1" });
  });
});
