import { describe, expect, it } from "vitest";

import { DAY, formatDuration, parseDuration, parsePolicyForm, policyForm, policySecs, YEAR } from "./duration";

describe("formatDuration", () => {
  it("writes the largest whole unit, like the Rust side", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(86_400)).toBe("1d");
    expect(formatDuration(604_800)).toBe("7d");
    expect(formatDuration(129_600)).toBe("36h");
    expect(formatDuration(5_400)).toBe("90m");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(90_061)).toBe("90061s");
  });
});

describe("parseDuration", () => {
  it("reads numbers with units, also combined", () => {
    expect(parseDuration("Overlap", "24h")).toEqual({ ok: true, value: 86_400 });
    expect(parseDuration("Overlap", "7d")).toEqual({ ok: true, value: 604_800 });
    expect(parseDuration("Overlap", "2w")).toEqual({ ok: true, value: 1_209_600 });
    expect(parseDuration("Overlap", "90m")).toEqual({ ok: true, value: 5_400 });
    expect(parseDuration("Overlap", "1d12h")).toEqual({ ok: true, value: 129_600 });
    expect(parseDuration("Overlap", "  0s ")).toEqual({ ok: true, value: 0 });
  });

  it("refuses what the Rust parser refuses, naming the field and the fix", () => {
    for (const bad of ["", "7", "d", "7x", "1 d", "7D", "-1d", "1.5d", "d7", "7dd"]) {
      const parsed = parseDuration("Pre-publish", bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error).toMatch(/^Pre-publish: '.*' is not a duration\. Fix: use a number with a unit/);
      }
    }
  });

  it("reads back what it writes", () => {
    for (const secs of [0, 45, 60, 5_400, 3_600, 129_600, DAY, 7 * DAY, 90 * DAY, YEAR]) {
      expect(parseDuration("x", formatDuration(secs))).toEqual({ ok: true, value: secs });
    }
  });
});

describe("policy form", () => {
  it("shows a policy as durations, off for no period", () => {
    expect(policyForm({ pre_publish_secs: DAY, overlap_secs: 7 * DAY, rotate_every_secs: null })).toEqual({
      prePublish: "1d",
      overlap: "7d",
      rotateEvery: "off",
    });
    expect(policyForm({ pre_publish_secs: 36 * 3600, overlap_secs: 0, rotate_every_secs: 90 * DAY }).rotateEvery).toBe("90d");
  });

  it("reads a policy as it arrives", () => {
    const wire = { pre_publish_secs: 10, overlap_secs: 20, rotate_every_secs: null };
    expect(policySecs(wire)).toEqual({ pre_publish_secs: 10, overlap_secs: 20, rotate_every_secs: null });
  });

  it("parses a valid form", () => {
    const parsed = parsePolicyForm({ prePublish: "2d", overlap: "1w", rotateEvery: "90d" });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value).toEqual({ pre_publish_secs: 2 * DAY, overlap_secs: 7 * DAY, rotate_every_secs: 90 * DAY });
    }
    for (const off of ["", "off", "OFF", "never", " none "]) {
      const none = parsePolicyForm({ prePublish: "0s", overlap: "0s", rotateEvery: off });
      expect(none.ok && none.value.rotate_every_secs, off).toBeNull();
    }
  });

  it("applies the limits of Policy::validated, one message per field", () => {
    const parsed = parsePolicyForm({ prePublish: "366d", overlap: "53w", rotateEvery: "12h" });
    expect(parsed.ok).toBe(false);
    expect(parsed.errors.prePublish).toContain("between 0 and 365 days");
    expect(parsed.errors.overlap).toContain("between 0 and 365 days");
    expect(parsed.errors.rotateEvery).toContain("between 1 day and 10 years");

    expect(parsePolicyForm({ prePublish: "365d", overlap: "365d", rotateEvery: "3650d" }).ok).toBe(true);
    expect(parsePolicyForm({ prePublish: "1d", overlap: "7d", rotateEvery: "3651d" }).errors.rotateEvery).toBeDefined();
    expect(parsePolicyForm({ prePublish: "1d", overlap: "7d", rotateEvery: "1d" }).ok).toBe(true);

    const garbage = parsePolicyForm({ prePublish: "soon", overlap: "7d", rotateEvery: "monthly" });
    expect(garbage.errors.prePublish).toMatch(/^Pre-publish: 'soon' is not a duration/);
    expect(garbage.errors.overlap).toBeUndefined();
    expect(garbage.errors.rotateEvery).toMatch(/^Rotate every: 'monthly' is not a duration.*, or off$/);
  });
});
