import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import type { BundlePlan, BundlePreview } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { REGISTRATION } from "../../test/registrationFixtures";
import ExportBundleForm from "./ExportBundleForm.svelte";
import ImportBundlePage from "./ImportBundlePage.svelte";

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`no #${id}`);
  return found as T;
}

function fieldError(id: string): string | null {
  return document.querySelector(`[data-field-error="${id}"]`)?.textContent ?? null;
}

const PREVIEW: BundlePreview = {
  files: [
    { path: "README.md", sha256: "a".repeat(64), bytes: 2100, what: "the steps on both sides" },
    { path: "platform.json", sha256: "b".repeat(64), bytes: 612, what: "the platform's values and the registration's" },
    { path: "jwks.json", sha256: "c".repeat(64), bytes: 480, what: "the tool's published keys (JWKS)" },
  ],
  omitted: [{ path: "canvas-developer-key.json", reason: "launch URL: tool 'Quiz' has none" }],
  current_kid: "kid-1",
  private_available: true,
  suggested_name: "quiz-acme-bundle",
};

const PLAN: BundlePlan = {
  created_by: "LTI Key Manager 0.1.0",
  created_at: "2026-12-01T10:00:00Z",
  tool: { name: "Quiz Engine", action: "create", matched_by: null, differences: [] },
  platform: {
    name: "Acme Canvas",
    action: "match",
    matched_by: "issuer and endpoints",
    differences: [{ field: "base_url", here: "(none)", bundle: "https://acme.instructure.com" }],
  },
  registration: { name: "10000000000001", action: "create", matched_by: null, differences: [] },
  deployments_added: ["1:abc"],
  keys: [
    { kid: "kid-1", status: "current", action: "create", private_key: true },
    { kid: "kid-2", status: "next", action: "create", private_key: false },
  ],
  checks: 1,
  needs_passphrase: true,
  writes: true,
  notes: [".DS_Store is not listed in bundle.json: ignored"],
};

describe("exporting a registration's bundle", () => {
  it("says it reads the files, then lists them and what is left out", async () => {
    const answer = deferred<BundlePreview>();
    const backend = fakeBackend({ preview_bundle: () => answer.promise });
    render(ExportBundleForm, { registration: REGISTRATION, onClose: () => {} });
    expect(await screen.findByText("Reading what goes in…")).toBeTruthy();
    answer.resolve(PREVIEW);
    await waitFor(() => expect(document.querySelector('[data-bundle-file="platform.json"]')).not.toBeNull());
    expect(backend.callsOf("preview_bundle")).toEqual([{ registration: REGISTRATION.id }]);
    expect(document.querySelector('[data-bundle-omitted="canvas-developer-key.json"]')?.textContent).toContain("has none");
    expect(byId<HTMLInputElement>("bundle-include-private").checked).toBe(false);
  });

  it("shows a preview that fails", async () => {
    fakeBackend({
      preview_bundle: () => {
        throw failure("registration_not_found", "no registration with id 'r1'");
      },
    });
    render(ExportBundleForm, { registration: REGISTRATION, onClose: () => {} });
    expect((await waitFor(() => byId("bundle-preview-error"))).textContent).toContain("no registration");
    expect(byId<HTMLButtonElement>("bundle-export-save").disabled).toBe(true);
  });

  it("exports a zip without the private key by default", async () => {
    let closed = false;
    const backend = fakeBackend({
      preview_bundle: PREVIEW,
      export_bundle: { outcome: "saved", path: "/tmp/quiz.zip", files: 4, private_key: null },
    });
    const user = userEvent.setup();
    render(ExportBundleForm, { registration: REGISTRATION, onClose: () => (closed = true) });
    await waitFor(() => expect(byId<HTMLButtonElement>("bundle-export-save").disabled).toBe(false));
    await user.click(byId("bundle-export-save"));
    await waitFor(() => expect(closed).toBe(true));
    expect(backend.callsOf("export_bundle")).toEqual([
      { request: { registration: REGISTRATION.id, zip: true, include_private: false, passphrase: null, confirm: null } },
    ]);
    expect(app.toasts.at(-1)?.message).toContain("/tmp/quiz.zip");
  });

  it("with the private key, asks the passphrase twice before anything is sent", async () => {
    const backend = fakeBackend({
      preview_bundle: PREVIEW,
      export_bundle: { outcome: "saved", path: "/tmp/quiz-bundle", files: 5, private_key: "kid-1" },
    });
    const user = userEvent.setup();
    render(ExportBundleForm, { registration: REGISTRATION, onClose: () => {} });
    await waitFor(() => expect(byId<HTMLInputElement>("bundle-include-private").disabled).toBe(false));
    await user.click(byId("bundle-folder"));
    await user.click(byId("bundle-include-private"));
    await user.type(byId("bundle-passphrase"), "correct horse");
    await user.type(byId("bundle-confirm"), "correct hose");
    await user.click(byId("bundle-export-save"));
    expect(fieldError("bundle-confirm")).toContain("differ");
    expect(backend.callsOf("export_bundle")).toEqual([]);
    await user.clear(byId("bundle-confirm"));
    await user.type(byId("bundle-confirm"), "correct horse");
    await user.click(byId("bundle-export-save"));
    await waitFor(() => expect(backend.callsOf("export_bundle")).toHaveLength(1));
    expect(backend.callsOf("export_bundle")[0]).toEqual({
      request: { registration: REGISTRATION.id, zip: false, include_private: true, passphrase: "correct horse", confirm: "correct horse" },
    });
  });

  it("offers no private key the keychain does not hold, and says why", async () => {
    fakeBackend({ preview_bundle: { ...PREVIEW, private_available: false } });
    render(ExportBundleForm, { registration: REGISTRATION, onClose: () => {} });
    expect((await waitFor(() => byId("bundle-private-unavailable"))).textContent).toContain("kid-1");
    expect(byId<HTMLInputElement>("bundle-include-private").disabled).toBe(true);
  });
});

describe("importing a bundle", () => {
  it("shows nothing when the dialog is cancelled", async () => {
    const backend = fakeBackend({ pick_bundle: { outcome: "cancelled" } });
    const user = userEvent.setup();
    render(ImportBundlePage);
    await user.click(byId("bundle-pick-folder"));
    await waitFor(() => expect(backend.callsOf("pick_bundle")).toEqual([{ folder: true }]));
    expect(document.getElementById("bundle-import-form")).toBeNull();
  });

  it("shows what the bundle brings, asks the passphrase, and imports", async () => {
    let answer: () => unknown = () => {
      throw failure("invalid", "The bundle's private key could not be decrypted with this passphrase.", "passphrase");
    };
    const backend = fakeBackend({
      pick_bundle: { outcome: "picked", name: "quiz.zip", plan: PLAN },
      import_bundle: () => answer(),
    });
    const user = userEvent.setup();
    render(ImportBundlePage);
    await user.click(byId("bundle-pick-zip"));
    const plan = await waitFor(() => byId("bundle-plan"));
    expect(plan.querySelector('[data-plan-record="tool"]')?.textContent).toContain("created");
    expect(plan.querySelector('[data-plan-difference="base_url"]')?.textContent).toContain("https://acme.instructure.com");
    expect(plan.querySelector('[data-plan-key="kid-2"]')?.textContent).toContain("public only");
    expect(plan.querySelector('[data-plan-key="kid-1"]')?.textContent).toContain("with its private key");
    expect(document.activeElement).toBe(byId("bundle-import-passphrase"));

    await user.click(byId("bundle-import-confirm"));
    expect(fieldError("bundle-import-passphrase")).toContain("passphrase");
    expect(backend.callsOf("import_bundle")).toEqual([]);

    await user.type(byId("bundle-import-passphrase"), "wrong");
    await user.click(byId("bundle-import-confirm"));
    await waitFor(() => expect(fieldError("bundle-import-passphrase")).toContain("could not be decrypted"));

    answer = () => ({ plan: PLAN, registration_id: "r9", tool_id: "t9", written: true });
    await user.clear(byId("bundle-import-passphrase"));
    await user.type(byId("bundle-import-passphrase"), "correct horse");
    await user.click(byId("bundle-import-confirm"));
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: "t9", tab: "registrations" }));
    expect(backend.callsOf("import_bundle").at(-1)).toEqual({ request: { passphrase: "correct horse" } });
  });

  it("says when everything is here already, and offers no import", async () => {
    fakeBackend({
      pick_bundle: { outcome: "picked", name: "quiz", plan: { ...PLAN, writes: false, needs_passphrase: false } },
    });
    const user = userEvent.setup();
    render(ImportBundlePage);
    await user.click(byId("bundle-pick-folder"));
    expect((await waitFor(() => byId("bundle-nothing"))).textContent).toContain("nothing to import");
    expect(document.getElementById("bundle-import-confirm")).toBeNull();
  });

  it("shows a refused bundle in the error banner", async () => {
    fakeBackend({
      pick_bundle: () => {
        throw failure("invalid", "bundle: platform.json was changed after the bundle was made");
      },
    });
    const user = userEvent.setup();
    render(ImportBundlePage);
    await user.click(byId("bundle-pick-zip"));
    await waitFor(() => expect(app.error?.message).toContain("platform.json was changed"));
    expect(document.getElementById("bundle-import-form")).toBeNull();
  });
});
