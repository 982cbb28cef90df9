import { describe, expect, it } from "vitest";

import { byNaturalName, formatDateTime, formatElapsed, keygenStageText, localTimes, plural } from "./format";

describe("formatDateTime", () => {
  it("shows a timestamp in local time as YYYY-MM-DD HH:MM", () => {
    const local = new Date(2025, 2, 4, 9, 5, 59);
    expect(formatDateTime(local.toISOString())).toBe("2025-03-04 09:05");
  });

  it("converts UTC to the local zone (the test runs with TZ=Asia/Kolkata, UTC+05:30)", () => {
    expect(formatDateTime("2025-03-04T20:45:00Z")).toBe("2025-03-05 02:15");
    expect(formatDateTime("2025-03-04T20:45:00.123456+00:00")).toBe("2025-03-05 02:15");
  });

  it("returns what it cannot read unchanged", () => {
    expect(formatDateTime("yesterday")).toBe("yesterday");
    expect(formatDateTime("")).toBe("");
  });
});

describe("formatElapsed", () => {
  it("shows tenths of a second under a minute", () => {
    expect(formatElapsed(0)).toBe("0.0 s");
    expect(formatElapsed(99)).toBe("0.0 s");
    expect(formatElapsed(1250)).toBe("1.2 s");
    expect(formatElapsed(59_999)).toBe("59.9 s");
  });

  it("shows minutes and seconds from a minute on", () => {
    expect(formatElapsed(60_000)).toBe("1 min 00 s");
    expect(formatElapsed(125_400)).toBe("2 min 05 s");
  });

  it("treats negative and invalid values as zero", () => {
    expect(formatElapsed(-5)).toBe("0.0 s");
    expect(formatElapsed(Number.NaN)).toBe("0.0 s");
  });
});

describe("keygenStageText", () => {
  it("names the key size while generating and the keychain while storing", () => {
    expect(keygenStageText("generating", 4096)).toBe("Generating 4096-bit key…");
    expect(keygenStageText("storing", 4096)).toBe("Storing in the keychain…");
    expect(keygenStageText("done", 2048)).toBe("Finishing…");
  });
});

describe("plural", () => {
  it("counts", () => {
    expect(plural(1, "key")).toBe("1 key");
    expect(plural(0, "key")).toBe("0 keys");
    expect(plural(3, "key")).toBe("3 keys");
  });
});

describe("localTimes", () => {
  it("writes each timestamp of a message in the window's format, in local time", () => {
    expect(localTimes("inside its overlap window until 2026-12-10T08:47:34Z: wait until 2026-12-10T08:47:34.5+00:00")).toBe(
      "inside its overlap window until 2026-12-10 14:17: wait until 2026-12-10 14:17",
    );
  });

  it("leaves a message without a timestamp alone", () => {
    expect(localTimes("kid 2026-12-10 is taken")).toBe("kid 2026-12-10 is taken");
  });
});

describe("byNaturalName", () => {
  it("counts numbers inside names and ignores case", () => {
    const names = ["p10", "P2", "p1", "Canvas", "canvas 3", "p9"].map((name) => ({ name }));
    expect(names.sort(byNaturalName).map((n) => n.name)).toEqual(["Canvas", "canvas 3", "p1", "P2", "p9", "p10"]);
  });
});
