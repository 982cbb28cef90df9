import { describe, expect, it } from "vitest";

import { SAMPLE_KEYS } from "../../test/fixtures";
import { PROFILE_TOOL } from "../../test/registrationFixtures";
import type { Finding, HandoffView, Platform, Registration, Tool } from "./bindings";
import { registrationMock } from "./dev-mock-registration";

describe("the development mock of profiles, platforms and registrations", () => {
  it("exports, lints, and registers like the backend", async () => {
    const tools: Tool[] = [structuredClone(PROFILE_TOOL)];
    const find = (tool: string): Tool => {
      const found = tools.find((t) => t.id === tool || t.name === tool);
      if (found === undefined) throw new Error(tool);
      return found;
    };
    const call = (command: string, args: Record<string, unknown> = {}) => registrationMock(command, args, tools, SAMPLE_KEYS, find);

    const json = (await call("export_canvas", { tool: PROFILE_TOOL.id })) as string;
    expect(await call("lint_canvas", { json })).toEqual([]);
    const broken = json.replace('"LtiResourceLinkRequest"', '"LtiDeepLinkingRequest"');
    const findings = (await call("lint_canvas", { json: broken })) as Finding[];
    expect(findings.map((f) => f.code)).toEqual(["wrong-message-type"]);

    const platform = (await call("add_platform", {
      input: { name: "Acme Moodle", preset: "moodle", base_url: "https://moodle.acme.edu/", issuer: null, auth_url: null, token_url: null, token_audience: null, jwks_url: null, openid_configuration_url: null },
    })) as Platform;
    expect(platform.auth_url).toBe("https://moodle.acme.edu/mod/lti/auth.php");
    const registration = (await call("add_registration", {
      input: { tool: PROFILE_TOOL.id, platform: platform.id, client_id: "abc", deployments: [{ deployment_id: "1", label: null }] },
    })) as Registration;
    const view = (await call("registration_handoff", { registration: registration.id })) as HandoffView;
    expect(view.handoff).toMatchObject({ issuer: "https://moodle.acme.edu", client_id: "abc", deployment_ids: ["1"] });
    await expect(call("remove_platform", { platform: platform.id })).rejects.toMatchObject({ kind: "platform_in_use" });
    expect(await call("nope")).toBeUndefined();
  });
});
