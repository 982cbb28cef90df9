import { describe, expect, it } from "vitest";

import { NO_PLACEMENTS, WRONG_MESSAGE_TYPE } from "../test/registrationFixtures";
import {
  displayPath,
  locateFinding,
  locateLineColumn,
  locatePath,
  parseJsonPath,
  placementOfPath,
  sortFindings,
  summarizeFindings,
} from "./findings";
import type { Finding } from "./ipc/bindings";

const INFO: Finding = { code: "default-privacy-level", severity: "info", message: "m", fix: "f" };

const TEXT = `{
  "title": "Quiz",
  "odd key": {"a.b": [1, 2]},
  "extensions": [
    {
      "settings": {
        "placements": [
          {"placement": "course_navigation", "message_type": "LtiDeepLinkingRequest"},
          {"placement": "editor_button"}
        ]
      }
    }
  ]
}`;

describe("JSON paths", () => {
  it("parses dotted names, indexes and quoted keys", () => {
    expect(parseJsonPath("$")).toEqual([]);
    expect(parseJsonPath("$.extensions[0].settings.placements[12].message_type")).toEqual([
      "extensions",
      0,
      "settings",
      "placements",
      12,
      "message_type",
    ]);
    expect(parseJsonPath('$["odd key"]["a.b"][1]')).toEqual(["odd key", "a.b", 1]);
    expect(parseJsonPath("extensions[0]")).toBeNull();
    expect(parseJsonPath("$.[0]")).toBeNull();
    expect(parseJsonPath('$["unterminated]')).toBeNull();
  });

  it("shows paths without the $ prefix, and the root as the whole document", () => {
    expect(displayPath("$.extensions[0].privacy_level")).toBe("extensions[0].privacy_level");
    expect(displayPath('$["odd key"]')).toBe('["odd key"]');
    expect(displayPath("$")).toBe("whole document");
    expect(displayPath(undefined)).toBe("whole document");
  });

  it("names the placement a path is about", () => {
    const doc: unknown = JSON.parse(TEXT);
    expect(placementOfPath(WRONG_MESSAGE_TYPE.path, doc)).toBe("course_navigation");
    expect(placementOfPath("$.extensions[0].settings.placements[1]", doc)).toBe("editor_button");
    expect(placementOfPath("$.extensions[0].settings.placements[5].text", doc)).toBeNull();
    expect(placementOfPath("$.extensions[0].settings.placements", doc)).toBeNull();
    expect(placementOfPath("$.title", doc)).toBeNull();
  });
});

describe("locating a path in the text", () => {
  it("finds the exact value", () => {
    const range = locatePath(TEXT, WRONG_MESSAGE_TYPE.path);
    expect(range).not.toBeNull();
    expect(TEXT.slice(range!.start, range!.end)).toBe('"LtiDeepLinkingRequest"');
    const odd = locatePath(TEXT, '$["odd key"]["a.b"][1]');
    expect(TEXT.slice(odd!.start, odd!.end)).toBe("2");
  });

  it("falls back to the nearest existing parent for a missing value", () => {
    const range = locatePath(TEXT, "$.extensions[0].settings.placements[1].message_type");
    expect(TEXT.slice(range!.start, range!.end)).toBe('{"placement": "editor_button"}');
  });

  it("gives nothing for invalid JSON or a bad path", () => {
    expect(locatePath("{ nope", "$.title")).toBeNull();
    expect(locatePath(TEXT, "title")).toBeNull();
    expect(locatePath(TEXT, undefined)).toBeNull();
  });

  it("reads line and column from a syntax error", () => {
    const text = '{\n  "a": 1,\n  "b": x\n}';
    const range = locateLineColumn(text, "this is not valid JSON: expected value at line 3 column 8");
    expect(text.slice(range!.start, range!.end)).toBe("x");
    expect(locateLineColumn(text, "no position")).toBeNull();
    expect(locateFinding(text, { ...INFO, code: "invalid-json", message: "at line 3 column 8" })).toEqual(range);
  });
});

describe("finding summaries", () => {
  it("counts by severity in plain words", () => {
    expect(summarizeFindings([])).toBe("No findings");
    expect(summarizeFindings([WRONG_MESSAGE_TYPE])).toBe("1 error");
    expect(summarizeFindings([WRONG_MESSAGE_TYPE, WRONG_MESSAGE_TYPE, NO_PLACEMENTS, INFO])).toBe(
      "2 errors, 1 warning, 1 note",
    );
  });

  it("puts errors first and keeps the order within a severity", () => {
    const second = { ...WRONG_MESSAGE_TYPE, code: "http-url" };
    expect(sortFindings([INFO, NO_PLACEMENTS, WRONG_MESSAGE_TYPE, second]).map((f) => f.code)).toEqual([
      "wrong-message-type",
      "http-url",
      "no-placements",
      "default-privacy-level",
    ]);
  });
});
