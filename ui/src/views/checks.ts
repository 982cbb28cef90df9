// JWKS checks: the result of one check (shared with the tool page) and the Checks page.

import {
  ageOf,
  checkVerdict,
  countFindings,
  formatBytes,
  formatCache,
  formatLatency,
  formatStatus,
  platformRows,
} from "../lib/checks";
import { h, icon } from "../lib/dom";
import { formatDateTime, formatElapsed, plural } from "../lib/format";
import type { Finding, JwksCheck, JwksRole, PlatformCheck, ToolSummary } from "../lib/ipc/bindings";
import { checkUrl } from "../lib/validation";
import { findingsList } from "./findings";

const VERDICT_TEXT = { pass: "Passed", warn: "Warnings", fail: "Failed" } as const;

/** Which fact of the result a finding is about, so that fact is flagged too. */
const FACT_OF_CODE: Record<string, string> = {
  "http-error": "status",
  "content-type": "content-type",
  "no-cache-headers": "cache",
  "long-cache": "cache",
};

export const CHECK_ICONS = {
  refresh: ["M20 11a8 8 0 0 0-14.9-4", "M4 4v4h4", "M4 13a8 8 0 0 0 14.9 4", "M20 20v-4h-4"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  alert: ["M12 3l10 18H2z", "M12 10v5", "M12 18v.5"],
};

/**
 * Scrolls the main pane (only it: the window itself never scrolls) so `element` shows:
 * its top at the top ("start"), or just enough to bring it into view ("nearest").
 */
export function reveal(element: HTMLElement, block: "start" | "nearest" = "nearest", margin = 16): void {
  const pane = element.closest<HTMLElement>(".main");
  if (pane === null) {
    return;
  }
  const box = element.getBoundingClientRect();
  const view = pane.getBoundingClientRect();
  const top = box.top - view.top - margin;
  const bottom = box.bottom - view.bottom + margin;
  let delta = 0;
  if (block === "start" || top < 0) {
    delta = top;
  } else if (bottom > 0) {
    delta = Math.min(top, bottom);
  }
  if (delta === 0) {
    return;
  }
  if (typeof pane.scrollBy === "function") {
    pane.scrollBy({ top: delta, behavior: "smooth" });
  } else {
    pane.scrollTop += delta;
  }
}

/** `<span data-checked-at>` whose text is "checked 3 min ago"; `refreshAges` keeps it current. */
export function checkedAge(doc: Document, iso: string, now: number, prefix = "checked "): HTMLElement {
  return h(doc, "time", {
    class: "check-age muted",
    datetime: iso,
    title: formatDateTime(iso),
    "data-checked-at": iso,
    "data-age-prefix": prefix,
    text: `${prefix}${ageOf(iso, now)}`,
  });
}

/** Rewrites every `[data-checked-at]` under `root` for the time `now`. */
export function refreshAges(root: ParentNode, now: number): void {
  for (const element of Array.from(root.querySelectorAll<HTMLElement>("[data-checked-at]"))) {
    const iso = element.getAttribute("data-checked-at") ?? "";
    const prefix = element.getAttribute("data-age-prefix") ?? "";
    const text = `${prefix}${ageOf(iso, now)}`;
    if (element.textContent !== text) {
      element.textContent = text;
    }
  }
}

/** The findings of a check, errors first (`li[data-finding-code]` each), or a clean verdict. */
export function checkFindings(doc: Document, findings: readonly Finding[]): HTMLElement {
  if (findings.length === 0) {
    return h(
      doc,
      "p",
      { class: "check-clean" },
      icon(doc, CHECK_ICONS.check),
      "No problems found: platforms can use these keys.",
    );
  }
  return findingsList(doc, findings, { class: "findings check-findings" }, { showPath: false, empty: null });
}

function fact(doc: Document, name: string, label: string, value: string, bad: boolean, mono = false): HTMLElement {
  return h(
    doc,
    "div",
    { class: bad ? "check-fact is-bad" : "check-fact", "data-fact": name },
    h(doc, "dt", { text: label }),
    h(doc, "dd", { class: mono ? "mono selectable" : "selectable", text: value }),
  );
}

function keysTable(doc: Document, check: JwksCheck): HTMLElement {
  const head = h(
    doc,
    "tr",
    {},
    ...["Kid", "kty", "alg", "use", "Bits"].map((label) =>
      h(doc, "th", { scope: "col", class: label === "Bits" ? "num" : null, text: label }),
    ),
  );
  const rows =
    check.keys.length === 0
      ? [h(doc, "tr", { class: "empty-row" }, h(doc, "td", { colspan: 5, text: "No keys in the response." }))]
      : check.keys.map((key) =>
          h(
            doc,
            "tr",
            { "data-check-kid": key.kid ?? "" },
            h(doc, "td", { class: "kid mono selectable", title: key.kid ?? "", text: key.kid ?? "(none)" }),
            h(doc, "td", { class: "mono", text: key.kty === "" ? "—" : key.kty }),
            h(doc, "td", { class: "mono", text: key.alg ?? "—" }),
            h(doc, "td", { class: "mono", text: key.use ?? "—" }),
            h(doc, "td", { class: "num", text: key.bits === null ? "—" : String(key.bits) }),
          ),
        );
  return h(
    doc,
    "div",
    { class: "table-wrap" },
    h(
      doc,
      "table",
      { class: "data-table check-keys" },
      h(doc, "caption", { class: "visually-hidden", text: "Keys found" }),
      h(doc, "thead", {}, head),
      h(doc, "tbody", {}, ...rows),
    ),
  );
}

/** One check: verdict, the HTTP facts, the findings (errors first) and the keys found. */
export function renderCheckResult(doc: Document, check: JwksCheck, now: number): HTMLElement {
  const verdict = checkVerdict(check);
  const counts = countFindings(check.findings);
  const flagged = new Set(
    check.findings.filter((f) => f.severity !== "info").map((f) => FACT_OF_CODE[f.code]).filter(Boolean),
  );
  const summary = [
    counts.error > 0 ? plural(counts.error, "error") : null,
    counts.warning > 0 ? plural(counts.warning, "warning") : null,
    counts.info > 0 ? `${counts.info} info` : null,
  ]
    .filter((part) => part !== null)
    .join(", ");
  const facts = h(
    doc,
    "dl",
    { class: "check-facts" },
    fact(doc, "status", "HTTP status", formatStatus(check.status), check.status === null || check.status >= 400 || flagged.has("status")),
    fact(doc, "content-type", "Content-Type", check.content_type ?? "Not sent", flagged.has("content-type"), true),
    fact(doc, "cache", "Cache-Control", formatCache(check), flagged.has("cache"), true),
    fact(doc, "latency", "Latency", formatLatency(check.latency_ms), false),
    fact(doc, "size", "Size", formatBytes(Number(check.bytes)), false),
  );
  if (check.redirects.length > 0 || (check.final_url !== null && check.final_url !== check.url)) {
    facts.append(
      h(
        doc,
        "div",
        { class: "check-fact check-fact-wide", "data-fact": "redirects" },
        h(doc, "dt", { text: `Redirects (${check.redirects.length})` }),
        h(doc, "dd", { class: "mono selectable", text: [...check.redirects, check.final_url ?? ""].filter((u) => u !== "").join(" → ") }),
      ),
    );
  }
  return h(
    doc,
    "div",
    { class: `check-result verdict-${verdict}`, "data-verdict": verdict, "data-url": check.url },
    h(
      doc,
      "div",
      { class: "check-head" },
      h(
        doc,
        "span",
        { class: `verdict verdict-badge-${verdict}` },
        icon(doc, verdict === "pass" ? CHECK_ICONS.check : CHECK_ICONS.alert),
        VERDICT_TEXT[verdict],
      ),
      h(doc, "span", { class: "check-url mono selectable", title: check.url, text: check.url }),
      h(doc, "span", { class: "badge badge-role", title: `Checked as the keys of a ${check.role}`, text: `${check.role} keys` }),
      checkedAge(doc, check.checked_at, now),
    ),
    facts,
    h(
      doc,
      "h3",
      { class: "check-subheading" },
      "Findings ",
      h(doc, "span", { class: "count muted", text: summary === "" ? "(none)" : `(${summary})` }),
    ),
    checkFindings(doc, check.findings),
    h(
      doc,
      "h3",
      { class: "check-subheading" },
      "Keys ",
      h(doc, "span", { class: "count muted", text: `(${check.keys.length})` }),
    ),
    keysTable(doc, check),
  );
}

/** A spinner line: "Checking https://… 1.2 s". */
export function createCheckProgress(doc: Document, id: string): {
  element: HTMLElement;
  set(text: string | null, elapsedMs?: number): void;
} {
  const label = h(doc, "span", { class: "keygen-stage" });
  const elapsed = h(doc, "span", { class: "keygen-elapsed mono" });
  const element = h(
    doc,
    "div",
    { id, class: "keygen-progress check-progress", role: "status", "aria-live": "polite", hidden: true },
    h(doc, "span", { class: "spinner", "aria-hidden": "true" }),
    label,
    elapsed,
  );
  return {
    element,
    set(text, elapsedMs = 0) {
      element.hidden = text === null;
      if (text !== null) {
        label.textContent = text;
        elapsed.textContent = formatElapsed(elapsedMs);
      }
    },
  };
}

// The Checks page.

export type CheckFormValues = { url: string; role: JwksRole; expectTool: string };

export const EMPTY_CHECK_FORM: CheckFormValues = { url: "", role: "platform", expectTool: "" };

export type ChecksPageHandlers = {
  onRun(values: CheckFormValues): void;
  onFormChange(values: CheckFormValues): void;
  onCheckPlatforms(): void;
  onShowCheck(check: JwksCheck): void;
};

export type ChecksPageView = {
  element: HTMLElement;
  setForm(values: CheckFormValues): void;
  setRunning(running: { url: string; startedAt: number } | null, now: number): void;
  setResult(check: JwksCheck | null, now: number): void;
  setLastChecks(checks: readonly JwksCheck[] | null, now: number): void;
  setPlatformProgress(progress: { done: number; total: number } | null): void;
  setPlatformResults(results: readonly PlatformCheck[] | null): void;
  tick(now: number): void;
};

function recentItem(doc: Document, check: JwksCheck, now: number): HTMLElement {
  const verdict = checkVerdict(check);
  const counts = countFindings(check.findings);
  return h(
    doc,
    "li",
    {},
    h(
      doc,
      "button",
      { type: "button", class: "recent-check", "data-check-url": check.url, title: `Show the last check of ${check.url}` },
      h(doc, "span", { class: `dot dot-${verdict}`, "aria-hidden": "true" }),
      h(doc, "span", { class: "recent-url mono", text: check.url }),
      h(doc, "span", { class: "recent-meta" },
        h(doc, "span", { class: "badge badge-role", text: check.role }),
        h(doc, "span", { class: "recent-status", text: `HTTP ${formatStatus(check.status)}` }),
        h(doc, "span", { class: counts.error > 0 ? "recent-count is-error" : "recent-count", text: plural(counts.error, "error") }),
        h(doc, "span", { class: counts.warning > 0 ? "recent-count is-warning" : "recent-count", text: plural(counts.warning, "warning") }),
      ),
      checkedAge(doc, check.checked_at, now),
    ),
  );
}

const PLATFORM_COLUMNS = ["Platform", "Status", "Keys", "Errors", "Warnings", "URL", "Skipped because"];
const NUMERIC_COLUMNS = new Set(["Keys", "Errors", "Warnings"]);

export function createChecksPage(
  doc: Document,
  tools: readonly ToolSummary[],
  initial: CheckFormValues,
  handlers: ChecksPageHandlers,
): ChecksPageView {
  const url = h(doc, "input", {
    id: "check-url",
    name: "url",
    type: "url",
    class: "mono",
    placeholder: "https://canvas.instructure.com/api/lti/security/jwks",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "check-url-error",
  });
  const urlError = h(doc, "p", { id: "check-url-error", class: "field-error", hidden: true });
  const role = h(
    doc,
    "select",
    { id: "check-role", name: "role" },
    h(doc, "option", { value: "platform", text: "A platform's keys" }),
    h(doc, "option", { value: "tool", text: "A tool's keys" }),
  );
  const tool = h(doc, "select", { id: "check-tool", name: "tool" }, h(doc, "option", { value: "", text: "Don't compare" }));
  for (const item of [...tools].sort((a, b) => a.name.localeCompare(b.name))) {
    tool.append(h(doc, "option", { value: item.id, text: item.name }));
  }
  const toolField = h(
    doc,
    "div",
    { class: "field field-check-tool" },
    h(doc, "label", { for: "check-tool", text: "Compare with tool" }),
    tool,
  );
  const run = h(doc, "button", { type: "submit", id: "check-run", class: "btn btn-primary" }, "Check");
  const progress = createCheckProgress(doc, "check-progress");
  const result = h(doc, "div", { id: "check-result", class: "check-result-slot", "aria-live": "polite" });

  const read = (): CheckFormValues => ({
    url: url.value,
    role: role.value === "tool" ? "tool" : "platform",
    expectTool: role.value === "tool" ? tool.value : "",
  });
  const setForm = (values: CheckFormValues): void => {
    url.value = values.url;
    role.value = values.role;
    tool.value = tools.some((t) => t.id === values.expectTool) ? values.expectTool : "";
    toolField.hidden = values.role !== "tool";
  };
  setForm(initial);

  const form = h(
    doc,
    "form",
    { id: "check-form", class: "check-form", novalidate: true, "aria-label": "Check a JWKS URL" },
    h(doc, "div", { class: "field field-check-url" }, h(doc, "label", { for: "check-url", text: "JWKS URL" }), url, urlError),
    h(doc, "div", { class: "field field-check-role" }, h(doc, "label", { for: "check-role", text: "Whose keys" }), role),
    toolField,
    h(doc, "div", { class: "field field-button" }, run),
  );
  form.addEventListener("input", () => handlers.onFormChange(read()));
  form.addEventListener("change", () => {
    toolField.hidden = role.value !== "tool";
    handlers.onFormChange(read());
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (run.disabled) {
      return;
    }
    const error = checkUrl(url.value, "JWKS URL");
    urlError.textContent = error ?? "";
    urlError.hidden = error === null;
    if (error !== null) {
      url.setAttribute("aria-invalid", "true");
      url.focus();
      return;
    }
    url.removeAttribute("aria-invalid");
    handlers.onRun({ ...read(), url: url.value.trim() });
  });

  // Recent checks.
  const recent = h(doc, "ul", { id: "recent-checks", class: "recent-checks", "aria-busy": "true" });
  let lastChecks: readonly JwksCheck[] = [];
  recent.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-check-url]") : null;
    const found = lastChecks.find((check) => check.url === button?.getAttribute("data-check-url"));
    if (found !== undefined) {
      handlers.onShowCheck(found);
    }
  });

  // Platforms.
  const checkPlatforms = h(
    doc,
    "button",
    { type: "button", id: "check-platforms", class: "btn" },
    icon(doc, CHECK_ICONS.refresh),
    "Check all platforms",
  );
  checkPlatforms.addEventListener("click", () => handlers.onCheckPlatforms());
  const bar = h(doc, "span", { class: "progress-fill" });
  const platformCount = h(doc, "span", { class: "progress-count mono", id: "platform-check-count" });
  const platformProgress = h(
    doc,
    "div",
    { id: "platform-check-progress", class: "platform-progress", role: "status", "aria-live": "polite", hidden: true },
    h(doc, "span", { class: "spinner", "aria-hidden": "true" }),
    h(doc, "span", { class: "keygen-stage", text: "Checking platforms" }),
    h(doc, "span", { class: "progress-bar", "aria-hidden": "true" }, bar),
    platformCount,
  );
  const platformTable = h(doc, "table", { id: "platform-check-table", class: "data-table platform-table" });
  const platformWrap = h(doc, "div", { class: "table-wrap", hidden: true }, platformTable);
  const platformEmpty = h(doc, "p", {
    class: "muted small card-intro",
    text: "Fetches the JWKS URL of every platform you added (a few at a time) and checks what it serves.",
  });
  let platformResults: readonly PlatformCheck[] = [];
  platformTable.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-show-platform-check]") : null;
    const index = Number(button?.getAttribute("data-show-platform-check") ?? "NaN");
    const check = platformResults[index]?.check;
    if (check !== undefined && check !== null) {
      handlers.onShowCheck(check);
    }
  });

  const element = h(
    doc,
    "section",
    { id: "checks-page", class: "checks-page", "aria-labelledby": "checks-title" },
    h(
      doc,
      "header",
      { class: "page-header" },
      h(doc, "h1", { id: "checks-title", class: "page-title", text: "JWKS checks" }),
      h(doc, "p", {
        class: "muted description",
        text: "Fetch a JWKS URL and see what a platform or tool will make of it: the HTTP answer, the keys, and every problem with its fix.",
      }),
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "check-url-heading" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "check-url-heading", text: "Check a URL" })),
      form,
      progress.element,
      result,
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "recent-heading" },
      h(doc, "div", { class: "card-header" }, h(doc, "h2", { id: "recent-heading", text: "Last results" })),
      recent,
    ),
    h(
      doc,
      "section",
      { class: "card", "aria-labelledby": "platforms-check-heading" },
      h(
        doc,
        "div",
        { class: "card-header" },
        h(doc, "h2", { id: "platforms-check-heading", text: "Platforms" }),
        h(doc, "div", { class: "card-actions" }, checkPlatforms),
      ),
      platformEmpty,
      platformProgress,
      platformWrap,
    ),
  );

  let running: { url: string; startedAt: number } | null = null;

  const view: ChecksPageView = {
    element,
    setForm,
    setRunning(next, now) {
      running = next;
      run.disabled = next !== null;
      run.classList.toggle("is-busy", next !== null);
      progress.set(next === null ? null : `Checking ${next.url}…`, next === null ? 0 : now - next.startedAt);
    },
    setResult(check, now) {
      result.replaceChildren(...(check === null ? [] : [renderCheckResult(doc, check, now)]));
    },
    setLastChecks(checks, now) {
      lastChecks = checks ?? [];
      recent.setAttribute("aria-busy", checks === null ? "true" : "false");
      if (checks !== null && checks.length === 0) {
        recent.replaceChildren(h(doc, "li", { class: "recent-empty muted", text: "No checks yet. Results are kept here, one per URL." }));
        return;
      }
      recent.replaceChildren(...lastChecks.map((check) => recentItem(doc, check, now)));
    },
    setPlatformProgress(next) {
      checkPlatforms.disabled = next !== null;
      checkPlatforms.classList.toggle("is-busy", next !== null);
      platformProgress.hidden = next === null;
      if (next !== null) {
        platformCount.textContent = `${next.done} / ${next.total}`;
        const share = next.total === 0 ? 0 : Math.min(1, next.done / next.total);
        bar.style.width = `${Math.round(share * 100)}%`;
      }
    },
    setPlatformResults(results) {
      platformResults = results ?? [];
      platformWrap.hidden = results === null;
      if (results === null) {
        platformTable.replaceChildren();
        return;
      }
      const head = h(
        doc,
        "tr",
        {},
        ...PLATFORM_COLUMNS.map((label) =>
          h(doc, "th", { scope: "col", class: NUMERIC_COLUMNS.has(label) ? "num" : null, text: label }),
        ),
      );
      const rows = platformRows(results).map((row, index) =>
        h(
          doc,
          "tr",
          { "data-platform": row.platform, "data-verdict": row.verdict },
          h(doc, "td", { class: "platform-name", text: row.platform }),
          h(doc, "td", { class: "platform-status" }, h(doc, "span", { class: `dot dot-${row.verdict}`, "aria-hidden": "true" }), row.status),
          h(doc, "td", { class: "num", text: row.keys === null ? "—" : String(row.keys) }),
          h(doc, "td", { class: row.errors ? "num is-error" : "num", text: row.errors === null ? "—" : String(row.errors) }),
          h(doc, "td", { class: row.warnings ? "num is-warning" : "num", text: row.warnings === null ? "—" : String(row.warnings) }),
          h(doc, "td", { class: "platform-url mono selectable", title: row.url, text: row.url }),
          h(
            doc,
            "td",
            { class: "platform-skipped" },
            row.verdict === "skipped"
              ? h(doc, "span", { class: "muted", text: row.skipped ?? "" })
              : h(doc, "button", { type: "button", class: "btn btn-small", "data-show-platform-check": index }, "Details"),
          ),
        ),
      );
      if (rows.length === 0) {
        rows.push(
          h(doc, "tr", { class: "empty-row" }, h(doc, "td", { colspan: PLATFORM_COLUMNS.length, text: "No platforms yet: add one on the Platforms page." })),
        );
      }
      platformTable.replaceChildren(
        h(doc, "caption", { class: "visually-hidden", text: "Platform JWKS checks" }),
        h(doc, "thead", {}, head),
        h(doc, "tbody", {}, ...rows),
      );
    },
    tick(now) {
      if (running !== null) {
        progress.set(`Checking ${running.url}…`, now - running.startedAt);
      }
      refreshAges(element, now);
    },
  };
  return view;
}
