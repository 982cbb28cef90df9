// The rotation panel's plain logic: what rotate will do in words, which actions a key offers,
// whether a rotation's reminder still holds for the keys as they are now, and where focus goes
// after an action takes a key's buttons away.

import { formatDuration, policySecs } from "../../lib/duration";
import { formatDateTime } from "../../lib/format";
import type { IpcError, KeyInfo, KeyStatus, Remedy, RotationOutcome, RotationState } from "../../lib/ipc/bindings";

/** The lines of "what rotate will do". */
export function planLines(state: RotationState, keys: readonly KeyInfo[]): string[] {
  const plan = state.plan;
  if (plan === null) {
    return ["Nothing to rotate yet: generate the tool's first key; it signs at once."];
  }
  const policy = policySecs(state.policy);
  const lines: string[] = [];
  if (plan.promote !== null) {
    lines.push(`Promote ${plan.promote} to current: it signs every launch and token request from now on.`);
  } else {
    const bits = keys.find((key) => key.kid === plan.demote)?.bits ?? 2048;
    lines.push(`Generate a new ${bits}-bit key and sign with it at once (no next key is waiting).`);
  }
  if (plan.demote !== null) {
    lines.push(
      `Demote ${plan.demote} to previous: it stays in the JWKS until ${formatDateTime(plan.unpublish_after)} ` +
        `(overlap ${formatDuration(policy.overlap_secs)}), then it can be retired.`,
    );
  }
  return lines;
}

/** What the rotate confirmation says will happen. */
export function confirmText(state: RotationState, hasJwksUrl: boolean): string {
  const plan = state.plan;
  return (
    `${plan?.promote ?? "A new key"} signs from now on and ${plan?.demote ?? "the current key"} stops signing. ` +
    "Publish the new JWKS right after" +
    (hasJwksUrl ? "." : ", and update the public JWK in the platforms' developer keys.")
  );
}

/** The actions a key's timeline row offers: retire (previous keys) and revoke (keys in use). */
export function actionsOf(status: KeyStatus): { retire: boolean; revoke: boolean } {
  return { retire: status === "previous", revoke: status === "next" || status === "current" || status === "previous" };
}

function statusOf(keys: readonly KeyInfo[], kid: string | null): KeyStatus | null {
  return kid === null ? null : (keys.find((key) => key.kid === kid)?.status ?? null);
}

/**
 * The reminder of a rotation as far as it still holds: none once the key it made current no
 * longer signs (revoked, or rotated out), or once the key it demoted has been retired, revoked
 * or deleted (the rotation is over, or what it asked to deploy has changed).
 */
export function liveReminder(outcome: RotationOutcome | null, keys: readonly KeyInfo[] | null): RotationOutcome | null {
  if (outcome === null || keys === null) return null;
  if (statusOf(keys, outcome.current) !== "current") return null;
  if (outcome.previous !== null && statusOf(keys, outcome.previous) !== "previous") return null;
  return outcome;
}

/** A step of what to deploy after a rotation, in words. */
export function reminderText(remedy: Remedy): string | null {
  switch (remedy.kind) {
    case "publish_jwks":
      return remedy.jwks_url !== null ? `Publish the new JWKS at ${remedy.jwks_url} now.` : "Publish the new JWKS.";
    case "check_jwks":
      return `Then check that ${remedy.url} publishes it.`;
    case "paste_jwk":
      return (
        "This tool has no JWKS URL, so platforms hold a pasted public key: update the Canvas developer key's " +
        `public JWK to kid ${remedy.kid}, or tokens signed from now on fail with "JWS signature invalid".`
      );
    default:
      return null;
  }
}

/**
 * The row whose first action takes the focus after an action on `kid`: the next row (in the
 * timeline's order) that still offers an action, else the nearest one before it; `null` when no
 * key offers any (focus the panel's heading).
 */
export function focusRowAfter(order: readonly string[], kid: string, keys: readonly KeyInfo[]): string | null {
  const offers = (k: string): boolean => {
    const status = statusOf(keys, k);
    if (status === null) return false;
    const actions = actionsOf(status);
    return actions.retire || actions.revoke;
  };
  const at = order.indexOf(kid);
  const after = order.slice(at + 1).find(offers);
  if (after !== undefined) return after;
  const before = order.slice(0, Math.max(at, 0)).reverse().find(offers);
  if (before !== undefined) return before;
  return offers(kid) ? kid : null;
}

/** A retire refused because of the overlap window: the one refusal "Retire anyway" overrides. */
export function isOverlapRefusal(error: Pick<IpcError, "kind">): boolean {
  return error.kind === "retire_too_early";
}

/** The confirmation open under a key's timeline row. */
export type KeyAction =
  | { kind: "retire-refused"; kid: string; message: string }
  | { kind: "retire-force"; kid: string }
  | { kind: "revoke"; kid: string };
