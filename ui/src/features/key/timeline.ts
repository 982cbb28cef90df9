// The rotation timeline's geometry: each key's life as bars on one time axis, with a "now" line.
// Pure: keys and the clock in, positions (percent of the axis width) and labels out.

import { DAY, HOUR, type PolicySecs } from "../../lib/duration";
import type { KeyInfo, KeyStatus } from "../../lib/ipc/bindings";

/**
 * - `pre-publish`: in the JWKS, not signing yet (a next key, or the lead before it signed);
 * - `signing`: the key signs launches and token requests;
 * - `overlap`: no longer signs, still published so tokens it signed keep verifying;
 * - `lingering`: the overlap window is over and the key is still published (retire it).
 */
export type SegmentKind = "pre-publish" | "signing" | "overlap" | "lingering";

/** Points in time on a key's row. */
export type MarkKind = "ready" | "unpublish" | "retired" | "revoked" | "due";

export type TimelineSegment = {
  kind: SegmentKind;
  from: number;
  /** The end; for an open segment, the right edge of the axis. */
  to: number;
  /** Still running: it goes on past the right edge. */
  open: boolean;
  /** Left edge and width, in percent of the axis. */
  left: number;
  width: number;
};

export type TimelineMark = { kind: MarkKind; at: number; pos: number; label: string };

/** A date shown as text next to the bars. */
export type TimelineFact = { label: string; iso: string };

export type TimelineRow = {
  kid: string;
  status: KeyStatus;
  segments: TimelineSegment[];
  marks: TimelineMark[];
  facts: TimelineFact[];
};

export type TimelineTick = { at: number; pos: number; label: string };

export type Timeline = {
  /** The axis' ends (epoch milliseconds). */
  start: number;
  end: number;
  /** Where "now" is, in percent. */
  now: number;
  ticks: TimelineTick[];
  rows: TimelineRow[];
};

const MS = 1000;
/** The axis spans at least this long, so a fresh tool's keys do not fill it in a few seconds. */
const MIN_SPAN_MS = DAY * MS;
/** Room before the first event and after the last, in parts of the span. */
const PAD_BEFORE = 0.02;
const PAD_AFTER = 0.08;
const MAX_TICKS = 7;

const MARK_LABELS: Record<MarkKind, string> = {
  ready: "Ready to sign",
  unpublish: "Unpublish after",
  retired: "Retired",
  revoked: "Revoked",
  due: "Rotation due",
};

const STATUS_ORDER: Record<KeyStatus, number> = { retired: 0, revoked: 1, previous: 2, current: 3, next: 4 };

function time(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined || iso === "") {
    return null;
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One key's life as plain times (epoch ms); `null` where it has not happened. */
type Life = {
  key: KeyInfo;
  published: number;
  signingFrom: number | null;
  signingTo: number | null;
  unpublishAfter: number | null;
  ended: number | null;
  ready: number | null;
  due: number | null;
};

function life(key: KeyInfo, policy: PolicySecs | null): Life {
  const published = time(key.published_at) ?? time(key.created_at) ?? 0;
  const ended = time(key.retired_at) ?? time(key.revoked_at);
  let signingFrom = time(key.signing_from);
  if (signingFrom === null && key.status === "current") {
    signingFrom = published;
  }
  const signingTo = time(key.signing_to);
  const ready =
    key.status === "next" && policy !== null ? published + policy.pre_publish_secs * MS : null;
  const due =
    key.status === "current" && policy !== null && policy.rotate_every_secs !== null
      ? (signingFrom ?? published) + policy.rotate_every_secs * MS
      : null;
  return { key, published, signingFrom, signingTo, unpublishAfter: time(key.unpublish_after), ended, ready, due };
}

/** Raw segments of a key, before they are placed on the axis (`null` end: still running). */
function rawSegments(l: Life, now: number): Array<{ kind: SegmentKind; from: number; to: number | null }> {
  const out: Array<{ kind: SegmentKind; from: number; to: number | null }> = [];
  const firstEnd = l.signingFrom ?? l.ended;
  out.push({ kind: "pre-publish", from: l.published, to: firstEnd });
  if (l.signingFrom !== null) {
    out.push({ kind: "signing", from: l.signingFrom, to: l.signingTo ?? l.ended });
  }
  if (l.signingTo !== null && l.key.status !== "current") {
    const planned = l.unpublishAfter;
    if (l.ended !== null) {
      out.push({ kind: "overlap", from: l.signingTo, to: planned === null ? l.ended : Math.min(planned, l.ended) });
      if (planned !== null && planned < l.ended) {
        out.push({ kind: "lingering", from: planned, to: l.ended });
      }
    } else if (planned !== null) {
      out.push({ kind: "overlap", from: l.signingTo, to: planned });
      if (planned <= now) {
        out.push({ kind: "lingering", from: planned, to: null });
      }
    } else {
      out.push({ kind: "overlap", from: l.signingTo, to: null });
    }
  }
  return out.filter((s) => s.to === null || s.to > s.from);
}

function rawMarks(l: Life): Array<{ kind: MarkKind; at: number }> {
  const marks: Array<{ kind: MarkKind; at: number }> = [];
  if (l.ready !== null) marks.push({ kind: "ready", at: l.ready });
  if (l.unpublishAfter !== null && l.key.status === "previous") marks.push({ kind: "unpublish", at: l.unpublishAfter });
  const retired = time(l.key.retired_at);
  if (retired !== null) marks.push({ kind: "retired", at: retired });
  const revoked = time(l.key.revoked_at);
  if (revoked !== null) marks.push({ kind: "revoked", at: revoked });
  if (l.due !== null) marks.push({ kind: "due", at: l.due });
  return marks;
}

function facts(l: Life): TimelineFact[] {
  const out: TimelineFact[] = [{ label: "Published", iso: iso(l.published) }];
  if (l.ready !== null) out.push({ label: "Ready to sign", iso: iso(l.ready) });
  if (l.signingFrom !== null) out.push({ label: "Signing from", iso: iso(l.signingFrom) });
  if (l.signingTo !== null) out.push({ label: "Signing to", iso: iso(l.signingTo) });
  if (l.unpublishAfter !== null) out.push({ label: "Unpublish after", iso: iso(l.unpublishAfter) });
  if (l.due !== null) out.push({ label: "Rotation due", iso: iso(l.due) });
  const retired = time(l.key.retired_at);
  if (retired !== null) out.push({ label: "Retired", iso: iso(retired) });
  const revoked = time(l.key.revoked_at);
  if (revoked !== null) out.push({ label: "Revoked", iso: iso(revoked) });
  return out;
}

/**
 * Lays the keys out on one axis. The axis covers every date the keys have (publication,
 * signing, overlap end, retirement, the next key's ready time) and `now`, at least a day, with a
 * little room on both sides; a "rotation due" date later than that is listed as text only.
 * Rows go oldest first.
 */
export function buildTimeline(keys: readonly KeyInfo[], now: number, policy: PolicySecs | null): Timeline {
  const lives = [...keys]
    .map((key) => life(key, policy))
    .sort(
      (a, b) =>
        a.published - b.published ||
        STATUS_ORDER[a.key.status] - STATUS_ORDER[b.key.status] ||
        a.key.kid.localeCompare(b.key.kid),
    );

  const times = [now];
  for (const l of lives) {
    for (const s of rawSegments(l, now)) {
      times.push(s.from);
      if (s.to !== null) times.push(s.to);
    }
    for (const m of rawMarks(l)) {
      if (m.kind !== "due") times.push(m.at);
    }
  }
  let first = Math.min(...times);
  let last = Math.max(...times);
  if (last - first < MIN_SPAN_MS) {
    last = first + MIN_SPAN_MS;
  }
  const span = last - first;
  first -= span * PAD_BEFORE;
  last += span * PAD_AFTER;

  const pos = (t: number): number => {
    const p = ((t - first) / (last - first)) * 100;
    return Math.min(100, Math.max(0, p));
  };

  const rows = lives.map((l): TimelineRow => {
    const segments = rawSegments(l, now).map((s): TimelineSegment => {
      const to = s.to ?? last;
      const left = pos(s.from);
      return { kind: s.kind, from: s.from, to, open: s.to === null, left, width: Math.max(0, pos(to) - left) };
    });
    const marks = rawMarks(l)
      .filter((m) => m.at >= first && m.at <= last)
      .map((m): TimelineMark => ({ kind: m.kind, at: m.at, pos: pos(m.at), label: MARK_LABELS[m.kind] }));
    return { kid: l.key.kid, status: l.key.status, segments, marks, facts: facts(l) };
  });

  return { start: first, end: last, now: pos(now), ticks: ticks(first, last, MAX_TICKS), rows };
}

// Axis ticks, on round local times.

type Step = { unit: "hour" | "day" | "month" | "year"; n: number; approx: number };

const STEPS: Step[] = [
  { unit: "hour", n: 1, approx: HOUR * MS },
  { unit: "hour", n: 3, approx: 3 * HOUR * MS },
  { unit: "hour", n: 6, approx: 6 * HOUR * MS },
  { unit: "hour", n: 12, approx: 12 * HOUR * MS },
  { unit: "day", n: 1, approx: DAY * MS },
  { unit: "day", n: 2, approx: 2 * DAY * MS },
  { unit: "day", n: 7, approx: 7 * DAY * MS },
  { unit: "day", n: 14, approx: 14 * DAY * MS },
  { unit: "month", n: 1, approx: 30.4 * DAY * MS },
  { unit: "month", n: 3, approx: 91 * DAY * MS },
  { unit: "month", n: 6, approx: 182 * DAY * MS },
  { unit: "year", n: 1, approx: 365 * DAY * MS },
  { unit: "year", n: 2, approx: 730 * DAY * MS },
  { unit: "year", n: 5, approx: 1826 * DAY * MS },
  { unit: "year", n: 10, approx: 3652 * DAY * MS },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The tick step: the finest that keeps at most `max` ticks on the span. */
export function tickStep(spanMs: number, max: number = MAX_TICKS): Step {
  return STEPS.find((step) => spanMs / step.approx <= max) ?? (STEPS[STEPS.length - 1] as Step);
}

function tickLabel(date: Date, unit: Step["unit"]): string {
  const day = `${date.getDate()} ${MONTHS[date.getMonth()]}`;
  switch (unit) {
    case "hour":
      return date.getHours() === 0
        ? day
        : `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
    case "day":
      return day;
    case "month":
      return `${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
    case "year":
      return String(date.getFullYear());
  }
}

/** Ticks on round local times (hours, midnights, firsts of months, new years) inside [start, end]. */
export function ticks(start: number, end: number, max: number = MAX_TICKS): TimelineTick[] {
  if (!(end > start)) {
    return [];
  }
  const step = tickStep(end - start, max);
  const at = new Date(start);
  at.setMinutes(0, 0, 0);
  switch (step.unit) {
    case "hour":
      at.setHours(Math.floor(at.getHours() / step.n) * step.n);
      break;
    case "day":
      at.setHours(0);
      break;
    case "month":
      at.setHours(0);
      at.setDate(1);
      at.setMonth(Math.floor(at.getMonth() / step.n) * step.n);
      break;
    case "year":
      at.setHours(0);
      at.setDate(1);
      at.setMonth(0);
      at.setFullYear(Math.floor(at.getFullYear() / step.n) * step.n);
      break;
  }
  const out: TimelineTick[] = [];
  for (let i = 0; i < 100 && at.getTime() <= end; i += 1) {
    const t = at.getTime();
    if (t >= start) {
      out.push({ at: t, pos: ((t - start) / (end - start)) * 100, label: tickLabel(at, step.unit) });
    }
    switch (step.unit) {
      case "hour":
        at.setHours(at.getHours() + step.n);
        break;
      case "day":
        at.setDate(at.getDate() + step.n);
        break;
      case "month":
        at.setMonth(at.getMonth() + step.n);
        break;
      case "year":
        at.setFullYear(at.getFullYear() + step.n);
        break;
    }
  }
  return out;
}
