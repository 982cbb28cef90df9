import { describe, expect, it } from "vitest";

import { IpcFailure, normaliseError, toFailure } from "./errors";

const none = { field: null, remedies: [] };

describe("normaliseError", () => {
  it("keeps an IpcError as it is", () => {
    expect(normaliseError({ kind: "key_not_found", message: "Kid abc not found.", field: null, remedies: [] })).toEqual({
      kind: "key_not_found",
      message: "Kid abc not found.",
      ...none,
    });
  });

  it("keeps the field and the remedies", () => {
    const error = {
      kind: "invalid",
      message: "launch URL: 'x' is not a URL. Fix: give one",
      field: "launch_url",
      remedies: [{ kind: "list_tools" }],
    };
    expect(normaliseError(error)).toEqual(error);
  });

  it("uses a plain string as the message", () => {
    expect(normaliseError("Command list_keys not allowed")).toEqual({
      kind: "internal",
      message: "Command list_keys not allowed",
      ...none,
    });
  });

  it("parses a string holding a JSON IpcError", () => {
    expect(normaliseError('{"kind":"keychain","message":"No Secret Service.","field":"name"}')).toEqual({
      kind: "keychain",
      message: "No Secret Service.",
      field: "name",
      remedies: [],
    });
  });

  it("keeps the message of an Error", () => {
    expect(normaliseError(new TypeError("window.__TAURI_INTERNALS__ is undefined"))).toEqual({
      kind: "internal",
      message: "window.__TAURI_INTERNALS__ is undefined",
      ...none,
    });
  });

  it("gives something readable for anything else", () => {
    expect(normaliseError(undefined)).toEqual({ kind: "internal", message: "Unknown error", ...none });
    expect(normaliseError(null)).toEqual({ kind: "internal", message: "Unknown error", ...none });
    expect(normaliseError("")).toEqual({ kind: "internal", message: "Unknown error", ...none });
    expect(normaliseError(42)).toEqual({ kind: "internal", message: "Unexpected error: 42", ...none });
    expect(normaliseError({ kind: "io" })).toEqual({ kind: "io", message: "Unexpected error (io)", ...none });
    expect(normaliseError({ foo: 1 })).toEqual({ kind: "internal", message: "Unknown error", ...none });
    expect(normaliseError({ kind: "io", message: "m", remedies: "no" })).toEqual({ kind: "io", message: "m", ...none });
  });
});

describe("toFailure", () => {
  it("wraps into an Error that is also an IpcError", () => {
    const failure = toFailure({ kind: "invalid", message: "name: it is empty. Fix: give one", field: "name", remedies: [] });
    expect(failure).toBeInstanceOf(Error);
    expect(failure.kind).toBe("invalid");
    expect(failure.field).toBe("name");
    expect(failure.message).toBe("name: it is empty. Fix: give one");
    expect(toFailure(failure)).toBe(failure);
    expect(normaliseError(failure)).toEqual({ kind: "invalid", message: "name: it is empty. Fix: give one", field: "name", remedies: [] });
  });

  it("is an IpcFailure", () => {
    expect(toFailure("x")).toBeInstanceOf(IpcFailure);
  });
});
