// JWKS check results for display: findings in order, counts, ages, sizes.

import { formatDuration } from "./duration";
import { countSeverities, type SeverityCounts } from "./findings";
import type { Finding, JwksCheck, PlatformCheck, Severity } from "./ipc/bindings";

export { sortFindings } from "./findings";

/** Counts of findings by severity. */
export function countFindings(findings: readonly Finding[]): SeverityCounts {
  return countSeverities(findings);
}

/** The worst severity present, or null for a clean result. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  const counts = countFindings(findings);
  if (counts.error > 0) return "error";
  if (counts.warning > 0) return "warning";
  if (counts.info > 0) return "info";
  return null;
}

/** The verdict of a check: "fail" with an error or no answer, "warn" with a warning, else "pass". */
export function checkVerdict(check: JwksCheck): "pass" | "warn" | "fail" {
  const worst = worstSeverity(check.findings);
  if (check.status === null || worst === "error") return "fail";
  return worst === "warning" ? "warn" : "pass";
}

/**
 * How long ago something happened, from milliseconds elapsed: "just now", "42 s ago",
 * "3 min ago", "5 h ago", "2 d ago"; a time in the future (a clock skew) is "just now".
 */
export function formatAge(elapsedMs: number): string {
  const seconds = Number.isFinite(elapsedMs) ? Math.floor(elapsedMs / 1000) : 0;
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 365) return `${days} d ago`;
  const years = Math.floor(days / 365);
  return `${years} y ago`;
}

/** The age of an ISO timestamp at `now` ("checked 3 min ago" without the verb). */
export function ageOf(iso: string, now: number): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : formatAge(now - at);
}

/** A body size: "532 B", "1.2 KB", "3.4 MB" (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    return `${Math.max(0, Math.trunc(bytes || 0))} B`;
  }
  const kb = bytes / 1024;
  if (kb < 1024) return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
  const mb = kb / 1024;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** Latency: "84 ms", "1.3 s"; "—" when no answer came. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The Cache-Control header with its max-age spelled out: "public, max-age=3600 (1h)". */
export function formatCache(check: Pick<JwksCheck, "cache_control" | "max_age">): string {
  if (check.cache_control === null || check.cache_control.trim() === "") {
    return "Not sent";
  }
  return check.max_age === null
    ? check.cache_control
    : `${check.cache_control} (${formatDuration(Number(check.max_age))})`;
}

/** The HTTP status line: "200", or "No answer" when none arrived. */
export function formatStatus(status: number | null): string {
  return status === null ? "No answer" : String(status);
}

/** A short summary of one platform's check for the summary table. */
export type PlatformRow = {
  platform: string;
  url: string;
  status: string;
  verdict: "pass" | "warn" | "fail" | "skipped";
  keys: number | null;
  errors: number | null;
  warnings: number | null;
  skipped: string | null;
};

export function platformRows(checks: readonly PlatformCheck[]): PlatformRow[] {
  return checks.map((item) => {
    if (item.check === null) {
      return {
        platform: item.platform,
        url: item.url,
        status: "Skipped",
        verdict: "skipped",
        keys: null,
        errors: null,
        warnings: null,
        skipped: item.skipped ?? "Not checked.",
      };
    }
    const counts = countFindings(item.check.findings);
    return {
      platform: item.platform,
      url: item.check.url,
      status: formatStatus(item.check.status),
      verdict: checkVerdict(item.check),
      keys: item.check.keys.length,
      errors: counts.error,
      warnings: counts.warning,
      skipped: item.skipped,
    };
  });
}
