import { describe, expect, it } from "vitest";

import { DISCOVERY, HANDOFF, PLATFORM, PRESETS } from "../../test/registrationFixtures";
import type { Preset } from "../../lib/ipc/bindings";
import {
  buildDeployments,
  buildNewPlatform,
  buildPlatformUpdate,
  platformEditValues,
  changeRows,
  discoverySummary,
  emptyPlatformForm,
  fieldsToGive,
  fillTemplate,
  handoffJson,
  handoffRows,
  handoffValueText,
  placeholdersIn,
  platformErrorField,
  resolvedEndpoints,
} from "./platforms";

function preset(family: string): Preset {
  const found = PRESETS.find((p) => p.family === family);
  if (found === undefined) throw new Error(`no preset ${family}`);
  return found;
}

describe("presets", () => {
  it("fills {base_url} without doubling slashes, and leaves it when no base URL is typed", () => {
    expect(fillTemplate("{base_url}/mod/lti/auth.php", "https://moodle.acme.edu/")).toBe(
      "https://moodle.acme.edu/mod/lti/auth.php",
    );
    expect(fillTemplate("{base_url}/mod/lti/auth.php", "  ")).toBe("{base_url}/mod/lti/auth.php");
    expect(placeholdersIn("https://x/{base_url}/apps/{client_id}/jwks/{config_id}")).toEqual([
      "{client_id}",
      "{config_id}",
    ]);
  });

  it("asks for every endpoint only where the preset has none", () => {
    expect(fieldsToGive(preset("custom"))).toEqual(["issuer", "auth_url", "token_url", "jwks_url"]);
    expect(fieldsToGive(preset("moodle"))).toEqual([]);
  });

  it("resolves what each endpoint will be: typed overrides win", () => {
    const values = { ...emptyPlatformForm("brightspace"), baseUrl: "https://school.brightspace.com", token_url: " https://t.example/token " };
    expect(resolvedEndpoints(preset("brightspace"), values)).toEqual({
      issuer: "https://school.brightspace.com",
      auth_url: "https://school.brightspace.com/d2l/lti/authenticate",
      token_url: "https://t.example/token",
      token_audience: "https://api.brightspace.com/auth/token",
      jwks_url: "https://school.brightspace.com/d2l/.well-known/jwks",
      openid_configuration_url: null,
    });
  });
});

describe("the add-platform form", () => {
  it("needs a name, and a base URL for instance presets", () => {
    const result = buildNewPlatform(preset("moodle"), emptyPlatformForm("moodle"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toContain("Name");
    expect(result.errors.baseUrl).toBe(
      "Base URL: the Moodle preset needs the instance's address, such as https://moodle.example.edu.",
    );
  });

  it("builds a NewPlatform with overrides as null when blank", () => {
    const result = buildNewPlatform(preset("moodle"), {
      ...emptyPlatformForm("moodle"),
      name: " Acme Moodle ",
      baseUrl: "https://moodle.acme.edu",
    });
    expect(result).toEqual({
      ok: true,
      input: {
        name: "Acme Moodle",
        preset: "moodle",
        base_url: "https://moodle.acme.edu",
        issuer: null,
        auth_url: null,
        token_url: null,
        token_audience: null,
        jwks_url: null,
        openid_configuration_url: null,
      },
    });
  });

  it("needs every endpoint for a custom platform, accepts {client_id} templates, refuses http", () => {
    const missing = buildNewPlatform(preset("custom"), { ...emptyPlatformForm("custom"), name: "LMS" });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(Object.keys(missing.errors).sort()).toEqual(["auth_url", "issuer", "jwks_url", "token_url"]);
    }
    const bad = buildNewPlatform(preset("custom"), {
      ...emptyPlatformForm("custom"),
      name: "LMS",
      issuer: "https://lms.example",
      auth_url: "http://lms.example/auth",
      token_url: "https://lms.example/token",
      jwks_url: "https://lms.example/apps/{client_id}/jwks.json",
      token_audience: "has space",
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.errors).sort()).toEqual(["auth_url", "token_audience"]);
    }
  });

  it("maps server errors to the form field they name", () => {
    expect(platformErrorField({ kind: "invalid", field: "base_url" })).toBe("baseUrl");
    expect(platformErrorField({ kind: "invalid", field: "jwks_url" })).toBe("jwks_url");
    expect(platformErrorField({ kind: "invalid", field: "auth_url" })).toBe("auth_url");
    expect(platformErrorField({ kind: "platform_exists", field: "name" })).toBe("name");
    expect(platformErrorField({ kind: "invalid", field: null })).toBeNull();
  });
});

describe("discovery diff", () => {
  it("lists applied changes first, then the held ones with their reason", () => {
    const rows = changeRows(DISCOVERY);
    expect(rows.map((row) => [row.field, row.status])).toEqual([
      ["token_url", "applied"],
      ["issuer", "not-applied"],
    ]);
    expect(rows[0]).toMatchObject({
      label: "Token URL",
      old: "https://moodle.acme.edu/mod/lti/token.php",
      new: "https://moodle.acme.edu/mod/lti/token2.php",
      reason: null,
    });
    expect(rows[1]).toMatchObject({ label: "Issuer (iss)", reason: "the issuer changed: pass accept-issuer to take it" });
    const added = changeRows({
      ...DISCOVERY,
      changes: [{ field: "token_audience", old: null, new: "https://aud", applied: false }],
    });
    expect(added[0]).toMatchObject({ old: "—", new: "https://aud", reason: "not applied" });
  });

  it("summarizes what happened", () => {
    expect(discoverySummary(DISCOVERY)).toBe("1 change applied, 1 not applied.");
    expect(discoverySummary({ ...DISCOVERY, changes: [] })).toBe(
      "The OpenID configuration matches the record: nothing changed.",
    );
  });
});

describe("deployments typed in a form", () => {
  it("drops blank rows, keeps labels, refuses repeats and orphan labels", () => {
    expect(
      buildDeployments([
        { deploymentId: " 43 ", label: " Biology 101 " },
        { deploymentId: "", label: "" },
        { deploymentId: "44", label: "" },
      ]),
    ).toEqual({
      ok: true,
      deployments: [
        { deployment_id: "43", label: "Biology 101" },
        { deployment_id: "44", label: null },
      ],
    });
    expect(buildDeployments([{ deploymentId: "1", label: "" }, { deploymentId: "1", label: "" }])).toEqual({
      ok: false,
      error: "Deployment 2: 1 is listed twice.",
      index: 1,
    });
    expect(buildDeployments([{ deploymentId: "", label: "Physics" }])).toMatchObject({ ok: false, index: 0 });
    expect(buildDeployments([{ deploymentId: "a b", label: "" }])).toMatchObject({ ok: false, index: 0 });
  });
});

describe("the hand-off", () => {
  it("lists the six values, the audience only when the platform has one", () => {
    expect(handoffRows(HANDOFF.handoff).map((row) => row.field)).toEqual([
      "issuer",
      "client_id",
      "deployment_ids",
      "auth_url",
      "token_url",
      "jwks_url",
    ]);
    const withAudience = { ...HANDOFF.handoff, token_audience: "https://api.brightspace.com/auth/token" };
    expect(handoffRows(withAudience).map((row) => row.field)).toContain("token_audience");
    const single = handoffRows({ ...HANDOFF.handoff, deployment_ids: ["43"] }).find((r) => r.field === "deployment_ids");
    expect(single).toEqual({ field: "deployment_ids", label: "Deployment ID", values: ["43"] });
  });

  it("copies deployment ids one per line, and the whole as JSON with the Rust field names", () => {
    expect(handoffValueText(["43", "44"])).toBe("43\n44");
    expect(JSON.parse(handoffJson(HANDOFF.handoff))).toEqual({
      issuer: "https://moodle.acme.edu",
      client_id: "zTn6FWnZ4W21zmS",
      deployment_ids: ["43", "44"],
      auth_url: "https://moodle.acme.edu/mod/lti/auth.php",
      token_url: "https://moodle.acme.edu/mod/lti/token.php",
      jwks_url: "https://moodle.acme.edu/mod/lti/certs.php",
    });
    const json = JSON.parse(handoffJson({ ...HANDOFF.handoff, token_audience: "https://aud" })) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["issuer", "client_id", "deployment_ids", "auth_url", "token_url", "token_audience", "jwks_url"]);
  });
});

describe("buildPlatformUpdate", () => {
  it("sends only what changed, and clears the audience with an empty string", () => {
    const platform = { ...PLATFORM, token_audience: "https://aud.example" };
    const values = { ...platformEditValues(platform), name: " Acme LMS ", token_audience: "" };
    expect(buildPlatformUpdate(platform, values)).toEqual({
      ok: true,
      changed: true,
      update: {
        name: "Acme LMS",
        issuer: null,
        auth_url: null,
        token_url: null,
        token_audience: "",
        jwks_url: null,
        openid_configuration_url: null,
      },
    });
  });

  it("says nothing changed when the values are the stored ones", () => {
    const result = buildPlatformUpdate(PLATFORM, platformEditValues(PLATFORM));
    expect(result.ok && result.changed).toBe(false);
  });

  it("refuses a blank required endpoint and a plain-http URL, under their fields", () => {
    const values = { ...platformEditValues(PLATFORM), issuer: "", token_url: "http://lms.example/token" };
    const result = buildPlatformUpdate(PLATFORM, values);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.issuer).toContain("Issuer");
    expect(result.errors.token_url).toContain("https://");
    expect(result.errors.name).toBeUndefined();
  });
});
