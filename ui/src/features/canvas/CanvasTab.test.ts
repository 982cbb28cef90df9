import { cleanup, configure, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../../lib/app.svelte";
import type { Finding } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { CANVAS_JSON, PROFILE_TOOL, WRONG_MESSAGE_TYPE } from "../../test/registrationFixtures";
import CanvasTab, { resetCanvasTab } from "./CanvasTab.svelte";

const RL = "LtiResourceLinkRequest";
const DL = "LtiDeepLinkingRequest";
const SAVED = "/home/me/quiz-builder-canvas.json";

// Each test types key by key: give it room on a busy machine.
vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => resetCanvasTab());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const box = (): HTMLTextAreaElement => el<HTMLTextAreaElement>("#canvas-json");

const INVALID_JSON: Finding = {
  code: "invalid-json",
  severity: "error",
  path: "$",
  message: "this is not valid JSON: trailing characters at line 1 column 2",
  fix: "paste the whole configuration object, starting with { and ending with }",
};

const HTTP_URL: Finding = {
  code: "http-url",
  severity: "error",
  path: "$.target_link_uri",
  message: "target_link_uri uses http",
  fix: "use https://",
};

/** Lints as the Rust side would, for the few cases these tests make. */
function lint({ json }: Record<string, unknown>): Finding[] {
  const text = String(json);
  try {
    JSON.parse(text);
  } catch {
    return [INVALID_JSON];
  }
  const findings: Finding[] = [];
  if (text.indexOf(DL) < text.indexOf("editor_button") && text.includes(DL)) findings.push(WRONG_MESSAGE_TYPE);
  if (text.includes('"http://')) findings.push(HTTP_URL);
  return findings;
}

function backend(extra: Parameters<typeof fakeBackend>[0] = {}) {
  return fakeBackend({
    export_canvas: CANVAS_JSON,
    lint_canvas: lint,
    save_canvas: { outcome: "saved", path: SAVED },
    ...extra,
  });
}

async function shown(): Promise<HTMLTextAreaElement> {
  await waitFor(() => expect(box().value).toBe(CANVAS_JSON));
  await waitFor(() => expect(el("#canvas-status").textContent).toContain("No findings"));
  return box();
}

/** Types `text` over the first occurrence of `from` in the box. */
async function replace(user: ReturnType<typeof userEvent.setup>, from: string, text: string): Promise<void> {
  const start = box().value.indexOf(from);
  await user.type(box(), text, { initialSelectionStart: start, initialSelectionEnd: start + from.length });
}

describe("the Canvas JSON tab", () => {
  it("says it is exporting until the JSON arrives", async () => {
    const exported = deferred<string>();
    backend({ export_canvas: () => exported.promise });
    render(CanvasTab, { tool: PROFILE_TOOL });
    expect(screen.getByText("Exporting…")).toBeTruthy();
    exported.resolve(CANVAS_JSON);
    await shown();
  });

  it("says why there is no export, with a way to each fix", async () => {
    backend({
      export_canvas: () => {
        throw {
          ...failure("invalid", "public key: the tool has no JWKS URL and no current key. Fix: generate a key", "public_jwk"),
          remedies: [
            { kind: "generate_key", tool: PROFILE_TOOL.name, next: false },
            { kind: "edit_tool", tool: PROFILE_TOOL.name, field: "jwks_url" },
          ],
        };
      },
    });
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await waitFor(() => expect(el("#canvas-export-error").textContent).toContain("Fix: generate a key"));
    expect(document.getElementById("canvas-json")).toBeNull();
    expect(document.getElementById("canvas-copy")).toBeNull();
    await user.click(el('#canvas-export-error [data-open-tab="keys"]'));
    expect(app.route).toEqual({ screen: "tool", id: PROFILE_TOOL.id, tab: "keys" });
    await user.click(el('#canvas-export-error [data-open-tab="profile"]'));
    expect(app.route).toEqual({ screen: "tool", id: PROFILE_TOOL.id, tab: "profile" });
  });

  it("shows the export beside its findings, errors first", async () => {
    backend({ lint_canvas: [{ ...WRONG_MESSAGE_TYPE, severity: "warning", code: "late" }, HTTP_URL] });
    render(CanvasTab, { tool: PROFILE_TOOL });
    await waitFor(() => expect(box().value).toBe(CANVAS_JSON));
    await waitFor(() => expect(document.querySelectorAll("#canvas-findings [data-finding-code]")).toHaveLength(2));
    const codes = Array.from(document.querySelectorAll("#canvas-findings [data-finding-code]"), (e) => e.getAttribute("data-finding-code"));
    expect(codes).toEqual(["http-url", "late"]);
    expect(el("#canvas-status").textContent).toContain("Copy and Save use the tool's export · 1 error, 1 warning");
    expect(document.getElementById("canvas-edited")).toBeNull();
    expect(el<HTMLButtonElement>("#canvas-reset").disabled).toBe(true);
  });

  it("lints again as the JSON is typed, once typing pauses, and marks it edited", async () => {
    const fake = backend();
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await shown();
    await replace(user, RL, DL);
    const broken = CANVAS_JSON.replace(RL, DL);
    expect(box().value).toBe(broken);
    expect(document.activeElement).toBe(box());
    await waitFor(() => expect(el('#canvas-findings [data-finding-code="wrong-message-type"]')).toBeTruthy());
    const lints = fake.callsOf("lint_canvas");
    expect(lints.at(-1)?.json).toBe(broken);
    expect(lints.length).toBeLessThan(DL.length);
    expect(el("#canvas-status").textContent).toContain("Copy and Save use your edits · 1 error");
    expect(el("#canvas-edited").textContent).toContain("not the tool's export");

    await user.click(el('#canvas-findings [data-finding-code="wrong-message-type"] [data-finding-path]'));
    expect(box().value.slice(box().selectionStart, box().selectionEnd)).toBe(`"${DL}"`);
    expect(document.activeElement).toBe(box());

    await replace(user, "https://quiz.example.com/launch", "http://quiz.example.com/launch");
    await waitFor(() => expect(el('#canvas-findings [data-finding-code="http-url"]')).toBeTruthy());

    await user.click(el("#canvas-reset"));
    expect(box().value).toBe(CANVAS_JSON);
    await waitFor(() => expect(el("#canvas-findings").textContent).toContain("No findings"));
    expect(document.getElementById("canvas-edited")).toBeNull();
    expect(el("#canvas-status").textContent).toContain("the tool's export");
  });

  it("copies and saves the same text: the export, or the edits", async () => {
    const fake = backend();
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await shown();

    await user.click(el("#canvas-copy"));
    await waitFor(() => expect(fake.clipboard).toEqual([CANVAS_JSON]));
    expect(app.toasts[0]?.message).toBe("Canvas JSON copied");
    await user.click(el("#canvas-save"));
    await waitFor(() => expect(fake.callsOf("save_canvas")).toHaveLength(1));
    expect(fake.callsOf("save_canvas")[0]).toEqual({ tool: PROFILE_TOOL.id, json: null });
    await waitFor(() => expect(app.toasts[0]?.message).toBe(`Canvas JSON saved to ${SAVED}`));

    await replace(user, "Quiz Builder", "Quiz Builder (staging)");
    const edited = CANVAS_JSON.replace("Quiz Builder", "Quiz Builder (staging)");
    await user.click(el("#canvas-copy"));
    await waitFor(() => expect(fake.clipboard).toHaveLength(2));
    await user.click(el("#canvas-save"));
    await waitFor(() => expect(fake.callsOf("save_canvas")).toHaveLength(2));
    expect(fake.clipboard[1]).toBe(edited);
    expect(fake.callsOf("save_canvas")[1]).toEqual({ tool: PROFILE_TOOL.id, json: edited });
    await waitFor(() => expect(app.toasts[0]?.message).toBe(`Edited Canvas JSON saved to ${SAVED}`));
  });

  it("asks in place before copying or saving JSON with errors", async () => {
    const fake = backend();
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await shown();
    await replace(user, RL, DL);
    const broken = CANVAS_JSON.replace(RL, DL);

    // Clicked at once: the question waits for the lint of the text as typed.
    await user.click(el("#canvas-copy"));
    await waitFor(() => expect(document.getElementById("canvas-copy-question")?.textContent).toBe("The JSON has 1 error: copy anyway?"));
    expect(document.activeElement).toBe(el("#canvas-copy-anyway"));
    expect(fake.clipboard).toEqual([]);
    await user.keyboard("{Escape}");
    expect(document.getElementById("canvas-copy-question")).toBeNull();
    expect(document.activeElement).toBe(el("#canvas-copy"));
    expect(fake.clipboard).toEqual([]);

    await user.click(el("#canvas-copy"));
    await user.click(await screen.findByRole("button", { name: "Copy anyway" }));
    await waitFor(() => expect(fake.clipboard).toEqual([broken]));

    await user.click(el("#canvas-save"));
    expect((await screen.findByRole("group")).textContent).toContain("The JSON has 1 error: save anyway?");
    expect(fake.callsOf("save_canvas")).toHaveLength(0);
    await user.click(el("#canvas-save-anyway"));
    await waitFor(() => expect(fake.callsOf("save_canvas")).toEqual([{ tool: PROFILE_TOOL.id, json: broken }]));
  });

  it("shows under the box why text that is not JSON cannot be saved, and keeps it", async () => {
    const fake = backend({
      save_canvas: () => {
        throw failure("invalid", "Canvas JSON: the edited text is not valid JSON (trailing characters at line 25 column 1). Fix: correct it", "json");
      },
    });
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await shown();
    await user.type(box(), "}");
    await waitFor(() => expect(el('#canvas-findings [data-finding-code="invalid-json"]')).toBeTruthy());

    await user.click(el("#canvas-save"));
    await waitFor(() => expect(el("#canvas-json-error").textContent).toContain("not valid JSON"));
    expect(fake.callsOf("save_canvas")).toEqual([{ tool: PROFILE_TOOL.id, json: `${CANVAS_JSON}}` }]);
    expect(box().getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(box());
    expect(box().value).toBe(`${CANVAS_JSON}}`);
    expect(app.error).toBeNull();

    await user.type(box(), "{Backspace}");
    expect(document.getElementById("canvas-json-error")).toBeNull();
  });

  it("keeps an edit when the tab is left and opened again, and when data changes", async () => {
    const fake = backend();
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await shown();
    await user.type(box(), " ");
    cleanup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await waitFor(() => expect(box().value).toBe(`${CANVAS_JSON} `));
    expect(el("#canvas-edited")).toBeTruthy();

    const renamed = CANVAS_JSON.replace("Quiz Builder", "Quiz Builder 2");
    fake.on("export_canvas", renamed);
    app.refresh();
    await waitFor(() => expect(fake.callsOf("export_canvas")).toHaveLength(3));
    expect(box().value).toBe(`${CANVAS_JSON} `);
    await user.click(el("#canvas-reset"));
    expect(box().value).toBe(renamed);
  });

  it("indents with Tab inside the box", async () => {
    backend({ export_canvas: "{}" });
    const user = userEvent.setup();
    render(CanvasTab, { tool: PROFILE_TOOL });
    await waitFor(() => expect(box().value).toBe("{}"));
    box().focus();
    box().setSelectionRange(1, 1);
    await user.keyboard("{Tab}");
    expect(box().value).toBe("{  }");
    expect(document.activeElement).toBe(box());
  });
});
