// Turns whatever a failed call rejected with into an `IpcError` the UI can show. The UI decides
// by an error's `kind` and `field`; its `message` is only ever shown.

import type { ErrorKind, IpcError, Remedy } from "./ipc/bindings";

/** The kind given to a rejection that carries no kind of its own (a failure of the UI itself). */
export const UNKNOWN_KIND: ErrorKind = "internal";

/** An `Error` that is also an `IpcError`, so callers get a stack trace and the error's data. */
export class IpcFailure extends Error implements IpcError {
  readonly kind: ErrorKind;
  readonly field: string | null;
  readonly remedies: Remedy[];

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.kind = error.kind;
    this.field = error.field;
    this.remedies = error.remedies;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function remediesOf(value: unknown): Remedy[] {
  return Array.isArray(value) ? value.filter((r): r is Remedy => isRecord(r) && typeof r.kind === "string") : [];
}

function failure(kind: ErrorKind, message: string, field: string | null = null, remedies: Remedy[] = []): IpcError {
  return { kind, message, field, remedies };
}

/**
 * Normalises any rejection value to an `IpcError`:
 * - an `IpcError`-shaped object keeps its kind, message, field and remedies;
 * - an `Error` keeps its message (kind "internal");
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
    return failure(UNKNOWN_KIND, text === "" ? "Unknown error" : text);
  }
  if (isRecord(error)) {
    const message = nonEmptyString(error.message);
    // The shell's kinds are a closed union; a rejection from anywhere else is the UI's own.
    const kind = (nonEmptyString(error.kind) ?? nonEmptyString(error.code) ?? UNKNOWN_KIND) as ErrorKind;
    const field = nonEmptyString(error.field);
    if (message !== null) {
      return failure(kind, message, field, remediesOf(error.remedies));
    }
    if (kind !== UNKNOWN_KIND) {
      return failure(kind, `Unexpected error (${kind})`, field, remediesOf(error.remedies));
    }
  }
  if (error === undefined || error === null) {
    return failure(UNKNOWN_KIND, "Unknown error");
  }
  if (typeof error === "number" || typeof error === "boolean" || typeof error === "bigint") {
    return failure(UNKNOWN_KIND, `Unexpected error: ${String(error)}`);
  }
  return failure(UNKNOWN_KIND, "Unknown error");
}

/** Wraps `normaliseError` in an `IpcFailure` (unchanged when it already is one). */
export function toFailure(error: unknown): IpcFailure {
  return error instanceof IpcFailure ? error : new IpcFailure(normaliseError(error));
}
