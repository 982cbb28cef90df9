import { cleanup, configure, render, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../../lib/app.svelte";
import type { Inspection, KidSearch, TokenTest } from "../../lib/ipc/bindings";
import { failure, fakeBackend } from "../../test/backend";
import { REGISTRATION } from "../../test/registrationFixtures";
import InspectorPage from "./InspectorPage.svelte";
import TokenPanel from "./TokenPanel.svelte";
import { deploymentsToAdd, headline } from "./token";

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });
afterEach(() => cleanup());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhIn0.c2ln";

const INSPECTION: Inspection = {
  kind: "resource_link_request",
  kind_label: "a resource-link launch (LtiResourceLinkRequest id_token, platform → tool)",
  header: { alg: "RS256", kid: "p1" },
  claims: { iss: "https://canvas.instructure.com", aud: "10000000000001" },
  registration: {
    registration: REGISTRATION.id,
    tool: "Quiz Engine",
    platform: "Acme Canvas",
    issuer: "https://canvas.instructure.com",
    client_id: "10000000000001",
    matched_by: "iss is the platform's issuer and aud holds the client_id",
  },
  signature: { status: "verified", alg: "RS256", kid: "p1", key: "kid 'p1' of the platform's JWKS", detail: "the signature verifies" },
  findings: [
    {
      code: "deployment-unknown",
      severity: "warning",
      message: "deployment_id '2:new' is not recorded on registration",
      fix: "add the deployment id to the registration",
      remedies: [{ kind: "add_deployment", registration: REGISTRATION.id, deployment_id: "2:new" }],
    },
  ],
};

describe("the JWT inspector", () => {
  it("inspects what is typed, shows the verdict, and records a new deployment in one click", async () => {
    let known = false;
    const backend = fakeBackend({
      inspect_jwt: () => (known ? { ...INSPECTION, findings: [] } : INSPECTION),
      add_deployment: () => {
        known = true;
        return REGISTRATION;
      },
    });
    const user = userEvent.setup();
    render(InspectorPage);
    await user.type(el("#jwt-input"), JWT);
    await user.click(el("#jwt-inspect"));

    await waitFor(() => expect(el("#jwt-result").dataset.kind).toBe("resource_link_request"));
    expect(backend.callsOf("inspect_jwt")).toEqual([{ jwt: JWT, fetch: true }]);
    expect(el("#jwt-signature").dataset.signatureStatus).toBe("verified");
    expect(el("#jwt-registration").textContent).toContain("Quiz Engine on Acme Canvas");
    expect(el('#jwt-findings [data-finding-code="deployment-unknown"]')).toBeTruthy();
    expect(el("#jwt-claims").textContent).toContain("canvas.instructure.com");

    await user.click(el('[data-add-deployment-from="2:new"]'));
    await waitFor(() => expect(backend.callsOf("add_deployment")).toHaveLength(1));
    expect(backend.callsOf("add_deployment")[0]).toEqual({
      registration: REGISTRATION.id,
      deployment: { deployment_id: "2:new", label: null },
    });
    await waitFor(() => expect(backend.callsOf("inspect_jwt")).toHaveLength(2));
    await waitFor(() => expect(document.querySelector("[data-add-deployment-from]")).toBeNull());
    expect(el("#jwt-findings").textContent).toContain("every check passed");
  });

  it("sends nothing for an empty paste and puts the shell's refusal under the field", async () => {
    const backend = fakeBackend({
      inspect_jwt: () => {
        throw failure("invalid", "JWT: it has 2 part(s) separated by dots, not the three of a signed JWT", "jwt");
      },
    });
    const user = userEvent.setup();
    render(InspectorPage);
    await user.click(el("#jwt-inspect"));
    expect(backend.callsOf("inspect_jwt")).toHaveLength(0);
    expect(el("#jwt-input-error").textContent).toContain("paste a token");
    await user.type(el("#jwt-input"), "a.b");
    await user.click(el("#jwt-inspect"));
    await waitFor(() => expect(el("#jwt-input-error").textContent).toContain("three of a signed JWT"));
    expect(el("#jwt-input").getAttribute("aria-invalid")).toBe("true");
    expect(el<HTMLTextAreaElement>("#jwt-input").value).toBe("a.b");
  });

  it("opens a file through the native dialog and inspects it without fetching when asked", async () => {
    const backend = fakeBackend({
      pick_jwt: { kind: "picked", name: "launch.jwt", text: `${JWT}\n` },
      inspect_jwt: INSPECTION,
    });
    const user = userEvent.setup();
    render(InspectorPage);
    await user.click(el("#jwt-fetch"));
    await user.click(el("#jwt-pick"));
    await waitFor(() => expect(backend.callsOf("inspect_jwt")).toEqual([{ jwt: JWT, fetch: false }]));
    expect(el("#jwt-input-hint").textContent).toContain("launch.jwt");
  });

  it("finds a kid in a pasted key set", async () => {
    const found: KidSearch = { kid: "k1", source: "the given JWKS", found: false, kids: ["k0"], key: null, findings: [] };
    const backend = fakeBackend({ find_kid: found });
    const user = userEvent.setup();
    render(InspectorPage);
    await user.click(el("#kid-find-submit"));
    expect(el("#kid-find-kid-error").textContent).toContain("give the kid");
    await user.type(el("#kid-find-kid"), "k1");
    await user.type(el("#kid-find-jwks"), '{{"keys": [[]}');
    await user.click(el("#kid-find-submit"));
    await waitFor(() => expect(el("#kid-find-result").dataset.found).toBe("false"));
    expect(backend.callsOf("find_kid")).toEqual([{ kid: "k1", url: null, jwks: '{"keys": []}' }]);
    expect(el("#kid-find-result").textContent).toContain("k0");
  });
});

const GRANTED: TokenTest = {
  registration: REGISTRATION.id,
  token_url: "https://sso.canvaslms.com/login/oauth2/token",
  audience: "https://sso.canvaslms.com/login/oauth2/token",
  kid: "k1",
  scopes: ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
  outcome: "granted",
  status: 200,
  error: null,
  description: null,
  granted: { token_type: "Bearer", expires_in: 3600, scopes: ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], access_token_masked: "abcd…wxyz (812 characters)" },
  latency_ms: 120,
  findings: [],
};

describe("a registration's tokens", () => {
  it("tests the token endpoint and shows the grant, the token only masked", async () => {
    const backend = fakeBackend({ token_test: GRANTED });
    const user = userEvent.setup();
    render(TokenPanel, { registration: REGISTRATION });
    await user.click(el(`#token-test-${REGISTRATION.id}`));
    await waitFor(() => expect(el(`#token-result-${REGISTRATION.id}`).dataset.tokenOutcome).toBe("granted"));
    expect(backend.callsOf("token_test")).toEqual([{ registration: REGISTRATION.id }]);
    expect(el("[data-access-token]").textContent).toBe("abcd…wxyz (812 characters)");
    expect(el(`#token-result-${REGISTRATION.id}`).textContent).toContain("3600 s");
  });

  it("explains a refusal with the platform's words and the finding", async () => {
    fakeBackend({
      token_test: {
        ...GRANTED,
        outcome: "refused",
        status: 400,
        error: "invalid_request",
        description: "JSON::JWK::Set::KidNotFound",
        granted: null,
        findings: [{ code: "kid-not-found", severity: "error", message: "the platform found no key with kid 'k1'", fix: "run the live JWKS check", remedies: [] }],
      },
    });
    const user = userEvent.setup();
    render(TokenPanel, { registration: REGISTRATION });
    await user.click(el(`#token-test-${REGISTRATION.id}`));
    await waitFor(() => expect(el(`#token-result-${REGISTRATION.id}`).dataset.tokenOutcome).toBe("refused"));
    expect(el("[data-platform-said]").textContent).toBe("JSON::JWK::Set::KidNotFound");
    expect(el(`#token-findings-${REGISTRATION.id} [data-finding-code="kid-not-found"]`)).toBeTruthy();
  });

  it("signs a client assertion, shows it encoded with Copy and decoded", async () => {
    const backend = fakeBackend({
      client_assertion: {
        token: JWT,
        header: { alg: "RS256", kid: "k1", typ: "JWT" },
        claims: { iss: "10000000000001", sub: "10000000000001", jti: "j-1" },
        kid: "k1",
        token_url: "https://sso.canvaslms.com/login/oauth2/token",
        expires_at: "2026-12-03T12:05:00Z",
      },
    });
    const user = userEvent.setup();
    render(TokenPanel, { registration: REGISTRATION });
    await user.click(el(`#assertion-${REGISTRATION.id}`));
    await waitFor(() => expect(el<HTMLTextAreaElement>(`#assertion-token-${REGISTRATION.id}`).value).toBe(JWT));
    expect(el(`#assertion-claims-${REGISTRATION.id}`).textContent).toContain('"jti": "j-1"');
    await user.click(el(`[data-copy-assertion="${REGISTRATION.id}"]`));
    await waitFor(() => expect(backend.clipboard).toEqual([JWT]));
    expect(app.toasts.map((t) => t.message)).toContain("Client assertion copied");
  });
});

describe("token wording", () => {
  it("offers each new deployment once and words the verdict", () => {
    const twice = { ...INSPECTION, findings: [...INSPECTION.findings, ...INSPECTION.findings] };
    expect(deploymentsToAdd(twice.findings)).toEqual([{ registration: REGISTRATION.id, deploymentId: "2:new" }]);
    expect(headline(INSPECTION)).toBe("Verified signature, no errors");
  });
});
