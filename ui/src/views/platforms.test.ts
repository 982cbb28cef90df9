// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import { emptyPlatformForm } from "../lib/platforms";
import { DISCOVERY, PLATFORM, PRESETS, REGISTRATION } from "../test/registrationFixtures";
import { createPlatformsPage, type PlatformsHandlers, type PlatformsView } from "./platforms";

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function type(selector: string, value: string): void {
  const input = el<HTMLInputElement>(selector);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function choose(selector: string, value: string): void {
  const select = el<HTMLSelectElement>(selector);
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function shown(selector: string): boolean {
  return el(selector).closest("[hidden]") === null;
}

describe("platforms page", () => {
  let view: PlatformsView;
  let handlers: { [K in keyof PlatformsHandlers]: ReturnType<typeof vi.fn> };

  beforeEach(() => {
    handlers = { onAdd: vi.fn(), onRemove: vi.fn(), onDiscover: vi.fn(), onOpenTool: vi.fn(), onFormChange: vi.fn() };
    view = createPlatformsPage(
      document,
      PRESETS,
      { values: emptyPlatformForm("canvas-cloud"), open: true },
      handlers as unknown as PlatformsHandlers,
    );
    document.body.replaceChildren(view.element);
  });

  it("shows what a preset fills in, and asks for a base URL only where it needs one", () => {
    expect(el("#platform-preset-note").textContent).toBe("Every Instructure-hosted Canvas shares this issuer.");
    expect(shown("#platform-base-url")).toBe(false);
    expect(el('#platform-preview [data-preview-field="issuer"]').textContent).toBe("https://canvas.instructure.com");

    choose("#platform-preset", "moodle");
    expect(shown("#platform-base-url")).toBe(true);
    expect(el<HTMLInputElement>("#platform-base-url").placeholder).toBe("https://moodle.example.edu");
    expect(el('#platform-preview [data-preview-field="auth_url"]').className).toContain("muted");
    type("#platform-base-url", "https://moodle.acme.edu/");
    expect(el('#platform-preview [data-preview-field="auth_url"]').textContent).toBe("https://moodle.acme.edu/mod/lti/auth.php");
    expect(el('#platform-preview [data-preview-field="issuer"]').textContent).toBe("https://moodle.acme.edu");
    // Overrides wait, folded, under "Change a value".
    expect(el("#platform-issuer").closest("details")?.open).toBe(false);
  });

  it("asks for every value for a custom platform", () => {
    choose("#platform-preset", "custom");
    for (const id of ["#platform-issuer", "#platform-auth-url", "#platform-token-url", "#platform-jwks-url"]) {
      expect(shown(id)).toBe(true);
      expect(el<HTMLInputElement>(id).placeholder).toBe("Required");
    }
    expect(shown("#platform-preview")).toBe(false);
    type("#platform-name", "Our LMS");
    el("#platform-save").click();
    expect(handlers.onAdd).not.toHaveBeenCalled();
    expect(el("#platform-issuer").hasAttribute("aria-invalid")).toBe(true);
    expect(el("#platform-issuer-error").textContent).toContain("copy it from the platform");
  });

  it("keeps the focus in an endpoint field while it is typed into, key by key", () => {
    // jsdom drops the focus of an element that moves, as browsers do.
    for (const preset of ["custom", "canvas-cloud"]) {
      choose("#platform-preset", preset);
      for (const id of ["#platform-issuer", "#platform-token-url"]) {
        const input = el<HTMLInputElement>(id);
        input.value = "";
        input.focus();
        for (const key of "https://lms.example.edu") {
          input.value += key;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          expect(document.activeElement, `${preset} ${id} after '${input.value}'`).toBe(input);
        }
        expect(el<HTMLInputElement>(id).value).toBe("https://lms.example.edu");
      }
    }
  });

  it("sends the NewPlatform and keeps the form while the server refuses it", () => {
    choose("#platform-preset", "moodle");
    type("#platform-name", "Acme Moodle");
    type("#platform-base-url", "https://moodle.acme.edu");
    el("#platform-save").click();
    expect(handlers.onAdd).toHaveBeenCalledWith(
      expect.objectContaining({ name: "Acme Moodle", preset: "moodle", base_url: "https://moodle.acme.edu", issuer: null }),
    );
    view.showFormError("a platform named 'Acme Moodle' already exists. Fix: choose another name", "name");
    expect(el("#platform-name-error").textContent).toContain("already exists");
    expect(el<HTMLInputElement>("#platform-name").value).toBe("Acme Moodle");
    expect(handlers.onFormChange).toHaveBeenLastCalledWith(expect.objectContaining({ preset: "moodle", name: "Acme Moodle" }), true);
  });

  it("lists platforms with family, endpoints and registered tools", () => {
    view.setData([PLATFORM], [REGISTRATION]);
    const card = el(`[data-platform-id="${PLATFORM.id}"]`);
    expect(card.querySelector(".platform-name")?.textContent).toBe("Acme Moodle");
    expect(card.querySelector('.tag-family[data-family="moodle"]')?.textContent).toBe("Moodle");
    expect(card.querySelector('[data-endpoint="jwks_url"]')?.textContent).toBe(PLATFORM.jwks_url);
    expect(card.querySelector('[data-endpoint="token_audience"]')).toBeNull();
    el(`button[data-open-tool="${REGISTRATION.tool_id}"]`).click();
    expect(handlers.onOpenTool).toHaveBeenCalledWith(REGISTRATION.tool_id);
    // A platform with registrations cannot be removed.
    expect(el<HTMLButtonElement>(`button[data-remove-platform="${PLATFORM.id}"]`).disabled).toBe(true);
  });

  it("removes a platform after confirming", () => {
    view.setData([PLATFORM], []);
    el(`button[data-remove-platform="${PLATFORM.id}"]`).click();
    expect(handlers.onRemove).not.toHaveBeenCalled();
    el(`button[data-confirm-remove-platform="${PLATFORM.id}"]`).click();
    expect(handlers.onRemove).toHaveBeenCalledWith(PLATFORM.id);
  });

  it("discovers from the OpenID configuration and shows the field-by-field diff", () => {
    view.setData([PLATFORM], []);
    el(`button[data-discover="${PLATFORM.id}"]`).click();
    expect(el<HTMLInputElement>("#discover-url").value).toBe(PLATFORM.openid_configuration_url);
    const accept = el<HTMLInputElement>("#discover-accept-issuer");
    accept.checked = true;
    accept.dispatchEvent(new Event("change", { bubbles: true }));
    el("#discover-run").click();
    expect(handlers.onDiscover).toHaveBeenCalledWith(PLATFORM.id, PLATFORM.openid_configuration_url, true, null);
    el<HTMLInputElement>("#discover-token").value = "  reg-token-1 ";
    el("#discover-run").click();
    expect(handlers.onDiscover).toHaveBeenLastCalledWith(PLATFORM.id, PLATFORM.openid_configuration_url, true, "reg-token-1");

    view.setDiscovery(PLATFORM.id, DISCOVERY);
    const applied = el('#discover-result tr[data-change-field="token_url"]');
    expect(applied.getAttribute("data-applied")).toBe("true");
    expect(applied.querySelector(".old")?.textContent).toBe("https://moodle.acme.edu/mod/lti/token.php");
    expect(applied.querySelector(".new")?.textContent).toBe("https://moodle.acme.edu/mod/lti/token2.php");
    const held = el('#discover-result tr[data-change-field="issuer"]');
    expect(held.getAttribute("data-applied")).toBe("false");
    expect(held.textContent).toContain("not applied");
    expect(held.textContent).toContain("accept-issuer");
    expect(el('#discover-findings [data-finding-code="issuer-changed"]')).not.toBeNull();
    expect(el("#discover-result").textContent).toContain("1 change applied, 1 not applied.");
    // What was typed survives the redraw.
    expect(el<HTMLInputElement>("#discover-accept-issuer").checked).toBe(true);

    view.setDiscovery(PLATFORM.id, null, "discovery: the server answered 404. Fix: check the URL");
    expect(el("#discover-result").textContent).toContain("404");
  });
});
