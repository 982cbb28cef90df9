// Lint and check findings for display: order, counts, JSON paths in words, and where a path's
// value sits in the JSON text (so a click on a finding can select it).

import type { Finding, Severity } from "./ipc/bindings";

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; the order within a severity is kept. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.index - b.index)
    .map(({ finding }) => finding);
}

export type SeverityCounts = Record<Severity, number>;

export function countSeverities(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) {
    counts[finding.severity] += 1;
  }
  return counts;
}

/** "2 errors, 1 warning", "1 note", or "No findings". */
export function summarizeFindings(findings: readonly Finding[]): string {
  const counts = countSeverities(findings);
  const parts: string[] = [];
  if (counts.error > 0) parts.push(`${counts.error} ${counts.error === 1 ? "error" : "errors"}`);
  if (counts.warning > 0) parts.push(`${counts.warning} ${counts.warning === 1 ? "warning" : "warnings"}`);
  if (counts.info > 0) parts.push(`${counts.info} ${counts.info === 1 ? "note" : "notes"}`);
  return parts.length === 0 ? "No findings" : parts.join(", ");
}

/** The label of a severity badge. */
export function severityLabel(severity: Severity): string {
  switch (severity) {
    case "error":
      return "Error";
    case "warning":
      return "Warning";
    case "info":
      return "Info";
  }
}

export type PathSegment = string | number;

/**
 * Parses a finding path such as `$.extensions[0].settings["odd key"]` into its segments
 * (`["extensions", 0, "settings", "odd key"]`); null when it is not such a path.
 */
export function parseJsonPath(path: string): PathSegment[] | null {
  if (!path.startsWith("$")) {
    return null;
  }
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === ".") {
      const match = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(path.slice(i + 1));
      if (match === null) return null;
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (char === "[") {
      const rest = path.slice(i + 1);
      const index = /^(\d+)\]/.exec(rest);
      if (index !== null) {
        segments.push(Number(index[1]));
        i += 1 + index[0].length;
        continue;
      }
      const quoted = /^("(?:[^"\\]|\\.)*")\]/.exec(rest);
      if (quoted === null) return null;
      try {
        segments.push(JSON.parse(quoted[1] ?? '""') as string);
      } catch {
        return null;
      }
      i += 1 + quoted[0].length;
    } else {
      return null;
    }
  }
  return segments;
}

/** A path for people: `$` becomes "whole document", otherwise the path without its `$.`. */
export function displayPath(path: string | undefined): string {
  if (path === undefined || path === "" || path === "$") {
    return "whole document";
  }
  return path.startsWith("$.") ? path.slice(2) : path.startsWith("$") ? path.slice(1) : path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Which placement a path is about, read from the document: "course_navigation" for
 * `$.extensions[0].settings.placements[0].message_type` when that entry names it; else null.
 */
export function placementOfPath(path: string | undefined, doc: unknown): string | null {
  const segments = path === undefined ? null : parseJsonPath(path);
  if (segments === null) return null;
  const at = segments.indexOf("placements");
  const index = segments[at + 1];
  if (at < 0 || typeof index !== "number") return null;
  let node: unknown = doc;
  for (const segment of segments.slice(0, at + 2)) {
    if (typeof segment === "number") {
      node = Array.isArray(node) ? node[segment] : undefined;
    } else {
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return isRecord(node) && typeof node.placement === "string" ? node.placement : null;
}

/** A character range in a text. */
export type TextRange = { start: number; end: number };

type Located = { range: TextRange; children: Map<PathSegment, Located> };

/** A small JSON reader that keeps where each value starts and ends; null on invalid JSON. */
function scanJson(text: string): Located | null {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i += 1;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i += 1;
    while (i < text.length && text[i] !== '"') {
      i += text[i] === "\\" ? 2 : 1;
    }
    if (i >= text.length) return false;
    i += 1;
    return true;
  };
  const value = (): Located | null => {
    ws();
    const start = i;
    const children = new Map<PathSegment, Located>();
    const char = text[i];
    if (char === "{") {
      i += 1;
      ws();
      if (text[i] === "}") {
        i += 1;
        return { range: { start, end: i }, children };
      }
      for (;;) {
        ws();
        const keyStart = i;
        if (!string()) return null;
        let key: string;
        try {
          key = JSON.parse(text.slice(keyStart, i)) as string;
        } catch {
          return null;
        }
        ws();
        if (text[i] !== ":") return null;
        i += 1;
        const child = value();
        if (child === null) return null;
        if (!children.has(key)) children.set(key, child);
        ws();
        if (text[i] === ",") {
          i += 1;
        } else if (text[i] === "}") {
          i += 1;
          return { range: { start, end: i }, children };
        } else {
          return null;
        }
      }
    }
    if (char === "[") {
      i += 1;
      ws();
      if (text[i] === "]") {
        i += 1;
        return { range: { start, end: i }, children };
      }
      for (let index = 0; ; index += 1) {
        const child = value();
        if (child === null) return null;
        children.set(index, child);
        ws();
        if (text[i] === ",") {
          i += 1;
        } else if (text[i] === "]") {
          i += 1;
          return { range: { start, end: i }, children };
        } else {
          return null;
        }
      }
    }
    if (char === '"') {
      return string() ? { range: { start, end: i }, children } : null;
    }
    const literal = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (literal === null) return null;
    i += literal[0].length;
    return { range: { start, end: i }, children };
  };
  const root = value();
  ws();
  return root !== null && i === text.length ? root : null;
}

/**
 * Where the value at `path` sits in `text`. When the value is missing (a "missing field" finding),
 * the nearest enclosing value that exists; null when the text is not JSON or the path is not one.
 */
export function locatePath(text: string, path: string | undefined): TextRange | null {
  const segments = path === undefined ? null : parseJsonPath(path);
  if (segments === null) return null;
  const root = scanJson(text);
  if (root === null) return null;
  let node = root;
  for (const segment of segments) {
    const child = node.children.get(segment);
    if (child === undefined) break;
    node = child;
  }
  return node.range;
}

/**
 * The place a JSON syntax error names ("... at line 3 column 7"), as a one-character range;
 * null when the message names none.
 */
export function locateLineColumn(text: string, message: string): TextRange | null {
  const match = /line (\d+) column (\d+)/.exec(message);
  if (match === null) return null;
  const line = Number(match[1]);
  const column = Number(match[2]);
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return null;
    offset = next + 1;
  }
  const start = Math.min(text.length, offset + Math.max(0, column - 1));
  return { start, end: Math.min(text.length, start + 1) };
}

/** Where a finding points in the JSON text, if anywhere. */
export function locateFinding(text: string, finding: Finding): TextRange | null {
  if (finding.code === "invalid-json") {
    return locateLineColumn(text, finding.message);
  }
  return locatePath(text, finding.path);
}
