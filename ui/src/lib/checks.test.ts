import { describe, expect, it } from "vitest";

import { SAMPLE_CHECK, SAMPLE_PLATFORM_CHECKS } from "../test/rotationFixtures";
import {
  ageOf,
  checkVerdict,
  countFindings,
  formatAge,
  formatBytes,
  formatCache,
  formatLatency,
  formatStatus,
  platformRows,
  sortFindings,
  worstSeverity,
} from "./checks";
import type { Finding } from "./ipc/bindings";

const f = (code: string, severity: Finding["severity"]): Finding => ({ code, severity, message: code, fix: "" });

describe("findings", () => {
  it("sorts errors first, then warnings, then info, keeping the order within one severity", () => {
    const sorted = sortFindings([f("i1", "info"), f("w1", "warning"), f("e1", "error"), f("w2", "warning"), f("e2", "error")]);
    expect(sorted.map((x) => x.code)).toEqual(["e1", "e2", "w1", "w2", "i1"]);
  });

  it("counts, and finds the worst severity", () => {
    expect(countFindings(SAMPLE_CHECK.findings)).toEqual({ error: 1, warning: 1, info: 1 });
    expect(worstSeverity([f("i", "info"), f("w", "warning")])).toBe("warning");
    expect(worstSeverity([])).toBeNull();
  });

  it("gives a verdict: no answer or an error fails, a warning warns", () => {
    expect(checkVerdict(SAMPLE_CHECK)).toBe("fail");
    expect(checkVerdict({ ...SAMPLE_CHECK, findings: [f("w", "warning"), f("i", "info")] })).toBe("warn");
    expect(checkVerdict({ ...SAMPLE_CHECK, findings: [f("i", "info")] })).toBe("pass");
    expect(checkVerdict({ ...SAMPLE_CHECK, status: null, findings: [] })).toBe("fail");
  });
});

describe("formatAge", () => {
  it("says how long ago, in the largest sensible unit", () => {
    expect(formatAge(0)).toBe("just now");
    expect(formatAge(9_999)).toBe("just now");
    expect(formatAge(10_000)).toBe("10 s ago");
    expect(formatAge(59_999)).toBe("59 s ago");
    expect(formatAge(3 * 60_000)).toBe("3 min ago");
    expect(formatAge(59 * 60_000 + 59_000)).toBe("59 min ago");
    expect(formatAge(5 * 3_600_000)).toBe("5 h ago");
    expect(formatAge(49 * 3_600_000)).toBe("2 d ago");
    expect(formatAge(800 * 86_400_000)).toBe("2 y ago");
  });

  it("treats a future time or junk as just now", () => {
    expect(formatAge(-60_000)).toBe("just now");
    expect(formatAge(Number.NaN)).toBe("just now");
  });

  it("reads ISO timestamps", () => {
    const now = Date.parse("2025-05-01T10:00:00Z");
    expect(ageOf("2025-05-01T09:57:00Z", now)).toBe("3 min ago");
    expect(ageOf("not a date", now)).toBe("not a date");
  });
});

describe("facts", () => {
  it("formats sizes, latency, status and caching", () => {
    expect(formatBytes(532)).toBe("532 B");
    expect(formatBytes(1240)).toBe("1.2 KB");
    expect(formatBytes(20_480)).toBe("20 KB");
    expect(formatBytes(3.4 * 1024 * 1024)).toBe("3.4 MB");
    expect(formatLatency(84.4)).toBe("84 ms");
    expect(formatLatency(1_320)).toBe("1.3 s");
    expect(formatLatency(null)).toBe("—");
    expect(formatStatus(200)).toBe("200");
    expect(formatStatus(null)).toBe("No answer");
    expect(formatCache({ cache_control: "public, max-age=3600", max_age: 3600 })).toBe("public, max-age=3600 (1h)");
    expect(formatCache({ cache_control: "no-store", max_age: null })).toBe("no-store");
    expect(formatCache({ cache_control: null, max_age: null })).toBe("Not sent");
  });

  it("summarises platform checks, skipped ones with their reason", () => {
    const rows = platformRows(SAMPLE_PLATFORM_CHECKS);
    expect(rows[0]).toMatchObject({ platform: "Acme Canvas", status: "200", verdict: "pass", keys: 1, errors: 0, warnings: 0 });
    expect(rows[1]).toMatchObject({ platform: "Blackboard", status: "Skipped", verdict: "skipped", keys: null });
    expect(rows[1]?.skipped).toContain("placeholder");
  });
});
