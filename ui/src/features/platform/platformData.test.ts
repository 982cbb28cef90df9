import { render, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";

import App from "../../App.svelte";
import { app } from "../../lib/app.svelte";
import { deferred, fakeBackend } from "../../test/backend";
import { brief, PLATFORM, REGISTRATION } from "../../test/registrationFixtures";
import { keptPlatformData, readPlatformData, WARM_DELAY_MS, warmPlatformData } from "./platformData";

describe("what the platforms page reads", () => {
  it("is read once per revision: a read under way is shared, and a change reads again", async () => {
    const briefs = deferred<unknown>();
    const backend = fakeBackend({ list_platforms: [PLATFORM], list_registration_briefs: () => briefs.promise });
    const first = readPlatformData();
    const second = readPlatformData();
    warmPlatformData();
    briefs.resolve([brief(REGISTRATION)]);
    expect(await second).toBe(await first);
    expect(backend.callsOf("list_registration_briefs")).toHaveLength(1);
    expect(keptPlatformData()?.platforms.map((p) => p.id)).toEqual([PLATFORM.id]);

    warmPlatformData();
    expect(backend.callsOf("list_registration_briefs"), "nothing read again at the same revision").toHaveLength(1);

    app.refresh();
    expect(keptPlatformData(), "a change makes what was read stale").toBeNull();
    backend.on("list_registration_briefs", []);
    warmPlatformData();
    await waitFor(() => expect(keptPlatformData()?.byPlatform.size).toBe(0));
    expect(backend.callsOf("list_registration_briefs")).toHaveLength(2);
  });

  it("a failed background read is kept for the page to read again, and nothing is kept", async () => {
    const backend = fakeBackend({ list_registration_briefs: () => Promise.reject(new Error("the keychain is locked")) });
    warmPlatformData();
    await waitFor(() => expect(backend.callsOf("list_registration_briefs")).toHaveLength(1));
    // Once the failure has come back, nothing is kept and nothing is under way.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(keptPlatformData()).toBeNull();
    backend.on("list_registration_briefs", []);
    await readPlatformData();
    expect(keptPlatformData()).not.toBeNull();
    expect(backend.callsOf("list_registration_briefs")).toHaveLength(2);
  });

  it("is read by the window in the background once it has started, and again after a change", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM], list_registration_briefs: [brief(REGISTRATION)] });
    render(App);
    expect(backend.callsOf("list_registration_briefs"), "not at once").toHaveLength(0);
    await waitFor(() => expect(keptPlatformData()).not.toBeNull(), { timeout: WARM_DELAY_MS * 4 });
    expect(backend.callsOf("list_registration_briefs")).toHaveLength(1);

    app.refresh();
    await waitFor(() => expect(backend.callsOf("list_registration_briefs")).toHaveLength(2), { timeout: WARM_DELAY_MS * 4 });
    await waitFor(() => expect(keptPlatformData()).not.toBeNull());

    // The page opens with what was read: no read of its own.
    document.getElementById("nav-platforms")?.click();
    await waitFor(() => expect(document.querySelector(`article[data-platform-id="${PLATFORM.id}"]`)).not.toBeNull());
    expect(backend.callsOf("list_registration_briefs")).toHaveLength(2);
  });
});
