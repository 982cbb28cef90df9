import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { IpcError, Platform, Registration } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { brief, DISCOVERY, PLATFORM, REGISTRATION } from "../../test/registrationFixtures";
import PlatformsPage from "./PlatformsPage.svelte";
import { PLATFORM_PAGE, readFirstPage } from "./platformData";

const CANVAS: Platform = {
  ...PLATFORM,
  id: "p2",
  name: "Instructure Canvas",
  family: "canvas-cloud",
  base_url: null,
  issuer: "https://canvas.instructure.com",
  auth_url: "https://sso.canvaslms.com/api/lti/authorize_redirect",
  token_url: "https://sso.canvaslms.com/login/oauth2/token",
  jwks_url: "https://sso.canvaslms.com/api/lti/security/jwks",
  openid_configuration_url: null,
};

const CUSTOM = {
  issuer: "https://lms.acme.example",
  auth_url: "https://lms.acme.example/lti/authorize",
  token_url: "https://lms.acme.example/lti/token",
  jwks_url: "https://lms.acme.example/lti/jwks",
};

function input(id: string): HTMLInputElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLInputElement)) throw new Error(`no input #${id}`);
  return element;
}

function card(id: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`article[data-platform-id="${id}"]`);
  if (element === null) throw new Error(`no card for ${id}`);
  return element;
}

function button(css: string): HTMLButtonElement {
  const element = document.querySelector(css);
  if (!(element instanceof HTMLButtonElement)) throw new Error(`no button ${css}`);
  return element;
}

/** Types `text` key by key into the focused control, checking after each key that it kept the focus. */
async function typeKeepingFocus(user: ReturnType<typeof userEvent.setup>, id: string, text: string): Promise<void> {
  await user.click(input(id));
  for (const key of text) {
    await user.type(input(id), key, { skipClick: true });
    expect(document.activeElement?.id, `focus after typing ${key} into #${id}`).toBe(id);
  }
  expect(input(id).value).toBe(text);
}

describe("the platforms page", () => {
  it("says it is loading, then shows the platforms", async () => {
    const answer = deferred<Platform[]>();
    fakeBackend({ list_platforms: () => answer.promise });
    render(PlatformsPage);
    expect(await screen.findByText("Loading platforms…")).toBeTruthy();
    answer.resolve([PLATFORM]);
    await waitFor(() => expect(document.querySelector("[data-platform-id=p1]")).not.toBeNull());
    expect(document.getElementById("platforms-loading")).toBeNull();
  });

  it("opens at once with the first page the sidebar read at the same revision, and reads again once it went up", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM, CANVAS], registration_briefs: [brief(REGISTRATION)] });
    await readFirstPage();
    expect(backend.callsOf("platform_page")).toEqual([{ filter: "", limit: PLATFORM_PAGE, keep: [] }]);

    // The cards are there on the first render, and the page reads nothing of its own.
    render(PlatformsPage);
    expect(card(CANVAS.id)).toBeTruthy();
    expect(card(PLATFORM.id).querySelector(`[data-registration-count="1"]`)).not.toBeNull();
    expect(document.getElementById("platforms-loading")).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.callsOf("platform_page")).toHaveLength(1);

    // The data may have changed: it is read again.
    backend.on("list_platforms", [PLATFORM]);
    app.refresh();
    await waitFor(() => expect(document.querySelector(`article[data-platform-id="${CANVAS.id}"]`)).toBeNull());
    expect(backend.callsOf("platform_page")).toHaveLength(2);
  });

  it("shows a load error with a retry", async () => {
    const backend = fakeBackend({
      list_platforms: () => {
        throw failure("database", "the store is locked");
      },
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    const error = await waitFor(() => {
      const found = document.getElementById("platforms-load-error");
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    expect(error.textContent).toContain("the store is locked");
    backend.on("list_platforms", [PLATFORM]);
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(document.querySelector("[data-platform-id=p1]")).not.toBeNull());
  });

  it("opens the add form when there is no platform yet", async () => {
    fakeBackend();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-form")).not.toBeNull());
    expect(document.getElementById("platform-list")?.textContent).toContain("No platforms yet");
  });

  it("lists each platform with its endpoints and the registrations on it", async () => {
    fakeBackend({ list_platforms: [PLATFORM, CANVAS], registration_briefs: [brief(REGISTRATION)] });
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelectorAll("article[data-platform-id]")).toHaveLength(2));
    const names = Array.from(document.querySelectorAll(".platform-name"), (n) => n.textContent);
    expect(names).toEqual(["Acme Moodle", "Instructure Canvas"]);
    const moodle = card("p1");
    expect(moodle.querySelector('[data-endpoint="issuer"]')?.textContent).toBe(PLATFORM.issuer);
    expect(moodle.querySelector('[data-endpoint="jwks_url"]')?.textContent).toBe(PLATFORM.jwks_url);
    expect(moodle.querySelector("[data-registration-count]")?.getAttribute("data-registration-count")).toBe("1");
    expect(moodle.textContent).toContain(REGISTRATION.client_id);
    expect(card("p2").textContent).toContain("No tool registered here yet.");
    expect(document.getElementById("platform-form")).toBeNull();
  });

  it("filters by name, issuer or client_id as the user types, and Escape shows them all again", async () => {
    fakeBackend({ list_platforms: [PLATFORM, CANVAS], registration_briefs: [brief(REGISTRATION)] });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelectorAll("article[data-platform-id]")).toHaveLength(2));
    expect(document.getElementById("platform-count")?.textContent).toBe("2 platforms");
    const shownIds = (): string[] => Array.from(document.querySelectorAll("article[data-platform-id]"), (a) => a.getAttribute("data-platform-id") ?? "");
    await user.type(input("platform-filter"), "instructure");
    await waitFor(() => expect(shownIds()).toEqual(["p2"]));
    await waitFor(() => expect(document.getElementById("platform-count")?.textContent).toBe("1 of 2 platforms"));
    await user.clear(input("platform-filter"));
    await user.type(input("platform-filter"), REGISTRATION.client_id.slice(0, 6));
    await waitFor(() => expect(shownIds(), "a client_id registered on it finds the platform").toEqual(["p1"]));
    await user.clear(input("platform-filter"));
    await user.type(input("platform-filter"), "MOODLE.ACME");
    await waitFor(() => expect(shownIds(), "the issuer, case ignored").toEqual(["p1"]));
    await user.type(input("platform-filter"), "x");
    await waitFor(() => expect(shownIds()).toEqual([]));
    await waitFor(() => expect(document.getElementById("platform-no-match")?.textContent).toBe("No platform matches “MOODLE.ACMEx”."));
    await user.keyboard("{Escape}");
    expect(input("platform-filter").value).toBe("");
    await waitFor(() => expect(shownIds()).toEqual(["p1", "p2"]));
  });

  it("keeps the answer to the last key typed when an earlier answer comes back after it", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM, CANVAS] });
    const user = userEvent.setup();
    render(PlatformsPage);
    const shownIds = (): string[] => Array.from(document.querySelectorAll("article[data-platform-id]"), (a) => a.getAttribute("data-platform-id") ?? "");
    await waitFor(() => expect(shownIds()).toEqual(["p1", "p2"]));
    const answer = backend.handlers.get("platform_page");
    if (answer === undefined) throw new Error("the fake has no platform_page");
    const slow = deferred<void>();
    backend.on("platform_page", async (args) => {
      if (args.filter === "a") await slow.promise;
      return answer(args);
    });
    // "a" matches both; "ac" only Acme Moodle. The answer to "a" comes last.
    await user.type(input("platform-filter"), "ac");
    await waitFor(() => expect(shownIds()).toEqual(["p1"]));
    slow.resolve();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(shownIds()).toEqual(["p1"]);
    expect(document.getElementById("platform-count")?.textContent).toBe("1 of 2 platforms");
    expect(backend.callsOf("platform_page").map((a) => a.filter)).toEqual(["", "a", "ac"]);
  });

  it("shows a page of platforms at a time, in natural order, each with its own registrations", async () => {
    const many: Platform[] = Array.from({ length: 120 }, (_, i) => ({ ...PLATFORM, id: `p${i}`, name: `Platform ${i}`, issuer: `https://lms${i}.example.edu` }));
    const registrations: Registration[] = many.map((p, i) => ({ ...REGISTRATION, id: `r${i}`, platform_id: p.id, client_id: `client-${i}` }));
    fakeBackend({ list_platforms: [...many].reverse(), registration_briefs: registrations.map(brief) });
    const user = userEvent.setup();
    render(PlatformsPage);
    const names = (): string[] => Array.from(document.querySelectorAll(".platform-name"), (n) => n.textContent ?? "");
    await waitFor(() => expect(names()).toHaveLength(20));
    expect(names().slice(0, 3)).toEqual(["Platform 0", "Platform 1", "Platform 2"]);
    expect(names()[10], "P10 after P9").toBe("Platform 10");
    expect(card("p7").textContent).toContain("client-7");
    expect(card("p7").textContent).not.toContain("client-8");
    expect(button("#platform-show-more").textContent).toBe("Show 20 more (100 not shown)");
    await user.click(button("#platform-show-more"));
    await waitFor(() => expect(names()).toHaveLength(40));
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-edit-open-p20"));
    for (let shown = 60; shown <= 120; shown += 20) {
      await user.click(button("#platform-show-more"));
      await waitFor(() => expect(names()).toHaveLength(shown));
    }
    expect(document.getElementById("platform-show-more")).toBeNull();
    await user.type(input("platform-filter"), "Platform 11");
    await waitFor(() => expect(names(), "a filter starts again from one page").toEqual(["Platform 11", "Platform 110", "Platform 111", "Platform 112", "Platform 113", "Platform 114", "Platform 115", "Platform 116", "Platform 117", "Platform 118", "Platform 119"]));
  });

  it("previews what a preset fills in from the base URL", async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-preset")).not.toBeNull());
    await user.selectOptions(document.getElementById("platform-preset") as HTMLSelectElement, "moodle");
    await user.type(input("platform-base-url"), "https://moodle.acme.edu");
    expect(document.querySelector('#platform-preview [data-preview-field="auth_url"]')?.textContent).toBe(
      "https://moodle.acme.edu/mod/lti/auth.php",
    );
  });

  it("keeps the focus in each endpoint of an other platform while it is typed, key by key", async () => {
    const backend = fakeBackend({ add_platform: (args) => ({ ...PLATFORM, id: "p9", name: (args.input as { name: string }).name }) });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-preset")).not.toBeNull());
    await user.selectOptions(document.getElementById("platform-preset") as HTMLSelectElement, "custom");
    await typeKeepingFocus(user, "platform-name", "Acme LMS");
    await typeKeepingFocus(user, "platform-issuer", CUSTOM.issuer);
    await typeKeepingFocus(user, "platform-auth-url", CUSTOM.auth_url);
    await typeKeepingFocus(user, "platform-token-url", CUSTOM.token_url);
    await typeKeepingFocus(user, "platform-jwks-url", CUSTOM.jwks_url);
    await user.click(button("#platform-save"));
    await waitFor(() => expect(backend.callsOf("add_platform")).toHaveLength(1));
    expect(backend.callsOf("add_platform")[0]?.input).toMatchObject({ name: "Acme LMS", preset: "custom", base_url: null, ...CUSTOM });
  });

  it("keeps the focus in a changed value of a preset while it is typed", async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-preset")).not.toBeNull());
    await user.click(document.querySelector("#platform-form details.overrides summary") as HTMLElement);
    await typeKeepingFocus(user, "platform-token-url", "https://acme.instructure.com/login/oauth2/token");
    expect(document.querySelector('#platform-preview [data-preview-field="token_url"]')?.textContent).toBe(
      "https://acme.instructure.com/login/oauth2/token",
    );
  });

  it("shows the errors under their fields, the server's too, and keeps what was typed", async () => {
    const backend = fakeBackend({
      add_platform: () => {
        throw failure("platform_exists", "a platform named Acme LMS exists already", "name");
      },
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-preset")).not.toBeNull());
    await user.selectOptions(document.getElementById("platform-preset") as HTMLSelectElement, "custom");
    await user.type(input("platform-issuer"), "http://lms.acme.example");
    await user.click(button("#platform-save"));
    expect(document.querySelector('[data-field-error="platform-name"]')?.textContent).toContain("Name");
    expect(document.querySelector('[data-field-error="platform-issuer"]')?.textContent).toContain("https://");
    expect(document.getElementById("platform-error")?.textContent).toContain("values need fixing");
    expect(document.activeElement?.id).toBe("platform-name");
    expect(backend.callsOf("add_platform")).toHaveLength(0);

    await user.type(input("platform-name"), "Acme LMS");
    await user.clear(input("platform-issuer"));
    for (const [id, value] of [
      ["platform-issuer", CUSTOM.issuer],
      ["platform-auth-url", CUSTOM.auth_url],
      ["platform-token-url", CUSTOM.token_url],
      ["platform-jwks-url", CUSTOM.jwks_url],
    ] as const) {
      await user.type(input(id), value);
    }
    await user.click(button("#platform-save"));
    await waitFor(() => expect(document.querySelector('[data-field-error="platform-name"]')?.textContent).toContain("exists already"));
    expect(app.error).toBeNull();
    expect(input("platform-name").value).toBe("Acme LMS");
    expect(input("platform-jwks-url").value).toBe(CUSTOM.jwks_url);
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-name"));
  });

  it("closes the add form with Escape and gives the focus back to Add platform", async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.getElementById("platform-name")).not.toBeNull());
    await user.type(input("platform-name"), "x{Escape}");
    expect(document.getElementById("platform-form")).toBeNull();
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-add"));
  });

  it("edits a platform's name and token URL in place, sending only what changed", async () => {
    const backend = fakeBackend({
      list_platforms: [PLATFORM],
      update_platform: (args) => ({ ...PLATFORM, name: "Acme Moodle 4", token_url: "https://moodle.acme.edu/token" , ...(args.update as object) }),
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-edit-platform=p1]")).not.toBeNull());
    await user.click(button("[data-edit-platform=p1]"));
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-edit-name"));
    expect(input("platform-edit-token-url").value).toBe(PLATFORM.token_url);
    await user.keyboard(" 4");
    expect(document.activeElement?.id).toBe("platform-edit-name");
    await user.clear(input("platform-edit-token-url"));
    await typeKeepingFocus(user, "platform-edit-token-url", "https://moodle.acme.edu/token");
    await user.click(button("#platform-edit-save"));
    await waitFor(() => expect(backend.callsOf("update_platform")).toHaveLength(1));
    expect(backend.callsOf("update_platform")[0]).toEqual({
      platform: "p1",
      update: {
        name: "Acme Moodle 4",
        issuer: null,
        auth_url: null,
        token_url: "https://moodle.acme.edu/token",
        token_audience: null,
        jwks_url: null,
        openid_configuration_url: null,
      },
    });
    await waitFor(() => expect(document.getElementById("platform-edit-form")).toBeNull());
    await waitFor(() => expect(document.activeElement?.getAttribute("data-edit-platform")).toBe("p1"));
  });

  it("shows a server error of an edit under its field", async () => {
    fakeBackend({
      list_platforms: [PLATFORM, CANVAS],
      update_platform: () => {
        throw failure("platform_exists", "another platform is called Instructure Canvas", "name");
      },
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-edit-platform=p1]")).not.toBeNull());
    await user.click(button("[data-edit-platform=p1]"));
    await user.clear(input("platform-edit-name"));
    await user.type(input("platform-edit-name"), "Instructure Canvas{Enter}");
    await waitFor(() =>
      expect(document.querySelector('[data-field-error="platform-edit-name"]')?.textContent).toContain("another platform"),
    );
    expect(input("platform-edit-name").value).toBe("Instructure Canvas");
  });

  it("removes a platform after confirming and moves the focus to the next one", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM, CANVAS], remove_platform: null });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-remove-platform=p1]")).not.toBeNull());
    await user.click(button("[data-remove-platform=p1]"));
    backend.on("list_platforms", [CANVAS]);
    await user.click(button("[data-confirm-remove-platform=p1]"));
    await waitFor(() => expect(document.querySelector("[data-platform-id=p1]")).toBeNull());
    expect(backend.callsOf("remove_platform")).toEqual([{ platform: "p1" }]);
    await waitFor(() => expect(document.activeElement?.getAttribute("data-edit-platform")).toBe("p2"));
  });

  it("names the registrations that keep a platform, and removes them first when asked", async () => {
    const inUse: IpcError = {
      ...failure("platform_in_use", "platform 'Acme Moodle' still has 1 registration(s). Fix: remove them first"),
      remedies: [{ kind: "remove_registrations", platform: "Acme Moodle" }],
    };
    let registrations: Registration[] = [REGISTRATION];
    const backend = fakeBackend({
      list_platforms: [PLATFORM],
      registration_briefs: () => registrations.map(brief),
      remove_platform: () => {
        if (registrations.length > 0) throw inUse;
        return null;
      },
      remove_registration: () => {
        registrations = [];
        return null;
      },
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-remove-platform=p1]")).not.toBeNull());
    await user.click(button("[data-remove-platform=p1]"));
    await user.click(button("[data-confirm-remove-platform=p1]"));
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-in-use-p1"));
    expect(app.error).toBeNull();
    const open = button(`.in-use [data-open-registrations="${REGISTRATION.tool_id}"]`);
    expect(open.textContent).toContain(REGISTRATION.tool_name);

    backend.on("list_platforms", () => (registrations.length > 0 ? [PLATFORM] : []));
    await user.click(button("[data-remove-with-registrations=p1]"));
    await user.click(button("[data-confirm-remove-with-registrations=p1]"));
    await waitFor(() => expect(document.querySelector("[data-platform-id=p1]")).toBeNull());
    expect(backend.callsOf("remove_registration")).toEqual([{ registration: REGISTRATION.id }]);
    expect(backend.callsOf("remove_platform")).toHaveLength(2);
    await waitFor(() => expect(document.activeElement?.id).toBe("platform-add"));
  });

  it("opens a tool's registrations from the refusal", async () => {
    fakeBackend({
      list_platforms: [PLATFORM],
      registration_briefs: [brief(REGISTRATION)],
      remove_platform: () => {
        throw failure("platform_in_use", "still has 1 registration(s)");
      },
    });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-remove-platform=p1]")).not.toBeNull());
    await user.click(button("[data-remove-platform=p1]"));
    await user.click(button("[data-confirm-remove-platform=p1]"));
    await user.click(await waitFor(() => button(".in-use [data-open-registrations]")));
    expect(app.route).toEqual({ screen: "tool", id: REGISTRATION.tool_id, tab: "registrations" });
  });

  it("discovers from the OpenID configuration, then takes a held issuer change when accepted", async () => {
    const backend = fakeBackend({ list_platforms: [PLATFORM], discover_platform: DISCOVERY });
    const user = userEvent.setup();
    render(PlatformsPage);
    await waitFor(() => expect(document.querySelector("[data-discover=p1]")).not.toBeNull());
    await user.click(button("[data-discover=p1]"));
    await waitFor(() => expect(document.activeElement?.id).toBe("discover-url"));
    expect(input("discover-url").value).toBe(PLATFORM.openid_configuration_url);
    await user.click(button("#discover-run"));
    await waitFor(() => expect(document.querySelector('[data-change-field="token_url"]')).not.toBeNull());
    expect(document.querySelector('[data-change-field="token_url"]')?.getAttribute("data-applied")).toBe("true");
    expect(document.querySelector('[data-change-field="issuer"]')?.getAttribute("data-applied")).toBe("false");
    expect(backend.callsOf("discover_platform")[0]).toMatchObject({ platform: "p1", acceptIssuer: false, registrationToken: null });
    await waitFor(() => expect(document.activeElement?.id).toBe("discover-accept"));
    await user.click(button("#discover-accept"));
    await waitFor(() => expect(backend.callsOf("discover_platform")).toHaveLength(2));
    expect(backend.callsOf("discover_platform")[1]).toMatchObject({ acceptIssuer: true });
  });
});
