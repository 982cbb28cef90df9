import { describe, expect, it } from "vitest";

import { SAMPLE_KEYS, SAMPLE_TOOL } from "../../test/fixtures";
import type { KeyInfo, RotationOutcome, RotationState } from "./bindings";
import { rotationMock } from "./dev-mock-rotation";

describe("the development mock of rotation", () => {
  it("plans, rotates and refuses an early retire like the backend", async () => {
    const keys: KeyInfo[] = structuredClone(SAMPLE_KEYS);
    const find = () => SAMPLE_TOOL;
    const state = (await rotationMock("rotation_state", { tool: "t1" }, keys, find)) as RotationState;
    expect(state.plan).toMatchObject({ promote: "next-b", demote: "cur" });
    const outcome = (await rotationMock("rotate_keys", { tool: "t1" }, keys, find)) as RotationOutcome;
    expect(outcome.current).toBe("next-b");
    expect(keys.find((k) => k.kid === "cur")?.status).toBe("previous");
    await expect(rotationMock("retire_key", { tool: "t1", kid: "cur", force: false }, keys, find)).rejects.toMatchObject({
      kind: "retire_too_early",
      message: expect.stringContaining("overlap window"),
    });
    expect(await rotationMock("nope", {}, keys, find)).toBeUndefined();
  });
});
