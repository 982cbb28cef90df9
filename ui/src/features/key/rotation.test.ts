import { describe, expect, it } from "vitest";

import type { KeyInfo, KeyStatus } from "../../lib/ipc/bindings";
import { SAMPLE_KEYS } from "../../test/fixtures";
import { rotatedKeys, SAMPLE_OUTCOME, SAMPLE_STATE } from "../../test/rotationFixtures";
import { actionsOf, confirmText, focusRowAfter, liveReminder, planLines, reminderText } from "./rotation";

function withStatus(keys: KeyInfo[], kid: string, status: KeyStatus): KeyInfo[] {
  return keys.map((k) => (k.kid === kid ? { ...k, status } : k));
}

describe("planLines", () => {
  it("promotes the next key and demotes the current one, with the overlap", () => {
    const lines = planLines(SAMPLE_STATE, SAMPLE_KEYS);
    expect(lines[0]).toContain("Promote next-b to current");
    expect(lines[1]).toContain("Demote cur to previous");
    expect(lines[1]).toContain("(overlap 7d)");
  });

  it("says a key is generated when no next key waits, with the current key's size", () => {
    const state = { ...SAMPLE_STATE, plan: { ...SAMPLE_STATE.plan!, promote: null } };
    expect(planLines(state, SAMPLE_KEYS)[0]).toBe("Generate a new 2048-bit key and sign with it at once (no next key is waiting).");
  });

  it("has nothing to rotate without a current key", () => {
    expect(planLines({ ...SAMPLE_STATE, plan: null }, [])).toEqual([
      "Nothing to rotate yet: generate the tool's first key; it signs at once.",
    ]);
  });
});

describe("confirmText", () => {
  it("asks to update the pasted JWK only for a tool without a JWKS URL", () => {
    expect(confirmText(SAMPLE_STATE, false)).toContain("update the public JWK");
    expect(confirmText(SAMPLE_STATE, true)).not.toContain("public JWK");
  });
});

describe("actionsOf", () => {
  it("retires previous keys only and revokes keys in use, never retired or revoked ones", () => {
    expect(actionsOf("previous")).toEqual({ retire: true, revoke: true });
    expect(actionsOf("current")).toEqual({ retire: false, revoke: true });
    expect(actionsOf("next")).toEqual({ retire: false, revoke: true });
    expect(actionsOf("retired")).toEqual({ retire: false, revoke: false });
    expect(actionsOf("revoked")).toEqual({ retire: false, revoke: false });
  });
});

describe("liveReminder", () => {
  it("holds while the keys are as the rotation left them", () => {
    expect(liveReminder(SAMPLE_OUTCOME, rotatedKeys())).toBe(SAMPLE_OUTCOME);
  });

  it("goes once the demoted key is retired or revoked", () => {
    expect(liveReminder(SAMPLE_OUTCOME, withStatus(rotatedKeys(), "cur", "retired"))).toBeNull();
    expect(liveReminder(SAMPLE_OUTCOME, withStatus(rotatedKeys(), "cur", "revoked"))).toBeNull();
    expect(liveReminder(SAMPLE_OUTCOME, rotatedKeys().filter((k) => k.kid !== "cur"))).toBeNull();
  });

  it("goes once the new key no longer signs", () => {
    expect(liveReminder(SAMPLE_OUTCOME, withStatus(rotatedKeys(), "next-b", "revoked"))).toBeNull();
    expect(liveReminder(SAMPLE_OUTCOME, withStatus(rotatedKeys(), "next-b", "previous"))).toBeNull();
  });

  it("is nothing before the keys are known", () => {
    expect(liveReminder(SAMPLE_OUTCOME, null)).toBeNull();
    expect(liveReminder(null, rotatedKeys())).toBeNull();
  });
});

describe("reminderText", () => {
  it("speaks of the window's controls, not of command-line flags", () => {
    for (const remedy of SAMPLE_OUTCOME.reminders) {
      expect(reminderText(remedy)).not.toMatch(/--|ltikeys/);
    }
    expect(reminderText({ kind: "publish_jwks", tool: null, jwks_url: "https://t.example/jwks" })).toBe(
      "Publish the new JWKS at https://t.example/jwks now.",
    );
    expect(reminderText({ kind: "list_tools" })).toBeNull();
  });
});

describe("focusRowAfter", () => {
  const order = ["old-retired", "prev", "cur", "next-b", "next-a"];

  it("picks the next row that still has an action", () => {
    const keys = withStatus(SAMPLE_KEYS, "prev", "retired");
    expect(focusRowAfter(order, "prev", keys)).toBe("cur");
  });

  it("falls back to an earlier row when none after has an action", () => {
    const keys = withStatus(SAMPLE_KEYS, "next-a", "revoked");
    expect(focusRowAfter(order, "next-a", keys)).toBe("next-b");
  });

  it("answers null when no key has an action left", () => {
    const keys = SAMPLE_KEYS.map((k) => ({ ...k, status: "retired" as const }));
    expect(focusRowAfter(order, "cur", keys)).toBeNull();
  });
});
