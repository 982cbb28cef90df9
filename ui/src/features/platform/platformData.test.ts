import { render, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";

import App from "../../App.svelte";
import { app } from "../../lib/app.svelte";
import { deferred, fakeBackend } from "../../test/backend";
import { brief, PLATFORM, REGISTRATION } from "../../test/registrationFixtures";
import { keptFirstPage, PLATFORM_PAGE, readFirstPage } from "./platformData";

describe("what the platforms page opens with", () => {
  it("is read once per revision: a read under way is shared, and a change reads again", async () => {
    const platforms = deferred<unknown>();
    const backend = fakeBackend({ list_platforms: () => platforms.promise, registration_briefs: [brief(REGISTRATION)] });
    const first = readFirstPage();
    const second = readFirstPage();
    platforms.resolve([PLATFORM]);
    expect(await second).toBe(await first);
    expect(backend.callsOf("platform_page")).toEqual([{ filter: "", limit: PLATFORM_PAGE, keep: [] }]);
    expect(keptFirstPage()?.page.cards.map((c) => c.platform.id)).toEqual([PLATFORM.id]);
    expect(keptFirstPage()?.page.cards[0]?.registrations.map((r) => r.id)).toEqual([REGISTRATION.id]);

    app.refresh();
    expect(keptFirstPage(), "a change makes what was read stale").toBeNull();
    backend.on("list_platforms", []);
    await readFirstPage();
    expect(keptFirstPage()?.page.total).toBe(0);
    expect(backend.callsOf("platform_page")).toHaveLength(2);
    expect(backend.callsOf("platform_presets"), "the presets are read once").toHaveLength(1);
  });

  it("keeps nothing from a failed read, and reads again at the next visit", async () => {
    const backend = fakeBackend({
      list_platforms: () => Promise.reject(new Error("the database is locked")),
      platform_presets: () => Promise.reject(new Error("the database is locked")),
    });
    await expect(readFirstPage()).rejects.toThrow();
    expect(keptFirstPage()).toBeNull();
    backend.on("list_platforms", [PLATFORM]).on("platform_presets", []);
    await readFirstPage();
    expect(keptFirstPage()?.page.total).toBe(1);
    expect(backend.callsOf("platform_presets"), "a failed read of the presets is made again").toHaveLength(2);
  });

  it("is read when Platforms is clicked, and the page opens with it, reading nothing of its own", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM], registration_briefs: [brief(REGISTRATION)] });
    render(App);
    await waitFor(() => expect(document.getElementById("nav-platforms")).not.toBeNull());
    expect(backend.callsOf("platform_page"), "nothing read before the click").toHaveLength(0);
    document.getElementById("nav-platforms")?.click();
    await waitFor(() => expect(document.querySelector(`article[data-platform-id="${PLATFORM.id}"]`)).not.toBeNull());
    expect(document.getElementById("platforms-loading"), "drawn complete").toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.callsOf("platform_page")).toHaveLength(1);
  });
});
