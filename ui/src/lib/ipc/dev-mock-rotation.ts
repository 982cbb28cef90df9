// Development only: the rotation and JWKS-check commands of the mocked backend (see dev-mock.ts).

import type { Channel } from "@tauri-apps/api/core";

import type { CheckProgress, Finding, IpcError, JwksCheck, KeyInfo, PlatformCheck, Remedy, RotationOutcome, RotationState, Tool } from "./bindings";

type Policy = { pre_publish_secs: number; overlap_secs: number; rotate_every_secs: number | null };

const DEFAULT_POLICY: Policy = { pre_publish_secs: 86_400, overlap_secs: 604_800, rotate_every_secs: null };
const policies = new Map<string, Policy>();
const checks = new Map<string, JwksCheck>();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number): string => new Date(ms).toISOString();
const invalid = (message: string): IpcError => ({ kind: "invalid", message, field: null, remedies: [] });

function policyOf(toolId: string): Policy {
  return policies.get(toolId) ?? DEFAULT_POLICY;
}

function own(keys: KeyInfo[], toolId: string): KeyInfo[] {
  return keys.filter((key) => key.tool_id === toolId);
}

function plan(keys: KeyInfo[], toolId: string, now: number): RotationState["plan"] {
  const mine = own(keys, toolId);
  const current = mine.find((key) => key.status === "current");
  if (current === undefined) return null;
  const policy = policyOf(toolId);
  const next = mine.filter((key) => key.status === "next").sort((a, b) => a.published_at.localeCompare(b.published_at))[0];
  const safe = next === undefined ? now + policy.pre_publish_secs * 1000 : Date.parse(next.published_at) + policy.pre_publish_secs * 1000;
  const skipped = safe > now;
  return {
    promote: next?.kid ?? null,
    demote: current.kid,
    unpublish_after: iso(now + policy.overlap_secs * 1000),
    lead_time_skipped: skipped,
    safe_from: skipped ? iso(safe) : null,
    warnings: skipped
      ? [
          next === undefined
            ? "no next key was published: a new key is generated and signs at once, skipping the pre-publish lead time. Publish the new JWKS right away"
            : `next key ${next.kid} has been published only since ${next.published_at}; the pre-publish lead time ends at ${iso(safe)}`,
        ]
      : [],
  };
}

function sampleCheck(url: string, role: JwksCheck["role"], keys: KeyInfo[], expectTool: string | null): JwksCheck {
  const findings: Finding[] = [];
  if (url.includes("jwk-set")) {
    findings.push({
      code: "content-type",
      severity: role === "tool" ? "error" : "warning",
      message: "the Content-Type is `application/jwk-set+json`, not `application/json`.",
      fix: "serve the JWKS with `Content-Type: application/json`",
    });
  }
  if (expectTool !== null) {
    for (const key of own(keys, expectTool).filter((k) => k.status === "next")) {
      findings.push({
        code: "kid-not-published",
        severity: "error",
        message: `kid '${key.kid}' (next) is not in the JWKS at ${url}: the next key is not pre-published.`,
        fix: "publish the tool's JWKS at this URL, then check again",
      });
    }
  }
  findings.push({
    code: "long-cache",
    severity: "warning",
    message: "Cache-Control lets consumers keep this JWKS for 48 hours (max-age=172800).",
    fix: "send a max-age of an hour or less",
  });
  return {
    url,
    role,
    checked_at: new Date().toISOString(),
    status: 200,
    final_url: url,
    redirects: [],
    content_type: url.includes("jwk-set") ? "application/jwk-set+json" : "application/json",
    cache_control: "public, max-age=172800",
    max_age: 172_800,
    latency_ms: 184,
    bytes: 1_412,
    keys: [{ kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", kty: "RSA", alg: "RS256", use: "sig", bits: 2048 }],
    findings,
  };
}

/**
 * Answers a rotation or check command, or returns `undefined` when `command` is not one.
 * `keys` is the mock's key list (changed in place); `find` looks a tool up by id or name.
 */
export async function rotationMock(
  command: string,
  args: Record<string, unknown>,
  keys: KeyInfo[],
  find: (tool: string) => Tool,
): Promise<unknown> {
  const now = Date.now();
  switch (command) {
    case "rotation_state": {
      const tool = find(String(args.tool));
      const policy = policyOf(tool.id);
      const mine = own(keys, tool.id);
      const current = mine.find((key) => key.status === "current");
      const dueAt =
        current !== undefined && policy.rotate_every_secs !== null
          ? Date.parse(current.signing_from ?? current.created_at) + policy.rotate_every_secs * 1000
          : null;
      return {
        policy: policy as unknown as RotationState["policy"],
        due_since: dueAt !== null && dueAt <= now ? iso(dueAt) : null,
        retire_ready: mine
          .filter((key) => key.status === "previous" && (key.unpublish_after === null || Date.parse(key.unpublish_after) <= now))
          .map((key) => key.kid),
        plan: plan(keys, tool.id, now),
      } satisfies RotationState;
    }
    case "rotate_keys": {
      const tool = find(String(args.tool));
      const before = plan(keys, tool.id, now);
      if (before === null) throw invalid("tool: it has no current key to rotate from. Fix: generate its first key");
      await sleep(600);
      let promote = before.promote;
      if (promote === null) {
        promote = crypto.randomUUID();
        keys.push({ ...(own(keys, tool.id).find((k) => k.status === "current") as KeyInfo), kid: promote, status: "next", published_at: iso(now), created_at: iso(now) });
      }
      for (const key of own(keys, tool.id)) {
        if (key.kid === before.demote) Object.assign(key, { status: "previous", signing_to: iso(now), unpublish_after: before.unpublish_after });
        if (key.kid === promote) Object.assign(key, { status: "current", signing_from: iso(now) });
      }
      const reminders: Remedy[] = [
        { kind: "publish_jwks", tool: tool.name, jwks_url: tool.jwks_url },
        tool.jwks_url !== null
          ? { kind: "check_jwks", url: tool.jwks_url, tool: tool.name }
          : { kind: "paste_jwk", tool: tool.name, kid: promote },
      ];
      return {
        current: promote,
        previous: before.demote,
        unpublish_after: before.unpublish_after,
        generated: before.promote === null ? promote : null,
        lead_time_skipped: before.lead_time_skipped,
        warnings: before.warnings,
        reminders,
      } satisfies RotationOutcome;
    }
    case "retire_key": {
      const tool = find(String(args.tool));
      const key = own(keys, tool.id).find((k) => k.kid === args.kid);
      if (key === undefined || key.status !== "previous") throw invalid(`kid: key ${String(args.kid)} is not a previous key. Fix: rotate first`);
      if (key.unpublish_after !== null && Date.parse(key.unpublish_after) > now && args.force !== true) {
        throw {
          kind: "retire_too_early",
          message: `key ${key.kid} is inside its overlap window until ${key.unpublish_after}: platforms may still verify tokens signed with it. Fix: wait until ${key.unpublish_after}, or retire it anyway`,
          field: null,
          remedies: [],
        };
      }
      Object.assign(key, { status: "retired", retired_at: iso(now), published: false });
      return key;
    }
    case "revoke_key": {
      const tool = find(String(args.tool));
      const key = own(keys, tool.id).find((k) => k.kid === args.kid);
      if (key === undefined || key.status === "revoked") throw invalid(`kid: key ${String(args.kid)} is already revoked. Fix: nothing to do`);
      const wasCurrent = key.status === "current";
      Object.assign(key, { status: "revoked", revoked_at: iso(now), published: false, private_key: "missing" });
      if (!wasCurrent) return null;
      key.signing_to = iso(now);
      const next = own(keys, tool.id).find((k) => k.status === "next");
      if (next === undefined) return null;
      Object.assign(next, { status: "current", signing_from: iso(now) });
      return next.kid;
    }
    case "set_policy": {
      const tool = find(String(args.tool));
      const policy = args.policy as Policy;
      if (policy.overlap_secs > 365 * 86_400) throw invalid("overlap: must be between 0 and 365 days. Fix: give a duration such as 7d");
      policies.set(tool.id, policy);
      return policy;
    }
    case "check_jwks": {
      await sleep(900);
      const expect = args.expectTool === null || args.expectTool === undefined ? null : String(args.expectTool);
      const role = args.role === "tool" || expect !== null ? "tool" : "platform";
      const check = sampleCheck(String(args.url), role, keys, expect);
      checks.delete(check.url);
      checks.set(check.url, check);
      return check;
    }
    case "last_checks":
      return [...checks.values()].reverse();
    case "check_platforms": {
      const channel = args.onProgress as Channel<CheckProgress>;
      const urls = [
        ["Acme Canvas", "https://sso.canvaslms.com/api/lti/security/jwks"],
        ["State Moodle", "https://moodle.state.edu/mod/lti/certs.php"],
        ["Brightspace", "https://auth.brightspace.com/core/.well-known/jwks"],
      ] as const;
      const out: PlatformCheck[] = [];
      for (const [index, [platform, url]] of urls.entries()) {
        await sleep(500);
        const check = sampleCheck(url, "platform", keys, null);
        checks.set(url, check);
        out.push({ platform, url, check, skipped: null });
        channel.onmessage({ done: index + 1, total: urls.length + 1 });
      }
      out.push({
        platform: "Blackboard Learn",
        url: "https://developer.blackboard.com/api/v1/management/applications/{client_id}/jwks.json",
        check: null,
        skipped: "its JWKS URL has a placeholder; add a registration or set the URL",
      });
      channel.onmessage({ done: urls.length + 1, total: urls.length + 1 });
      return out;
    }
    default:
      return undefined;
  }
}
