// Sample data and a fake backend for the rotation panel and the checks page tests.


import type {
  JwksCheck,
  KeyInfo,
  PlatformCheck,
  RotationOutcome,
  RotationState,
} from "../lib/ipc/bindings";
import { SAMPLE_KEYS } from "./fixtures";

/** The policy as it arrives from the backend (JSON numbers; the generated type says bigint). */
export const POLICY_WIRE = {
  pre_publish_secs: 86_400,
  overlap_secs: 604_800,
  rotate_every_secs: null,
} as unknown as RotationState["policy"];

export const SAMPLE_STATE: RotationState = {
  policy: POLICY_WIRE,
  due_since: null,
  retire_ready: [],
  plan: {
    promote: "next-b",
    demote: "cur",
    unpublish_after: "2025-05-08T10:00:00Z",
    lead_time_skipped: false,
    safe_from: null,
    warnings: [],
  },
};

export const SAMPLE_OUTCOME: RotationOutcome = {
  current: "next-b",
  previous: "cur",
  unpublish_after: "2025-05-08T10:00:00Z",
  generated: null,
  lead_time_skipped: false,
  warnings: [],
  reminders: [
    { kind: "publish_jwks", tool: "Quiz Builder", jwks_url: null },
    { kind: "paste_jwk", tool: "Quiz Builder", kid: "next-b" },
  ],
};

/** A check with two problems (a warning listed before an error, to test the order). */
export const SAMPLE_CHECK: JwksCheck = {
  url: "https://quiz.example.com/.well-known/jwks.json",
  role: "tool",
  checked_at: "2025-05-01T09:57:00Z",
  status: 200,
  final_url: "https://quiz.example.com/.well-known/jwks.json",
  redirects: [],
  content_type: "application/jwk-set+json",
  cache_control: "public, max-age=3600",
  max_age: 3600,
  latency_ms: 84,
  bytes: 1240,
  keys: [{ kid: "cur", kty: "RSA", alg: "RS256", use: "sig", bits: 2048 }],
  findings: [
    {
      code: "long-cache",
      severity: "warning",
      message: "Cache-Control lets consumers keep this JWKS for 48 hours.",
      fix: "send a max-age of an hour or less",
    },
    {
      code: "unexpected-kid",
      severity: "info",
      message: "kid 'x' is published but is not a key of this tool.",
      fix: "remove it",
    },
    {
      code: "kid-not-published",
      severity: "error",
      message: "kid 'next-b' (next) is not in the JWKS.",
      fix: "publish the tool's JWKS at this URL, then check again",
    },
  ],
};

export const SAMPLE_PLATFORM_CHECKS: PlatformCheck[] = [
  { platform: "Acme Canvas", url: "https://canvas.acme.edu/api/lti/security/jwks", check: { ...SAMPLE_CHECK, role: "platform", url: "https://canvas.acme.edu/api/lti/security/jwks", findings: [] }, skipped: null },
  { platform: "Blackboard", url: "https://developer.blackboard.com/api/v1/management/applications/{client_id}/jwks.json", check: null, skipped: "its JWKS URL has a placeholder; add a registration" },
];

/** Keys after `next-b` was promoted: `cur` is previous until a week later. */
export function rotatedKeys(): KeyInfo[] {
  return SAMPLE_KEYS.map((key) => {
    if (key.kid === "cur") {
      return {
        ...key,
        status: "previous",
        signing_from: "2025-01-01T00:00:00Z",
        signing_to: "2025-05-01T10:00:00Z",
        unpublish_after: "2025-05-08T10:00:00Z",
      };
    }
    if (key.kid === "next-b") {
      return { ...key, status: "current", signing_from: "2025-05-01T10:00:00Z" };
    }
    return key;
  });
}

/** Fakes of every rotation and check call, each a `vi.fn` a test can re-program. */
