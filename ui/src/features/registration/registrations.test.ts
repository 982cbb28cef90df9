import { describe, expect, it } from "vitest";

import { REGISTRATION } from "../../test/registrationFixtures";
import { checkClientId, checkDeploymentId, nextDeployment } from "./registrations";

describe("registration checks", () => {
  it("refuses a blank client_id or one with spaces, and takes one with spaces around it", () => {
    expect(checkClientId("  ")).toContain("enter the client_id");
    expect(checkClientId("abc def")).toContain("no spaces");
    expect(checkClientId(" 10000000000001 ")).toBeNull();
  });

  it("refuses a blank deployment id or one with spaces", () => {
    expect(checkDeploymentId("")).toContain("enter the deployment_id");
    expect(checkDeploymentId("2: x")).toContain("no spaces");
    expect(checkDeploymentId("2:f973")).toBeNull();
  });

  it("names the deployment after a removed one, none after the last", () => {
    expect(nextDeployment(REGISTRATION, "43")).toBe("44");
    expect(nextDeployment(REGISTRATION, "44")).toBeNull();
    expect(nextDeployment(REGISTRATION, "unknown")).toBeNull();
  });
});
