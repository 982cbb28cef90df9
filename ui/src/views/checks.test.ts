// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { JwksCheck, ToolSummary } from "../lib/ipc/bindings";
import { SAMPLE_CHECK, SAMPLE_PLATFORM_CHECKS } from "../test/rotationFixtures";
import { createChecksPage, EMPTY_CHECK_FORM, refreshAges, renderCheckResult, type ChecksPageView } from "./checks";

const NOW = Date.parse("2025-05-01T10:00:00Z");
const TOOLS: ToolSummary[] = [{ id: "t1", name: "Quiz Builder", domain: null, key_count: 2, current_kid: "cur" }];

function q<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function codes(root: ParentNode): string[] {
  return Array.from(root.querySelectorAll("[data-finding-code]"), (e) => e.getAttribute("data-finding-code") ?? "");
}

describe("renderCheckResult", () => {
  it("shows the HTTP facts, the findings errors first, and the keys", () => {
    const result = renderCheckResult(document, SAMPLE_CHECK, NOW);
    expect(result.getAttribute("data-verdict")).toBe("fail");
    expect(q(".verdict", result).textContent).toBe("Failed");
    expect(q('[data-fact="status"] dd', result).textContent).toBe("200");
    expect(q('[data-fact="content-type"] dd', result).textContent).toBe("application/jwk-set+json");
    expect(q('[data-fact="cache"] dd', result).textContent).toBe("public, max-age=3600 (1h)");
    expect(q('[data-fact="cache"]', result).classList.contains("is-bad")).toBe(true);
    expect(q('[data-fact="content-type"]', result).classList.contains("is-bad")).toBe(false);
    expect(q('[data-fact="latency"] dd', result).textContent).toBe("84 ms");
    expect(q('[data-fact="size"] dd', result).textContent).toBe("1.2 KB");
    expect(codes(result)).toEqual(["kid-not-published", "long-cache", "unexpected-kid"]);
    expect(q('[data-finding-code="kid-not-published"]', result).getAttribute("data-severity")).toBe("error");
    expect(q('[data-finding-code="kid-not-published"]', result).textContent).toContain("Fix: Publish the tool's JWKS");
    expect(q(".check-age", result).textContent).toBe("checked 3 min ago");
    const row = q<HTMLTableRowElement>('tr[data-check-kid="cur"]', result);
    expect(Array.from(row.cells, (c) => c.textContent)).toEqual(["cur", "RSA", "RS256", "sig", "2048"]);
  });

  it("flags the Content-Type when a finding is about it, and says so when all is well", () => {
    const typed: JwksCheck = {
      ...SAMPLE_CHECK,
      findings: [{ code: "content-type", severity: "error", message: "not application/json", fix: "serve JSON" }],
    };
    expect(q('[data-fact="content-type"]', renderCheckResult(document, typed, NOW)).classList.contains("is-bad")).toBe(true);
    const clean = renderCheckResult(document, { ...SAMPLE_CHECK, findings: [] }, NOW);
    expect(clean.getAttribute("data-verdict")).toBe("pass");
    expect(clean.querySelector(".check-clean")?.textContent).toContain("No problems found");
    expect(codes(clean)).toEqual([]);
  });

  it("shows a check that got no answer", () => {
    const none = renderCheckResult(
      document,
      { ...SAMPLE_CHECK, status: null, content_type: null, cache_control: null, max_age: null, latency_ms: null, bytes: 0, keys: [], findings: [] },
      NOW,
    );
    expect(none.getAttribute("data-verdict")).toBe("fail");
    expect(q('[data-fact="status"] dd', none).textContent).toBe("No answer");
    expect(q('[data-fact="status"]', none).classList.contains("is-bad")).toBe(true);
    expect(q('[data-fact="cache"] dd', none).textContent).toBe("Not sent");
    expect(none.querySelector(".check-keys .empty-row")?.textContent).toBe("No keys in the response.");
  });

  it("keeps ages current", () => {
    const result = renderCheckResult(document, SAMPLE_CHECK, NOW);
    refreshAges(result, NOW + 2 * 3_600_000);
    expect(q(".check-age", result).textContent).toBe("checked 2 h ago");
  });
});

describe("checks page", () => {
  let view: ChecksPageView;
  const on = { onRun: vi.fn(), onFormChange: vi.fn(), onCheckPlatforms: vi.fn(), onShowCheck: vi.fn() };

  beforeEach(() => {
    vi.clearAllMocks();
    view = createChecksPage(document, TOOLS, EMPTY_CHECK_FORM, on);
    document.body.replaceChildren(view.element);
  });

  it("checks only a URL it can fetch", () => {
    q<HTMLButtonElement>("#check-run").click();
    expect(on.onRun).not.toHaveBeenCalled();
    expect(q("#check-url-error").textContent).toBe("JWKS URL: enter a URL.");

    q<HTMLInputElement>("#check-url").value = "http://lms.example.edu/jwks";
    q<HTMLButtonElement>("#check-run").click();
    expect(on.onRun).not.toHaveBeenCalled();
    expect(q("#check-url").getAttribute("aria-invalid")).toBe("true");

    q<HTMLInputElement>("#check-url").value = " http://127.0.0.1:8080/jwks ";
    q<HTMLButtonElement>("#check-run").click();
    expect(on.onRun).toHaveBeenCalledWith({ url: "http://127.0.0.1:8080/jwks", role: "platform", expectTool: "" });
    expect(q("#check-url-error").hidden).toBe(true);
  });

  it("compares with a tool only for a tool's keys", () => {
    expect(q(".field-check-tool").hidden).toBe(true);
    const role = q<HTMLSelectElement>("#check-role");
    role.value = "tool";
    role.dispatchEvent(new Event("change", { bubbles: true }));
    expect(q(".field-check-tool").hidden).toBe(false);
    q<HTMLSelectElement>("#check-tool").value = "t1";
    q<HTMLInputElement>("#check-url").value = "https://quiz.example.com/jwks.json";
    q<HTMLButtonElement>("#check-run").click();
    expect(on.onRun).toHaveBeenCalledWith({ url: "https://quiz.example.com/jwks.json", role: "tool", expectTool: "t1" });
  });

  it("shows progress while a check runs", () => {
    view.setRunning({ url: "https://x.example/jwks", startedAt: NOW }, NOW + 1200);
    expect(q<HTMLButtonElement>("#check-run").disabled).toBe(true);
    expect(q("#check-progress").hidden).toBe(false);
    expect(q("#check-progress").textContent).toContain("Checking https://x.example/jwks…");
    view.tick(NOW + 2500);
    expect(q("#check-progress").textContent).toContain("2.5 s");
    view.setRunning(null, NOW);
    expect(q("#check-progress").hidden).toBe(true);
    view.setResult(SAMPLE_CHECK, NOW);
    expect(codes(q("#check-result"))).toEqual(["kid-not-published", "long-cache", "unexpected-kid"]);
  });

  it("lists the last result per URL with its age, and shows one on click", () => {
    view.setLastChecks(null, NOW);
    expect(q("#recent-checks").getAttribute("aria-busy")).toBe("true");
    view.setLastChecks([], NOW);
    expect(q("#recent-checks").textContent).toContain("No checks yet");
    view.setLastChecks([SAMPLE_CHECK], NOW);
    const item = q<HTMLButtonElement>(`#recent-checks [data-check-url="${SAMPLE_CHECK.url}"]`);
    expect(item.textContent).toContain("checked 3 min ago");
    expect(item.textContent).toContain("1 error");
    item.click();
    expect(on.onShowCheck).toHaveBeenCalledWith(SAMPLE_CHECK);
  });

  it("checks all platforms with progress and a summary table", () => {
    q<HTMLButtonElement>("#check-platforms").click();
    expect(on.onCheckPlatforms).toHaveBeenCalled();
    view.setPlatformProgress({ done: 3, total: 7 });
    expect(q("#platform-check-progress").hidden).toBe(false);
    expect(q("#platform-check-count").textContent).toBe("3 / 7");
    expect(q<HTMLElement>(".progress-fill").style.width).toBe("43%");
    expect(q<HTMLButtonElement>("#check-platforms").disabled).toBe(true);
    view.setPlatformProgress(null);
    view.setPlatformResults(SAMPLE_PLATFORM_CHECKS);
    const rows = Array.from(q<HTMLTableElement>("#platform-check-table").tBodies[0]?.rows ?? []);
    expect(rows.map((r) => Array.from(r.cells, (c) => c.textContent))).toEqual([
      ["Acme Canvas", "200", "1", "0", "0", "https://canvas.acme.edu/api/lti/security/jwks", "Details"],
      [
        "Blackboard",
        "Skipped",
        "—",
        "—",
        "—",
        "https://developer.blackboard.com/api/v1/management/applications/{client_id}/jwks.json",
        "its JWKS URL has a placeholder; add a registration",
      ],
    ]);
    q<HTMLButtonElement>('button[data-show-platform-check="0"]').click();
    expect(on.onShowCheck).toHaveBeenCalledWith(SAMPLE_PLATFORM_CHECKS[0]?.check);
  });
});
