import { describe, expect, it } from "vitest";

import { DAY } from "../../lib/duration";
import type { KeyInfo } from "../../lib/ipc/bindings";
import { buildTimeline, ticks, tickStep, type TimelineRow } from "./timeline";

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse("2025-03-01T00:00:00Z");
const POLICY = { pre_publish_secs: DAY, overlap_secs: 7 * DAY, rotate_every_secs: null };

function key(kid: string, status: KeyInfo["status"], times: Partial<KeyInfo>): KeyInfo {
  return {
    tool_id: "t1",
    kid,
    alg: "RS256",
    bits: 2048,
    status,
    created_at: times.published_at ?? new Date(T0).toISOString(),
    published_at: new Date(T0).toISOString(),
    signing_from: null,
    signing_to: null,
    unpublish_after: null,
    retired_at: null,
    revoked_at: null,
    public_only: false,
    published: status !== "retired" && status !== "revoked",
    private_key: "present",
    ...times,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A tool rotated at T0 + 30 d: `old` is previous until T0 + 37 d, `cur` signs, `nxt` waits. */
function rotated(): KeyInfo[] {
  return [
    key("nxt", "next", { published_at: iso(T0 + 31 * D) }),
    key("cur", "current", { published_at: iso(T0 + 20 * D), signing_from: iso(T0 + 30 * D) }),
    key("old", "previous", {
      published_at: iso(T0),
      signing_from: iso(T0),
      signing_to: iso(T0 + 30 * D),
      unpublish_after: iso(T0 + 37 * D),
    }),
  ];
}

function row(rows: TimelineRow[], kid: string): TimelineRow {
  const found = rows.find((r) => r.kid === kid);
  if (found === undefined) throw new Error(`no row ${kid}`);
  return found;
}

describe("buildTimeline", () => {
  it("lays every key on one axis that covers its dates and now, oldest first", () => {
    const now = T0 + 32 * D;
    const line = buildTimeline(rotated(), now, POLICY);
    expect(line.rows.map((r) => r.kid)).toEqual(["old", "cur", "nxt"]);
    expect(line.start).toBeLessThan(T0);
    expect(line.end).toBeGreaterThan(T0 + 37 * D);
    const pos = (t: number): number => ((t - line.start) / (line.end - line.start)) * 100;
    expect(line.now).toBeCloseTo(pos(now), 6);
    expect(line.now).toBeGreaterThan(0);
    expect(line.now).toBeLessThan(100);

    const old = row(line.rows, "old");
    expect(old.segments.map((s) => s.kind)).toEqual(["signing", "overlap"]);
    const [signing, overlap] = old.segments;
    expect(signing?.from).toBe(T0);
    expect(signing?.to).toBe(T0 + 30 * D);
    expect(signing?.left).toBeCloseTo(pos(T0), 6);
    expect(signing?.width).toBeCloseTo(pos(T0 + 30 * D) - pos(T0), 6);
    expect(overlap).toMatchObject({ from: T0 + 30 * D, to: T0 + 37 * D, open: false });
    expect(old.marks.map((m) => m.kind)).toEqual(["unpublish"]);
    expect(old.marks[0]?.pos).toBeCloseTo(pos(T0 + 37 * D), 6);
    expect(old.facts.map((f) => f.label)).toEqual(["Published", "Signing from", "Signing to", "Unpublish after"]);
    expect(old.facts[3]?.iso).toBe(iso(T0 + 37 * D));

    const cur = row(line.rows, "cur");
    expect(cur.segments.map((s) => [s.kind, s.open])).toEqual([
      ["pre-publish", false],
      ["signing", true],
    ]);
    expect(cur.segments[1]?.to).toBe(line.end);
    expect((cur.segments[1]?.left ?? 0) + (cur.segments[1]?.width ?? 0)).toBeCloseTo(100, 6);

    const nxt = row(line.rows, "nxt");
    expect(nxt.segments.map((s) => [s.kind, s.open])).toEqual([["pre-publish", true]]);
    expect(nxt.marks).toEqual([expect.objectContaining({ kind: "ready", at: T0 + 32 * D, label: "Ready to sign" })]);
  });

  it("shows a previous key still published after its overlap window as lingering", () => {
    const line = buildTimeline(rotated(), T0 + 40 * D, POLICY);
    const old = row(line.rows, "old");
    expect(old.segments.map((s) => [s.kind, s.open])).toEqual([
      ["signing", false],
      ["overlap", false],
      ["lingering", true],
    ]);
    expect(old.segments[2]?.from).toBe(T0 + 37 * D);
  });

  it("ends retired and revoked keys where they left the JWKS, with a mark", () => {
    const keys = [
      key("ret", "retired", {
        signing_from: iso(T0),
        signing_to: iso(T0 + 10 * D),
        unpublish_after: iso(T0 + 17 * D),
        retired_at: iso(T0 + 20 * D),
      }),
      key("rev", "revoked", { published_at: iso(T0 + 5 * D), revoked_at: iso(T0 + 6 * D) }),
      key("cur", "current", { published_at: iso(T0 + 9 * D), signing_from: iso(T0 + 10 * D) }),
    ];
    const line = buildTimeline(keys, T0 + 21 * D, POLICY);
    const ret = row(line.rows, "ret");
    expect(ret.segments.map((s) => [s.kind, s.from, s.to])).toEqual([
      ["signing", T0, T0 + 10 * D],
      ["overlap", T0 + 10 * D, T0 + 17 * D],
      ["lingering", T0 + 17 * D, T0 + 20 * D],
    ]);
    expect(ret.segments.every((s) => !s.open)).toBe(true);
    expect(ret.marks.map((m) => m.kind)).toEqual(["retired"]);
    const rev = row(line.rows, "rev");
    expect(rev.segments.map((s) => [s.kind, s.from, s.to])).toEqual([["pre-publish", T0 + 5 * D, T0 + 6 * D]]);
    expect(rev.marks.map((m) => m.kind)).toEqual(["revoked"]);
    expect(rev.facts.map((f) => f.label)).toContain("Revoked");
  });

  it("gives a fresh tool at least a day of axis", () => {
    const line = buildTimeline([key("only", "current", { signing_from: iso(T0) })], T0 + 5_000, null);
    expect(line.end - line.start).toBeGreaterThanOrEqual(D);
    expect(line.rows[0]?.segments.map((s) => s.kind)).toEqual(["signing"]);
    expect(line.rows[0]?.marks).toEqual([]);
  });

  it("treats a current key without signing_from as signing since it was published", () => {
    const line = buildTimeline([key("legacy", "current", {})], T0 + D, null);
    expect(line.rows[0]?.segments.map((s) => [s.kind, s.from])).toEqual([["signing", T0]]);
  });

  it("lists a rotation due date, and marks it only when it falls on the axis", () => {
    const keys = [key("cur", "current", { signing_from: iso(T0) })];
    const soon = buildTimeline(keys, T0 + 10 * D, { ...POLICY, rotate_every_secs: 5 * DAY });
    expect(row(soon.rows, "cur").marks.map((m) => [m.kind, m.at])).toEqual([["due", T0 + 5 * D]]);
    const far = buildTimeline(keys, T0 + 10 * D, { ...POLICY, rotate_every_secs: 3650 * DAY });
    expect(row(far.rows, "cur").marks).toEqual([]);
    expect(row(far.rows, "cur").facts.find((f) => f.label === "Rotation due")?.iso).toBe(iso(T0 + 3650 * D));
    expect(far.end).toBeLessThan(T0 + 20 * D);
  });
});

describe("ticks", () => {
  it("picks the finest step that keeps the labels few", () => {
    expect(tickStep(5 * H).unit).toBe("hour");
    expect(tickStep(5 * H).n).toBe(1);
    expect(tickStep(3 * D)).toMatchObject({ unit: "hour", n: 12 });
    expect(tickStep(7 * D)).toMatchObject({ unit: "day", n: 1 });
    expect(tickStep(10 * D)).toMatchObject({ unit: "day", n: 2 });
    expect(tickStep(120 * D)).toMatchObject({ unit: "month", n: 1 });
    expect(tickStep(3 * 365 * D)).toMatchObject({ unit: "month", n: 6 });
  });

  it("puts day ticks on local midnights, inside the span, left to right", () => {
    // The tests run in Asia/Kolkata (UTC+5:30): local midnight is 18:30 UTC.
    const start = Date.parse("2025-05-01T12:00:00Z");
    const end = Date.parse("2025-05-07T12:00:00Z");
    const out = ticks(start, end);
    expect(out.map((t) => t.label)).toEqual(["2 May", "3 May", "4 May", "5 May", "6 May", "7 May"]);
    expect(new Date(out[0]?.at ?? 0).toISOString()).toBe("2025-05-01T18:30:00.000Z");
    for (const tick of out) {
      expect(tick.pos).toBeGreaterThan(0);
      expect(tick.pos).toBeLessThan(100);
      expect(new Date(tick.at).getHours()).toBe(0);
    }
    expect(out.map((t) => t.pos)).toEqual([...out.map((t) => t.pos)].sort((a, b) => a - b));
  });

  it("labels months and hours", () => {
    const months = ticks(Date.parse("2025-01-10T00:00:00Z"), Date.parse("2025-06-20T00:00:00Z"));
    expect(months.map((t) => t.label)).toEqual(["Feb 2025", "Mar 2025", "Apr 2025", "May 2025", "Jun 2025"]);
    // 00:00 UTC is 05:30 in Kolkata: ticks fall on the round local hours after it.
    const hours = ticks(Date.parse("2025-05-01T00:00:00Z"), Date.parse("2025-05-01T05:00:00Z"));
    expect(hours.map((t) => t.label)).toEqual(["06:00", "07:00", "08:00", "09:00", "10:00"]);
    expect(ticks(10, 10)).toEqual([]);
  });
});
