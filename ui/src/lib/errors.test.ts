import { describe, expect, it } from "vitest";

import { IpcFailure, normaliseError, toFailure } from "./errors";

describe("normaliseError", () => {
  it("keeps an IpcError as it is", () => {
    expect(normaliseError({ kind: "KeyNotFound", message: "Kid abc not found." })).toEqual({
      kind: "KeyNotFound",
      message: "Kid abc not found.",
    });
  });

  it("uses a plain string as the message", () => {
    expect(normaliseError("Command list_keys not allowed")).toEqual({
      kind: "unknown",
      message: "Command list_keys not allowed",
    });
  });

  it("parses a string holding a JSON IpcError", () => {
    expect(normaliseError('{"kind":"Keychain","message":"No Secret Service."}')).toEqual({
      kind: "Keychain",
      message: "No Secret Service.",
    });
  });

  it("keeps the message of an Error", () => {
    expect(normaliseError(new TypeError("window.__TAURI_INTERNALS__ is undefined"))).toEqual({
      kind: "unknown",
      message: "window.__TAURI_INTERNALS__ is undefined",
    });
  });

  it("gives something readable for anything else", () => {
    expect(normaliseError(undefined)).toEqual({ kind: "unknown", message: "Unknown error" });
    expect(normaliseError(null)).toEqual({ kind: "unknown", message: "Unknown error" });
    expect(normaliseError("")).toEqual({ kind: "unknown", message: "Unknown error" });
    expect(normaliseError(42)).toEqual({ kind: "unknown", message: "Unexpected error: 42" });
    expect(normaliseError({ kind: "Io" })).toEqual({ kind: "Io", message: "Unexpected error (Io)" });
    expect(normaliseError({ foo: 1 })).toEqual({ kind: "unknown", message: "Unknown error" });
  });
});

describe("toFailure", () => {
  it("wraps into an Error that is also an IpcError", () => {
    const failure = toFailure({ kind: "Validation", message: "Name: enter a name." });
    expect(failure).toBeInstanceOf(Error);
    expect(failure.kind).toBe("Validation");
    expect(failure.message).toBe("Name: enter a name.");
    expect(toFailure(failure)).toBe(failure);
    expect(normaliseError(failure)).toEqual({ kind: "Validation", message: "Name: enter a name." });
  });

  it("is an IpcFailure", () => {
    expect(toFailure("x")).toBeInstanceOf(IpcFailure);
  });
});
