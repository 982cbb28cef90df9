// Durations as the Rust side writes and reads them (`7d`, `36h`, `1d12h`), and the rotation
// policy's limits, so the form can refuse what `set_policy` would refuse.

import type { Policy } from "./ipc/bindings";

export const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;
export const WEEK = 604_800;
export const YEAR = 365 * DAY;

const UNITS: Record<string, number> = { s: 1, m: MINUTE, h: HOUR, d: DAY, w: WEEK };

/**
 * A duration in its largest whole unit, as `ltikeys_core::rotation::human` writes it:
 * `0s`, `7d`, `36h`, `90m`, `45s`.
 */
export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs === 0) {
    return "0s";
  }
  const whole = Math.trunc(secs);
  if (whole % DAY === 0) return `${whole / DAY}d`;
  if (whole % HOUR === 0) return `${whole / HOUR}h`;
  if (whole % MINUTE === 0) return `${whole / MINUTE}m`;
  return `${whole}s`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses a duration such as `24h`, `7d`, `2w`, `90m` or `1d12h` into seconds, with the rules of
 * `ltikeys_core::rotation::parse_duration`: digits then a unit (s, m, h, d, w), repeated; no
 * spaces inside, no bare number. The error names `field` and the fix.
 */
export function parseDuration(field: string, text: string): Parsed<number> {
  const trimmed = text.trim();
  const bad: Parsed<number> = {
    ok: false,
    error: `${field}: '${trimmed}' is not a duration. Fix: use a number with a unit: s, m, h, d or w (e.g. 24h, 7d, 1d12h)`,
  };
  if (trimmed === "") {
    return bad;
  }
  let total = 0;
  let number = "";
  for (const char of trimmed) {
    if (char >= "0" && char <= "9") {
      number += char;
      continue;
    }
    const unit = UNITS[char];
    if (unit === undefined || number === "") {
      return bad;
    }
    total += Number(number) * unit;
    number = "";
  }
  if (number !== "" || !Number.isSafeInteger(total)) {
    return bad;
  }
  return { ok: true, value: total };
}

/** The policy in plain numbers (`Policy`'s i64 fields arrive as JSON numbers). */
export type PolicySecs = {
  pre_publish_secs: number;
  overlap_secs: number;
  rotate_every_secs: number | null;
};

/** Reads a `Policy` as numbers, whatever numeric type its fields came in as. */
export function policySecs(policy: Policy | PolicySecs): PolicySecs {
  return {
    pre_publish_secs: Number(policy.pre_publish_secs),
    overlap_secs: Number(policy.overlap_secs),
    rotate_every_secs: policy.rotate_every_secs === null ? null : Number(policy.rotate_every_secs),
  };
}

/** The policy form's text, one duration per field. */
export type PolicyForm = { prePublish: string; overlap: string; rotateEvery: string };

export type PolicyErrors = Partial<Record<keyof PolicyForm, string>>;

/** The policy as the form shows it: `1d`, `7d`, and `off` when there is no period. */
export function policyForm(policy: PolicySecs): PolicyForm {
  return {
    prePublish: formatDuration(policy.pre_publish_secs),
    overlap: formatDuration(policy.overlap_secs),
    rotateEvery: policy.rotate_every_secs === null ? "off" : formatDuration(policy.rotate_every_secs),
  };
}

/**
 * Checks the form with the limits of `Policy::validated`: pre-publish and overlap between 0 and
 * 365 days, rotate-every between 1 day and 10 years, or `off` (also empty, `never`, `none`).
 */
export function parsePolicyForm(form: PolicyForm): Parsed<PolicySecs> & { errors: PolicyErrors } {
  const errors: PolicyErrors = {};
  const prePublish = parseDuration("Pre-publish", form.prePublish);
  if (!prePublish.ok) {
    errors.prePublish = prePublish.error;
  } else if (prePublish.value > YEAR) {
    errors.prePublish = "Pre-publish: must be between 0 and 365 days. Fix: give a duration such as 24h or 2d";
  }
  const overlap = parseDuration("Overlap", form.overlap);
  if (!overlap.ok) {
    errors.overlap = overlap.error;
  } else if (overlap.value > YEAR) {
    errors.overlap = "Overlap: must be between 0 and 365 days. Fix: give a duration such as 7d";
  }
  let rotateEvery: number | null = null;
  const every = form.rotateEvery.trim();
  if (!["", "off", "never", "none"].includes(every.toLowerCase())) {
    const parsed = parseDuration("Rotate every", every);
    if (!parsed.ok) {
      errors.rotateEvery = `${parsed.error}, or off`;
    } else if (parsed.value < DAY || parsed.value > 10 * YEAR) {
      errors.rotateEvery =
        "Rotate every: must be between 1 day and 10 years. Fix: give a duration such as 90d, or off";
    } else {
      rotateEvery = parsed.value;
    }
  }
  const first = errors.prePublish ?? errors.overlap ?? errors.rotateEvery;
  if (first !== undefined || !prePublish.ok || !overlap.ok) {
    return { ok: false, error: first ?? "Invalid policy", errors };
  }
  return {
    ok: true,
    value: { pre_publish_secs: prePublish.value, overlap_secs: overlap.value, rotate_every_secs: rotateEvery },
    errors,
  };
}
