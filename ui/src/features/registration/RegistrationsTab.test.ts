import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { Registration } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { SAMPLE_TOOL } from "../../test/fixtures";
import { HANDOFF, PLATFORM, REGISTRATION } from "../../test/registrationFixtures";
import RegistrationsTab from "./RegistrationsTab.svelte";

const props = { tool: SAMPLE_TOOL };

function element<T extends HTMLElement>(css: string, type: new () => T): T {
  const found = document.querySelector(css);
  if (!(found instanceof type)) throw new Error(`nothing matches ${css}`);
  return found;
}

const button = (css: string): HTMLButtonElement => element(css, HTMLButtonElement);
const input = (css: string): HTMLInputElement => element(css, HTMLInputElement);

async function listed(): Promise<void> {
  await waitFor(() => expect(document.querySelector("article[data-registration-id]")).not.toBeNull());
}

describe("the registrations tab", () => {
  it("says it is loading, then lists the registrations", async () => {
    const answer = deferred<Registration[]>();
    const backend = fakeBackend({ list_registrations: () => answer.promise, list_platforms: [PLATFORM], registration_handoff: HANDOFF });
    render(RegistrationsTab, props);
    expect(await screen.findByText("Loading registrations…")).toBeTruthy();
    answer.resolve([REGISTRATION]);
    await listed();
    expect(backend.callsOf("list_registrations")[0]).toEqual({ tool: SAMPLE_TOOL.id, platform: null });
  });

  it("shows a load error", async () => {
    fakeBackend({
      list_registrations: () => {
        throw failure("database", "the store is locked");
      },
    });
    render(RegistrationsTab, props);
    await waitFor(() => expect(document.getElementById("registrations-load-error")?.textContent).toContain("the store is locked"));
  });

  it("says when the tool is not registered anywhere, and sends people to Platforms when there is none", async () => {
    fakeBackend();
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    expect(await screen.findByText(/Not registered on any platform yet/)).toBeTruthy();
    await user.click(button("#registration-add"));
    await waitFor(() => expect(document.activeElement?.id).toBe("registration-open-platforms"));
    expect(button("#registration-save").disabled).toBe(true);
    await user.click(button("#registration-open-platforms"));
    expect(app.route).toEqual({ screen: "platforms" });
  });

  it("lists each registration with its deployments and the first one's hand-off", async () => {
    fakeBackend({ list_registrations: [REGISTRATION], list_platforms: [PLATFORM], registration_handoff: HANDOFF });
    render(RegistrationsTab, props);
    await listed();
    const card = element(`article[data-registration-id="${REGISTRATION.id}"]`, HTMLElement);
    expect(card.querySelector(".registration-client-id")?.textContent).toBe(REGISTRATION.client_id);
    expect(card.querySelector('tr[data-deployment-id="43"]')?.textContent).toContain("Biology 101");
    expect(card.querySelector('tr[data-deployment-id="44"] time')?.getAttribute("datetime")).toBe("2025-02-03T00:00:00Z");
    await waitFor(() => expect(document.querySelector('#handoff [data-handoff-field="jwks_url"] dd')?.textContent).toContain(PLATFORM.jwks_url));
    expect(document.querySelector('#handoff [data-handoff-field="deployment_ids"] dd')?.textContent).toContain("Biology 101");
  });

  it("copies the hand-off as text and as JSON", async () => {
    const backend = fakeBackend({ list_registrations: [REGISTRATION], list_platforms: [PLATFORM], registration_handoff: HANDOFF });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await waitFor(() => expect(document.getElementById("handoff-copy-json")).not.toBeNull());
    await user.click(button("#handoff-copy-text"));
    await user.click(button("#handoff-copy-json"));
    await waitFor(() => expect(backend.clipboard).toHaveLength(2));
    expect(backend.clipboard[0]).toBe(HANDOFF.text);
    expect(JSON.parse(backend.clipboard[1] ?? "")).toMatchObject({ client_id: REGISTRATION.client_id, deployment_ids: ["43", "44"] });
  });

  it("adds a registration with several deployments, typed key by key", async () => {
    const backend = fakeBackend({
      list_platforms: [PLATFORM],
      add_registration: REGISTRATION,
      registration_handoff: HANDOFF,
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await screen.findByText(/Not registered on any platform yet/);
    await user.click(button("#registration-add"));
    await waitFor(() => expect(document.activeElement?.id).toBe("registration-platform"));
    await user.type(input("#registration-client-id"), REGISTRATION.client_id);
    const row = (i: number, field: string): HTMLInputElement =>
      input(`#registration-deployments .deployment-row:nth-child(${i}) input[data-field=${field}]`);
    await user.type(row(1, "deployment_id"), "43");
    await user.type(row(1, "label"), "Biology 101");
    await user.click(button("#registration-deployment-add"));
    expect(document.activeElement).toBe(row(2, "deployment_id"));
    await user.keyboard("44");
    expect(row(2, "deployment_id").value).toBe("44");
    backend.on("list_registrations", [REGISTRATION]);
    await user.click(button("#registration-save"));
    await waitFor(() => expect(backend.callsOf("add_registration")).toHaveLength(1));
    expect(backend.callsOf("add_registration")[0]).toEqual({
      input: {
        tool: SAMPLE_TOOL.id,
        platform: PLATFORM.id,
        client_id: REGISTRATION.client_id,
        deployments: [
          { deployment_id: "43", label: "Biology 101" },
          { deployment_id: "44", label: null },
        ],
      },
    });
    await waitFor(() => expect(document.getElementById("registration-form")).toBeNull());
    await waitFor(() => expect(document.activeElement?.getAttribute("data-edit-registration")).toBe(REGISTRATION.id));
  });

  it("refuses a repeated deployment id without sending, and shows the server's client_id error under it", async () => {
    const backend = fakeBackend({
      list_platforms: [PLATFORM],
      add_registration: () => {
        throw failure("duplicate_registration", "this tool already has client_id abc on Acme Moodle");
      },
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await screen.findByText(/Not registered on any platform yet/);
    await user.click(button("#registration-add"));
    await user.type(input("#registration-client-id"), "abc");
    await user.type(input("#registration-deployment-0"), "43");
    await user.click(button("#registration-deployment-add"));
    await user.keyboard("43");
    await user.click(button("#registration-save"));
    expect(document.getElementById("registration-deployments-error")?.textContent).toContain("listed twice");
    expect(document.activeElement?.id).toBe("registration-deployment-1");
    expect(backend.callsOf("add_registration")).toHaveLength(0);

    await user.click(button("#registration-deployment-remove-1"));
    expect(document.activeElement?.id).toBe("registration-deployment-add");
    await user.click(button("#registration-save"));
    await waitFor(() => expect(document.querySelector('[data-field-error="registration-client-id"]')?.textContent).toContain("already has"));
    expect(app.error).toBeNull();
    expect(input("#registration-client-id").value).toBe("abc");
  });

  it("edits a registration's client_id in place", async () => {
    const backend = fakeBackend({
      list_registrations: [REGISTRATION],
      list_platforms: [PLATFORM],
      registration_handoff: HANDOFF,
      update_registration: { ...REGISTRATION, client_id: "new-client" },
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await listed();
    await user.click(button(`[data-edit-registration="${REGISTRATION.id}"]`));
    await waitFor(() => expect(document.activeElement?.id).toBe("registration-edit-client-id"));
    await user.clear(input("#registration-edit-client-id"));
    for (const key of "new-client") {
      await user.type(input("#registration-edit-client-id"), key, { skipClick: true });
      expect(document.activeElement?.id).toBe("registration-edit-client-id");
    }
    await user.click(button("#registration-edit-save"));
    await waitFor(() => expect(backend.callsOf("update_registration")).toEqual([{ registration: REGISTRATION.id, update: { client_id: "new-client", platform: null } }]));
    await waitFor(() => expect(document.querySelector(".registration-client-id")?.textContent).toBe("new-client"));
    expect(document.getElementById("registration-edit-form")).toBeNull();
    expect(document.activeElement?.getAttribute("data-edit-registration")).toBe(REGISTRATION.id);
  });

  it("cancels an edit with Escape", async () => {
    fakeBackend({ list_registrations: [REGISTRATION], list_platforms: [PLATFORM], registration_handoff: HANDOFF });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await listed();
    await user.click(button(`[data-edit-registration="${REGISTRATION.id}"]`));
    await user.keyboard("x{Escape}");
    expect(document.getElementById("registration-edit-form")).toBeNull();
    expect(document.activeElement?.getAttribute("data-edit-registration")).toBe(REGISTRATION.id);
  });

  it("removes a deployment after confirming; the focus goes to the next one's remove button, then to the new-id field", async () => {
    let registration: Registration = REGISTRATION;
    const backend = fakeBackend({
      list_registrations: () => [registration],
      list_platforms: [PLATFORM],
      registration_handoff: HANDOFF,
      remove_deployment: (args) => {
        registration = { ...registration, deployments: registration.deployments.filter((d) => d.deployment_id !== args.deploymentId) };
        return registration;
      },
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await listed();
    await user.click(button('[data-remove-deployment="43"]'));
    await user.click(button('[data-confirm-remove-deployment="43"]'));
    await waitFor(() => expect(document.querySelector('tr[data-deployment-id="43"]')).toBeNull());
    expect(backend.callsOf("remove_deployment")).toEqual([{ registration: REGISTRATION.id, deploymentId: "43" }]);
    expect(document.activeElement?.getAttribute("data-remove-deployment")).toBe("44");

    await user.click(button('[data-remove-deployment="44"]'));
    await user.click(button('[data-confirm-remove-deployment="44"]'));
    await waitFor(() => expect(document.querySelector('tr[data-deployment-id="44"]')).toBeNull());
    expect(document.activeElement?.id).toBe(`deployment-new-id-${REGISTRATION.id}`);
    expect(document.activeElement).not.toBe(document.body);
  });

  it("adds a deployment to a registration", async () => {
    const backend = fakeBackend({
      list_registrations: [REGISTRATION],
      list_platforms: [PLATFORM],
      registration_handoff: HANDOFF,
      add_deployment: {
        ...REGISTRATION,
        deployments: [...REGISTRATION.deployments, { deployment_id: "45", label: "Chemistry", added_at: "2025-03-01T00:00:00Z" }],
      },
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await listed();
    const field = input(`#deployment-new-id-${REGISTRATION.id}`);
    await user.type(field, "4 5{Enter}");
    expect(document.querySelector(`[data-deployment-error="${REGISTRATION.id}"]`)?.textContent).toContain("no spaces");
    await user.clear(field);
    await user.type(field, "45");
    await user.type(input(".deployment-new-label"), "Chemistry{Enter}");
    await waitFor(() => expect(document.querySelector('tr[data-deployment-id="45"]')).not.toBeNull());
    expect(backend.callsOf("add_deployment")).toEqual([{ registration: REGISTRATION.id, deployment: { deployment_id: "45", label: "Chemistry" } }]);
    expect(document.activeElement).toBe(field);
  });

  it("removes a registration after confirming and gives the focus to Add registration", async () => {
    const backend = fakeBackend({
      list_registrations: [REGISTRATION],
      list_platforms: [PLATFORM],
      registration_handoff: HANDOFF,
      remove_registration: null,
    });
    const user = userEvent.setup();
    render(RegistrationsTab, props);
    await listed();
    await user.click(button(`[data-remove-registration="${REGISTRATION.id}"]`));
    backend.on("list_registrations", []);
    await user.click(button(`[data-confirm-remove-registration="${REGISTRATION.id}"]`));
    await waitFor(() => expect(document.querySelector("article[data-registration-id]")).toBeNull());
    expect(backend.callsOf("remove_registration")).toEqual([{ registration: REGISTRATION.id }]);
    await waitFor(() => expect(document.activeElement?.id).toBe("registration-add"));
  });

  it("reloads when the data changes elsewhere", async () => {
    const backend = fakeBackend({ list_registrations: [], list_platforms: [PLATFORM], registration_handoff: HANDOFF });
    render(RegistrationsTab, props);
    await screen.findByText(/Not registered on any platform yet/);
    backend.on("list_registrations", [REGISTRATION]);
    app.refresh();
    await listed();
  });
});
