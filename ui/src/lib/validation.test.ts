import { describe, expect, it } from "vitest";

import {
  checkCustomKid,
  checkDomain,
  checkToolUrl,
  checkUrl,
  parseRedirectUris,
  plainHttp,
  validateToolForm,
  type ToolFormValues,
} from "./validation";

const valid: ToolFormValues = {
  name: "  Quiz Builder ",
  description: " Quizzes ",
  domain: "quiz.example.com",
  loginUrl: "https://quiz.example.com/login",
  launchUrl: "https://quiz.example.com/launch",
  redirectUris: "https://quiz.example.com/launch\n\n  https://quiz.example.com/deep  \n",
  jwksUrl: "",
};

describe("checkUrl", () => {
  it.each([
    "https://tool.example.com/lti/login",
    "https://tool.example.com:8443/x?y=1",
    "http://localhost:3000/launch",
    "http://LOCALHOST/launch",
    "http://127.0.0.1:8080/login",
    "http://[::1]:8080/login",
    "  https://padded.example.com  ",
  ])("accepts %s", (url) => {
    expect(checkUrl(url, "Login URL")).toBeNull();
  });

  it("rejects plain http on a public host and names the field", () => {
    expect(checkUrl("http://tool.example.com/login", "Login URL")).toBe(
      "Login URL: must start with https:// (http:// is only allowed for localhost, 127.0.0.1 and [::1]).",
    );
  });

  it("rejects hosts that only look like loopback", () => {
    expect(checkUrl("http://localhost.evil.com/", "JWKS URL")).toMatch(/^JWKS URL: must start with https:\/\//);
    expect(checkUrl("http://127.0.0.2/", "JWKS URL")).toMatch(/^JWKS URL: must start with https:\/\//);
  });

  it("rejects other schemes, garbage, spaces and empty input", () => {
    expect(checkUrl("ftp://tool.example.com/", "Launch URL")).toBe("Launch URL: must start with https://, not ftp://.");
    expect(checkUrl("tool.example.com/launch", "Launch URL")).toMatch(/^Launch URL: "tool.example.com\/launch" is not a valid URL/);
    expect(checkUrl("https://tool.example.com/a b", "Launch URL")).toBe("Launch URL: a URL cannot contain spaces.");
    expect(checkUrl("   ", "Launch URL")).toBe("Launch URL: enter a URL.");
  });
});

describe("parseRedirectUris", () => {
  it("keeps one trimmed URI per line and drops blank lines", () => {
    expect(parseRedirectUris(" https://a.example/cb \r\n\n\t\nhttps://b.example/cb\rhttps://c.example/cb\n")).toEqual([
      "https://a.example/cb",
      "https://b.example/cb",
      "https://c.example/cb",
    ]);
  });

  it("returns nothing for blank input", () => {
    expect(parseRedirectUris("\n  \n")).toEqual([]);
  });
});

describe("checkDomain", () => {
  it("accepts host names, ports and an empty value", () => {
    expect(checkDomain("tool.example.com")).toBeNull();
    expect(checkDomain("localhost:3000")).toBeNull();
    expect(checkDomain("")).toBeNull();
  });

  it("rejects URLs and invalid hosts", () => {
    expect(checkDomain("https://tool.example.com")).toMatch(/^Domain: enter only the host name/);
    expect(checkDomain("tool example.com")).toMatch(/^Domain: "tool example.com" is not a valid host name/);
    expect(checkDomain("-bad.example.com")).toMatch(/^Domain:/);
  });
});

describe("validateToolForm", () => {
  it("builds a trimmed ToolProfile with blanks as null", () => {
    expect(validateToolForm(valid)).toEqual({
      ok: true,
      input: {
        name: "Quiz Builder",
        description: "Quizzes",
        domain: "quiz.example.com",
        login_url: "https://quiz.example.com/login",
        launch_url: "https://quiz.example.com/launch",
        redirect_uris: ["https://quiz.example.com/launch", "https://quiz.example.com/deep"],
        jwks_url: null,
        privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
      },
    });
  });

  it("requires a name", () => {
    const result = validateToolForm({ ...valid, name: "   " });
    expect(result).toEqual({ ok: false, errors: { name: "Name: enter a name for the tool." } });
  });

  it("reports every bad field at once, each message naming its field", () => {
    const result = validateToolForm({
      ...valid,
      loginUrl: "ftp://quiz.example.com/login",
      jwksUrl: "not a url",
      redirectUris: "https://ok.example/cb\nfile:///bad/cb",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["jwksUrl", "loginUrl", "redirectUris"]);
    expect(result.errors.loginUrl).toBe("Login initiation URL: must start with https://, not ftp://.");
    expect(result.errors.jwksUrl).toMatch(/^JWKS URL: /);
    expect(result.errors.redirectUris).toMatch(/^Redirect URI "file:\/\/\/bad\/cb": /);
  });

  it("keeps plain http on a public host, as Canvas does, and says why to look again", () => {
    const result = validateToolForm({
      ...valid,
      launchUrl: "http://legacy.example.edu/launch",
      redirectUris: "http://legacy.example.edu/launch",
    });
    expect(result.ok).toBe(true);
    expect(checkToolUrl("http://legacy.example.edu/launch", "Launch URL")).toBeNull();
    expect(checkToolUrl("http://", "Launch URL")).toMatch(/^Launch URL: /);
    expect(checkToolUrl("http://a b.example/", "Launch URL")).toMatch(/^Launch URL: a URL cannot contain spaces/);
    expect(plainHttp("http://legacy.example.edu/launch", "Launch URL")).toMatch(
      /^Launch URL uses plain http: .* Use https:\/\//,
    );
    expect(plainHttp("http://localhost:3000/launch", "Launch URL")).toBeNull();
    expect(plainHttp("https://legacy.example.edu/launch", "Launch URL")).toBeNull();
    expect(plainHttp(null, "Launch URL")).toBeNull();
  });

  it("accepts loopback http URLs for local development", () => {
    const result = validateToolForm({
      ...valid,
      domain: "localhost:3000",
      loginUrl: "http://localhost:3000/login",
      launchUrl: "http://127.0.0.1:3000/launch",
      redirectUris: "http://[::1]:3000/launch",
    });
    expect(result.ok).toBe(true);
  });
});

describe("checkCustomKid", () => {
  it("accepts an ordinary kid", () => {
    expect(checkCustomKid("my-key-2025")).toBeNull();
  });

  it("rejects blank, spaced and overlong kids", () => {
    expect(checkCustomKid("  ")).toBe("Custom kid: enter a kid, or pick another kid scheme.");
    expect(checkCustomKid("my key")).toBe("Custom kid: use no spaces or control characters.");
    expect(checkCustomKid("k".repeat(129))).toBe("Custom kid: use at most 128 characters.");
  });
});
