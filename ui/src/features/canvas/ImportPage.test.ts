import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import App from "../../App.svelte";
import { app } from "../../lib/app.svelte";
import type { CanvasImported, Finding } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { el, findingCodes as codes } from "../../test/dom";
import { CANVAS_JSON, PROFILE_TOOL, WRONG_MESSAGE_TYPE } from "../../test/registrationFixtures";
import { guardDrops } from "./dropGuard";
import ImportReport from "./ImportReport.svelte";
import { importReport } from "./importReport.svelte";

const UNKNOWN_FIELD: Finding = {
  code: "unknown-field",
  severity: "warning",
  path: "$.vendor_extra",
  message: "vendor_extra is not a Canvas field; Canvas ignores it",
  fix: "remove it",
};

async function openImport(handlers: Parameters<typeof fakeBackend>[0] = {}) {
  const backend = fakeBackend({ lint_canvas: [], get_tool: PROFILE_TOOL, ...handlers });
  app.route = { screen: "import" };
  const user = userEvent.setup();
  render(App);
  await screen.findByRole("heading", { name: "Import Canvas JSON" });
  return { backend, user };
}

afterEach(() => importReport.dismiss());

describe("the import page", () => {
  it("starts empty: nothing to check, nothing to import", async () => {
    const { backend } = await openImport();
    expect(el("#import-findings").textContent).toContain("Nothing to check yet.");
    expect(el<HTMLButtonElement>("#import-submit").disabled).toBe(true);
    expect(backend.callsOf("lint_canvas")).toEqual([]);
  });

  it("lints what is typed once typing pauses, saying it is checking meanwhile", async () => {
    const lint = deferred<Finding[]>();
    const { backend, user } = await openImport({ lint_canvas: () => lint.promise });
    await user.type(el("#import-json"), '{{"title": "Quiz", "vendor_extra": 1}');
    expect(el("#import-status").textContent).toContain("Checking");
    await waitFor(() => expect(backend.callsOf("lint_canvas")).toHaveLength(1));
    expect(backend.callsOf("lint_canvas")[0]).toEqual({ json: '{"title": "Quiz", "vendor_extra": 1}' });
    lint.resolve([UNKNOWN_FIELD]);
    await waitFor(() => expect(codes("#import-findings")).toEqual(["unknown-field"]));
    expect(el("#import-status").textContent).not.toContain("Checking");
    expect(document.activeElement?.id).toBe("import-json");
  });

  it("selects the value a finding is about in the JSON", async () => {
    const json = '{"title": "Quiz", "vendor_extra": 1}';
    const { user } = await openImport({ lint_canvas: [UNKNOWN_FIELD] });
    await user.click(el("#import-json"));
    await user.paste(json);
    const path = await waitFor(() => el('#import-findings [data-finding-path="$.vendor_extra"]'));
    await user.click(path);
    const box = el<HTMLTextAreaElement>("#import-json");
    expect(document.activeElement).toBe(box);
    expect(json.slice(box.selectionStart, box.selectionEnd)).toBe("1");
  });

  it("says a clean JSON should be accepted", async () => {
    const { user } = await openImport();
    await user.click(el("#import-json"));
    await user.paste(CANVAS_JSON);
    await waitFor(() => expect(el("#import-findings").textContent).toContain("Canvas should accept this JSON"));
  });

  it("imports under the name typed, opens the new tool's Canvas tab and keeps its findings there", async () => {
    const answer = deferred<CanvasImported>();
    const { backend, user } = await openImport({ lint_canvas: [WRONG_MESSAGE_TYPE], import_canvas: () => answer.promise });
    await user.click(el("#import-json"));
    await user.paste(CANVAS_JSON);
    await user.type(el("#import-name"), "Quiz (imported)");
    await user.click(el("#import-submit"));
    expect(el("#import-submit").textContent).toContain("Importing");
    expect(el<HTMLButtonElement>("#import-submit").disabled).toBe(true);
    expect(backend.callsOf("import_canvas")).toEqual([{ json: CANVAS_JSON, name: "Quiz (imported)" }]);
    answer.resolve({ tool: PROFILE_TOOL, findings: [WRONG_MESSAGE_TYPE, UNKNOWN_FIELD] });
    await waitFor(() => expect(app.route).toEqual({ screen: "tool", id: PROFILE_TOOL.id, tab: "canvas" }));
    expect(importReport.last).toEqual({ toolId: PROFILE_TOOL.id, findings: [WRONG_MESSAGE_TYPE, UNKNOWN_FIELD] });
    expect(el("#toast").textContent).toContain(`Imported ${PROFILE_TOOL.name} (2 findings to review)`);
  });

  it("imports without a name as the JSON's title", async () => {
    const { backend, user } = await openImport({ import_canvas: { tool: PROFILE_TOOL, findings: [] } });
    await user.click(el("#import-json"));
    await user.paste(CANVAS_JSON);
    await user.click(el("#import-submit"));
    await waitFor(() => expect(app.route.screen).toBe("tool"));
    expect(backend.callsOf("import_canvas")[0]?.name).toBeNull();
    expect(el("#toast").textContent).toContain(`Imported ${PROFILE_TOOL.name}`);
  });

  it("shows a taken name under the name field and keeps the draft", async () => {
    const { user } = await openImport({
      import_canvas: () => Promise.reject(failure("tool_exists", "A tool called Quiz Builder exists.", "name")),
    });
    await user.click(el("#import-json"));
    await user.paste(CANVAS_JSON);
    await user.click(el("#import-submit"));
    await waitFor(() => expect(el("#import-name-error").textContent).toBe("A tool called Quiz Builder exists."));
    expect(document.querySelector("#error-banner")).toBeNull();
    expect(el("#import-name").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement?.id).toBe("import-name"));
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe(CANVAS_JSON);
    expect(app.route).toEqual({ screen: "import" });
    expect(el<HTMLButtonElement>("#import-submit").disabled).toBe(false);
  });

  it("shows a document that is not a Canvas JSON under the JSON", async () => {
    const { user } = await openImport({
      import_canvas: () => Promise.reject(failure("invalid", "Not JSON: expected value at line 1 column 1.")),
    });
    await user.type(el("#import-json"), "nope");
    await user.click(el("#import-submit"));
    await waitFor(() => expect(el("#import-json-error").textContent).toContain("Not JSON"));
    expect(document.querySelector("#error-banner")).toBeNull();
    expect(document.activeElement?.id).toBe("import-json");
  });

  it("shows other failures in the banner", async () => {
    const { user } = await openImport({ import_canvas: () => Promise.reject(failure("database", "The database is locked.")) });
    await user.type(el("#import-json"), "{{}");
    await user.click(el("#import-submit"));
    await waitFor(() => expect(el("#error-banner").textContent).toContain("The database is locked."));
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe("{}");
  });

  it("keeps a file dropped outside the drop zone from opening, on any page", async () => {
    fakeBackend();
    render(App);
    await waitFor(() => expect(document.querySelector("#nav-checks")).not.toBeNull());
    const outside = new Event("drop", { bubbles: true, cancelable: true }) as DragEvent;
    Object.defineProperty(outside, "dataTransfer", { value: { types: ["Files"], files: [] } });
    el("#nav-checks").dispatchEvent(outside);
    expect(outside.defaultPrevented).toBe(true);
    const text = new Event("drop", { bubbles: true, cancelable: true }) as DragEvent;
    Object.defineProperty(text, "dataTransfer", { value: { types: ["text/plain"], files: [] } });
    el("#nav-checks").dispatchEvent(text);
    expect(text.defaultPrevented).toBe(false);
  });

  it("takes the text of a dropped file", async () => {
    const { backend } = await openImport();
    const file = new File([CANVAS_JSON], "quiz.json", { type: "application/json" });
    const drop = new Event("drop", { bubbles: true, cancelable: true }) as DragEvent;
    Object.defineProperty(drop, "dataTransfer", { value: { types: ["Files"], files: [file], getData: () => "" } });
    el("#import-drop").dispatchEvent(drop);
    await waitFor(() => expect(el<HTMLTextAreaElement>("#import-json").value).toBe(CANVAS_JSON));
    expect(el("#import-file-name").textContent).toBe("quiz.json");
    await waitFor(() => expect(backend.callsOf("lint_canvas")).toEqual([{ json: CANVAS_JSON }]));
  });
});

describe("the import report", () => {
  it("shows the findings of the tool just imported until dismissed", async () => {
    importReport.last = { toolId: "t1", findings: [UNKNOWN_FIELD] };
    const user = userEvent.setup();
    render(ImportReport, { toolId: "t1" });
    expect(codes("#import-report")).toEqual(["unknown-field"]);
    await user.click(el("#import-report-dismiss"));
    expect(document.querySelector("#import-report")).toBeNull();
    expect(importReport.last).toBeNull();
  });

  it("shows nothing on another tool", () => {
    importReport.last = { toolId: "t1", findings: [UNKNOWN_FIELD] };
    render(ImportReport, { toolId: "t2" });
    expect(document.querySelector("#import-report")).toBeNull();
  });
});

describe("guardDrops", () => {
  it("can be removed", () => {
    const doc = document.implementation.createHTMLDocument("guarded");
    const drop = (): Event => {
      const event = new Event("drop", { bubbles: true, cancelable: true });
      Object.defineProperty(event, "dataTransfer", { value: { types: ["Files"], files: [] } });
      doc.body.dispatchEvent(event);
      return event;
    };
    const stop = guardDrops(doc);
    expect(drop().defaultPrevented).toBe(true);
    stop();
    expect(drop().defaultPrevented).toBe(false);
  });
});
