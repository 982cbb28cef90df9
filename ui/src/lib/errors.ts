// Turns whatever a failed call rejected with into an `IpcError` the UI can show.

import type { IpcError } from "./ipc/bindings";

/** The kind used when a rejection carries no kind of its own. */
export const UNKNOWN_KIND = "unknown";

/** An `Error` that is also an `IpcError`, so callers get a stack trace and `{ kind, message }`. */
export class IpcFailure extends Error implements IpcError {
  readonly kind: string;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.kind = error.kind;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * Normalises any rejection value to `{ kind, message }`:
 * - an `IpcError`-shaped object keeps its kind and message;
 * - an `Error` keeps its message (kind "unknown");
 * - a string is parsed as a JSON `IpcError` when it is one, else used as the message;
 * - anything else gets a generic message.
 */
export function normaliseError(error: unknown): IpcError {
  if (typeof error === "string") {
    const text = error.trim();
    if (text.startsWith("{")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (isRecord(parsed) && nonEmptyString(parsed.message) !== null) {
          return normaliseError(parsed);
        }
      } catch {
        // Not JSON: fall through and use the text as it is.
      }
    }
    return { kind: UNKNOWN_KIND, message: text === "" ? "Unknown error" : text };
  }
  if (isRecord(error)) {
    const message = nonEmptyString(error.message);
    const kind = nonEmptyString(error.kind) ?? nonEmptyString(error.code) ?? UNKNOWN_KIND;
    if (message !== null) {
      return { kind, message };
    }
    if (kind !== UNKNOWN_KIND) {
      return { kind, message: `Unexpected error (${kind})` };
    }
  }
  if (error === undefined || error === null) {
    return { kind: UNKNOWN_KIND, message: "Unknown error" };
  }
  if (typeof error === "number" || typeof error === "boolean" || typeof error === "bigint") {
    return { kind: UNKNOWN_KIND, message: `Unexpected error: ${String(error)}` };
  }
  return { kind: UNKNOWN_KIND, message: "Unknown error" };
}

/** Wraps `normaliseError` in an `IpcFailure` (unchanged when it already is one). */
export function toFailure(error: unknown): IpcFailure {
  return error instanceof IpcFailure ? error : new IpcFailure(normaliseError(error));
}
