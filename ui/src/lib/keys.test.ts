import { describe, expect, it } from "vitest";

import { SAMPLE_KEYS } from "../test/fixtures";
import { keyRows, privateKeyClass, privateKeyTitle, statusBadgeClass } from "./keys";


describe("keyRows", () => {
  it("orders by status, newest first within a status", () => {
    expect(keyRows(SAMPLE_KEYS).map((row) => row.kid)).toEqual(["cur", "next-a", "next-b", "prev", "old-retired"]);
  });

  it("does not reorder the input array", () => {
    const input = [...SAMPLE_KEYS];
    keyRows(input);
    expect(input.map((key) => key.kid)).toEqual(SAMPLE_KEYS.map((key) => key.kid));
  });

  it("maps each field for display", () => {
    const prev = keyRows(SAMPLE_KEYS).find((row) => row.kid === "prev");
    expect(prev).toMatchObject({
      bits: "3072",
      status: "previous",
      statusClass: "badge badge-previous",
      published: true,
      statusTitle: "Still published, no longer signs; in the published JWKS.",
      createdIso: "2024-06-01T00:00:00Z",
      privateKey: "missing",
      privateClass: "private-state private-missing",
    });
    expect(prev?.created).toMatch(/^2024-06-01 \d\d:\d\d$/);
    expect(prev?.privateTitle).toMatch(/keychain entry for this key is gone/);
  });

  it("gives an empty list for no keys", () => {
    expect(keyRows([])).toEqual([]);
  });
});

describe("badge and private-key classes", () => {
  it("has one class per status and state", () => {
    expect(statusBadgeClass("current")).toBe("badge badge-current");
    expect(statusBadgeClass("revoked")).toBe("badge badge-revoked");
    expect(privateKeyClass("present")).toBe("private-state private-present");
    expect(privateKeyTitle("present")).toMatch(/in the OS keychain/);
    expect(privateKeyTitle("unknown")).toMatch(/could not be checked/);
    expect(privateKeyTitle("transit")).toMatch(/never leaves the server/);
  });
});
