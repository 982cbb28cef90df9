import type { Channel } from "@tauri-apps/api/core";
import { cleanup, configure, render, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../../lib/app.svelte";
import type { DynregProgress, DynregRegistered } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { PLATFORM, PROFILE_TOOL, REGISTRATION } from "../../test/registrationFixtures";
import DynregPanel from "./DynregPanel.svelte";

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });
afterEach(() => cleanup());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const URL = "http://127.0.0.1:40123/dr/0123456789abcdef";

describe("registering on an LMS", () => {
  it("shows the URL with a countdown, what the LMS asks, confirms, and shows what was recorded", async () => {
    const done = deferred<DynregRegistered>();
    let channel: Channel<DynregProgress> | null = null;
    const backend = fakeBackend({
      start_dynreg: (args) => {
        channel = args.onProgress as Channel<DynregProgress>;
        return done.promise;
      },
      confirm_dynreg: true,
    });
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(DynregPanel, { tool: PROFILE_TOOL, onClose });
    expect(el("#dynreg-panel").textContent).toContain("local network access");
    expect(el("#dynreg-panel").textContent).toContain("Brightspace");
    await user.click(el("#dynreg-start"));
    await waitFor(() => expect(channel).not.toBeNull());
    expect(backend.callsOf("start_dynreg")[0]?.tool).toBe(PROFILE_TOOL.id);

    const expires = new Date(Date.now() + 59 * 60 * 1000 + 30_000).toISOString();
    channel!.onmessage({ stage: "waiting", url: URL, expires_at: expires });
    await waitFor(() => expect(el("#dynreg-url").textContent).toBe(URL));
    expect(el("#dynreg-countdown").textContent).toMatch(/^59:\d\d$/);
    await user.click(el("#dynreg-copy"));
    await waitFor(() => expect(backend.clipboard).toEqual([URL]));

    channel!.onmessage({
      stage: "opened",
      preview: {
        tool: PROFILE_TOOL.name,
        issuer: "https://canvas.instructure.com",
        product: "canvas",
        configuration_url: "https://canvas.instructure.com/api/lti/security/openid-configuration",
        registration_endpoint: "https://canvas.instructure.com/api/lti/registrations",
        scopes: ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        placements: ["course_navigation (LtiResourceLinkRequest)"],
      },
    });
    await waitFor(() => expect(el("#dynreg-issuer").textContent).toContain("canvas.instructure.com (canvas)"));
    await user.click(el("#dynreg-confirm"));
    expect(backend.callsOf("confirm_dynreg")).toHaveLength(1);

    done.resolve({ platform: PLATFORM, platform_added: true, registration: REGISTRATION, notes: ["Canvas sends no deployment id"] });
    await waitFor(() => expect(el("#dynreg-done").dataset.registration).toBe(REGISTRATION.id));
    expect(el("#dynreg-done").textContent).toContain(`Registered on ${PLATFORM.name} (platform added): client_id`);
    expect(el("#dynreg-notes").textContent).toContain("Canvas sends no deployment id");
    expect(app.toasts.map((t) => t.message).join()).toContain(REGISTRATION.client_id);
    await user.click(el("#dynreg-close"));
    expect(onClose).toHaveBeenCalled();
  });

  it("cancels, and says why a registration failed", async () => {
    const done = deferred<DynregRegistered>();
    let channel: Channel<DynregProgress> | null = null;
    const backend = fakeBackend({
      start_dynreg: (args) => {
        channel = args.onProgress as Channel<DynregProgress>;
        return done.promise;
      },
      cancel_dynreg: () => {
        done.reject(failure("invalid", "registration: it was cancelled", "registration"));
        return true;
      },
    });
    const user = userEvent.setup();
    render(DynregPanel, { tool: PROFILE_TOOL, onClose: () => {} });
    await user.click(el("#dynreg-start"));
    await waitFor(() => expect(channel).not.toBeNull());
    channel!.onmessage({ stage: "waiting", url: URL, expires_at: new Date(Date.now() + 60_000).toISOString() });
    await waitFor(() => expect(el("#dynreg-waiting")).toBeTruthy());
    await user.click(el("#dynreg-cancel"));
    await waitFor(() => expect(el("#dynreg-error").textContent).toContain("cancelled"));
    expect(backend.callsOf("cancel_dynreg")).toHaveLength(1);
    expect(el("#dynreg-start")).toBeTruthy();
  });
});
