// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import { HANDOFF, PLATFORM, REGISTRATION } from "../test/registrationFixtures";
import {
  createRegistrationsPanel,
  EMPTY_REGISTRATION_DRAFT,
  type RegistrationsHandlers,
  type RegistrationsView,
} from "./registrations";

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

const deployment = (n: number, field: string): string =>
  `#registration-deployments .deployment-row:nth-child(${n}) input[data-field=${field}]`;

describe("registrations panel", () => {
  let view: RegistrationsView;
  let handlers: { [K in keyof RegistrationsHandlers]: ReturnType<typeof vi.fn> };

  beforeEach(() => {
    handlers = {
      onAdd: vi.fn(),
      onAddDeployment: vi.fn(),
      onRemoveDeployment: vi.fn(),
      onSelect: vi.fn(),
      onCopy: vi.fn(),
      onOpenPlatforms: vi.fn(),
      onDraftChange: vi.fn(),
    };
    view = createRegistrationsPanel(document, EMPTY_REGISTRATION_DRAFT, handlers as unknown as RegistrationsHandlers);
    document.body.replaceChildren(view.element);
  });

  it("sends platform, client_id and several deployment ids with labels", () => {
    view.setData([], [PLATFORM], null);
    el("#registration-add").click();
    expect(el("#registration-form").hidden).toBe(false);
    expect(el<HTMLSelectElement>("#registration-platform").value).toBe(PLATFORM.id);
    type("#registration-client-id", " zTn6FWnZ4W21zmS ");
    type(deployment(1, "deployment_id"), "43");
    type(deployment(1, "label"), "Biology 101");
    el("#registration-deployment-add").click();
    type(deployment(2, "deployment_id"), "44");
    el("#registration-deployment-add").click();
    el("#registration-save").click();

    expect(handlers.onAdd).toHaveBeenCalledWith({
      platform: PLATFORM.id,
      client_id: "zTn6FWnZ4W21zmS",
      deployments: [
        { deployment_id: "43", label: "Biology 101" },
        { deployment_id: "44", label: null },
      ],
    });
    expect(handlers.onDraftChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ open: true, clientId: " zTn6FWnZ4W21zmS " }),
    );
  });

  it("refuses a missing client_id and a repeated deployment id without sending", () => {
    view.setData([], [PLATFORM], null);
    el("#registration-add").click();
    el("#registration-save").click();
    expect(el("#registration-error").textContent).toContain("client_id: enter");
    expect(el("#registration-client-id").hasAttribute("aria-invalid")).toBe(true);

    type("#registration-client-id", "abc");
    type(deployment(1, "deployment_id"), "1");
    el("#registration-deployment-add").click();
    type(deployment(2, "deployment_id"), "1");
    el("#registration-save").click();
    expect(el("#registration-error").textContent).toBe("Deployment 2: 1 is listed twice.");
    expect(handlers.onAdd).not.toHaveBeenCalled();
  });

  it("sends people to the platforms page when there is no platform", () => {
    view.setData([], [], null);
    el("#registration-add").click();
    expect(el<HTMLButtonElement>("#registration-save").disabled).toBe(true);
    el("#registration-form .notice button").click();
    expect(handlers.onOpenPlatforms).toHaveBeenCalledOnce();
  });

  it("lists each registration with its deployments and labels", () => {
    view.setData([REGISTRATION], [PLATFORM], null);
    const card = el(`[data-registration-id="${REGISTRATION.id}"]`);
    expect(card.textContent).toContain("zTn6FWnZ4W21zmS");
    expect(card.querySelector(".tag-family")?.textContent).toBe("Moodle");
    expect(card.querySelector('tr[data-deployment-id="43"]')?.textContent).toContain("Biology 101");
    expect(card.querySelector('tr[data-deployment-id="44"]')).not.toBeNull();
    expect(el("#registrations-heading").textContent).toBe("Registrations (1)");
    expect(document.getElementById("handoff")).toBeNull();
  });

  it("removes a deployment only after confirming", () => {
    view.setData([REGISTRATION], [PLATFORM], null);
    el('button[data-remove-deployment="44"]').click();
    expect(handlers.onRemoveDeployment).not.toHaveBeenCalled();
    el('button[data-confirm-remove-deployment="44"]').click();
    expect(handlers.onRemoveDeployment).toHaveBeenCalledWith(REGISTRATION.id, "44");
  });

  it("adds a deployment to an existing registration", () => {
    view.setData([REGISTRATION], [PLATFORM], null);
    el(`button[data-add-deployment="${REGISTRATION.id}"]`).click();
    expect(handlers.onAddDeployment).not.toHaveBeenCalled();
    expect(el(`[data-deployment-error="${REGISTRATION.id}"]`).hidden).toBe(false);
    type(".deployment-new-id", "45");
    type(".deployment-new-label", "Chemistry");
    el(`button[data-add-deployment="${REGISTRATION.id}"]`).click();
    expect(handlers.onAddDeployment).toHaveBeenCalledWith(REGISTRATION.id, { deployment_id: "45", label: "Chemistry" });
  });

  it("shows the hand-off values with a copy button each, as text and as JSON", () => {
    view.setData([REGISTRATION], [PLATFORM], REGISTRATION.id);
    expect(el("#handoff").textContent).toContain("Loading");
    view.setHandoff(REGISTRATION.id, HANDOFF);

    const fields = Array.from(document.querySelectorAll("#handoff [data-handoff-field]"), (row) =>
      row.getAttribute("data-handoff-field"),
    );
    expect(fields).toEqual(["issuer", "client_id", "deployment_ids", "auth_url", "token_url", "jwks_url"]);
    expect(el('#handoff [data-handoff-field="issuer"] dd').textContent).toBe("https://moodle.acme.edu");
    expect(el('#handoff [data-handoff-field="deployment_ids"] dd').textContent).toBe("43 Biology 10144");

    el('#handoff button[data-copy-handoff="deployment_ids"]').click();
    expect(handlers.onCopy).toHaveBeenLastCalledWith("43\n44", "Deployment IDs");
    el("#handoff-copy-text").click();
    expect(handlers.onCopy).toHaveBeenLastCalledWith(HANDOFF.text, "Hand-off");
    el("#handoff-copy-json").click();
    const [json] = handlers.onCopy.mock.lastCall as [string, string];
    expect(JSON.parse(json)).toMatchObject({ client_id: "zTn6FWnZ4W21zmS", deployment_ids: ["43", "44"] });

    el(`button[data-show-handoff="${REGISTRATION.id}"]`).click();
    expect(handlers.onSelect).toHaveBeenCalledWith("");
  });

  it("lists the hand-off's findings", () => {
    view.setData([REGISTRATION], [PLATFORM], REGISTRATION.id);
    view.setHandoff(REGISTRATION.id, {
      ...HANDOFF,
      handoff: {
        ...HANDOFF.handoff,
        deployment_ids: [],
        findings: [{ code: "no-deployment", severity: "warning", message: "no deployment id yet", fix: "add one" }],
      },
    });
    expect(el('#handoff-findings [data-finding-code="no-deployment"]').textContent).toContain("no deployment id yet");
    expect(el('#handoff [data-handoff-field="deployment_ids"] dd').textContent).toContain("None recorded yet");
  });
});
