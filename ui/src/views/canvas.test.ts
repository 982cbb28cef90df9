// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import { CANVAS_JSON, NO_PLACEMENTS, WRONG_MESSAGE_TYPE } from "../test/registrationFixtures";
import { createCanvasPanel, type CanvasPanelHandlers, type CanvasPanelView } from "./canvas";

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

describe("Canvas JSON panel", () => {
  let view: CanvasPanelView;
  let handlers: { [K in keyof CanvasPanelHandlers]: ReturnType<typeof vi.fn> };

  beforeEach(() => {
    handlers = { onInput: vi.fn(), onCopy: vi.fn(), onSave: vi.fn(), onReset: vi.fn(), onOpenTab: vi.fn() };
    view = createCanvasPanel(document, handlers as unknown as CanvasPanelHandlers);
    document.body.replaceChildren(view.element);
  });

  it("shows the export beside its findings, errors first, each with code, path, message and fix", () => {
    view.setExport(CANVAS_JSON, CANVAS_JSON);
    view.setFindings([NO_PLACEMENTS, WRONG_MESSAGE_TYPE]);

    expect(el<HTMLTextAreaElement>("#canvas-json").value).toBe(CANVAS_JSON);
    const items = Array.from(document.querySelectorAll("#canvas-findings [data-finding-code]"));
    expect(items.map((item) => item.getAttribute("data-finding-code"))).toEqual(["wrong-message-type", "no-placements"]);
    const first = items[0]!;
    expect(first.querySelector(".sev")?.textContent).toBe("Error");
    expect(first.querySelector(".finding-path")?.textContent).toBe(
      "extensions[0].settings.placements[0].message_typecourse_navigation",
    );
    expect(first.querySelector(".finding-message")?.textContent).toBe(WRONG_MESSAGE_TYPE.message);
    expect(first.querySelector(".finding-fix")?.textContent).toBe("Fix: Use LtiResourceLinkRequest for course_navigation");
    expect(el("#canvas-status").textContent).toBe("1 error, 1 warning");
    expect(el("#canvas-status").className).toContain("status-error");
    expect(el("#canvas-edited").hidden).toBe(true);
    expect(el<HTMLButtonElement>("#canvas-reset").disabled).toBe(true);
  });

  it("says so when there is nothing to fix", () => {
    view.setExport(CANVAS_JSON, CANVAS_JSON);
    view.setFindings([]);
    expect(el("#canvas-findings").textContent).toBe("No findings: Canvas should accept this JSON.");
    expect(el("#canvas-status").className).toContain("status-ok");
  });

  it("reports edits, marks the box as edited and offers the reset", () => {
    view.setExport(CANVAS_JSON, CANVAS_JSON);
    const box = el<HTMLTextAreaElement>("#canvas-json");
    box.value = CANVAS_JSON.replace("LtiResourceLinkRequest", "LtiDeepLinkingRequest");
    box.dispatchEvent(new Event("input", { bubbles: true }));

    expect(handlers.onInput).toHaveBeenCalledWith(box.value);
    expect(el("#canvas-edited").hidden).toBe(false);
    expect(el<HTMLButtonElement>("#canvas-reset").disabled).toBe(false);
    el("#canvas-copy").click();
    expect(handlers.onCopy).toHaveBeenCalledWith(box.value);
    el("#canvas-reset").click();
    expect(handlers.onReset).toHaveBeenCalledOnce();
    el("#canvas-save").click();
    expect(handlers.onSave).toHaveBeenCalledOnce();
  });

  it("keeps an edit given back on return", () => {
    const edited = `${CANVAS_JSON} `;
    view.setExport(CANVAS_JSON, edited);
    expect(el<HTMLTextAreaElement>("#canvas-json").value).toBe(edited);
    expect(el("#canvas-edited").hidden).toBe(false);
  });

  it("selects the value a finding's path points at", () => {
    const broken = CANVAS_JSON.replace("LtiResourceLinkRequest", "LtiDeepLinkingRequest");
    view.setExport(CANVAS_JSON, broken);
    view.setFindings([WRONG_MESSAGE_TYPE]);
    el<HTMLButtonElement>('#canvas-findings [data-finding-code="wrong-message-type"] button.finding-path').click();
    const box = el<HTMLTextAreaElement>("#canvas-json");
    expect(box.value.slice(box.selectionStart, box.selectionEnd)).toBe('"LtiDeepLinkingRequest"');
    expect(document.activeElement).toBe(box);
  });

  it("shows the export error with its fix and ways to fix it", () => {
    view.setExportError({
      kind: "invalid",
      message: "public key: tool 'Quiz' has no JWKS URL and no current key, and Canvas needs one of them. Fix: generate a key",
      field: "public_jwk",
      remedies: [
        { kind: "generate_key", tool: "Quiz", next: false },
        { kind: "edit_tool", tool: "Quiz", field: "jwks_url" },
      ],
    });
    expect(el("#canvas-export-error").hidden).toBe(false);
    expect(el("#canvas-export-error").textContent).toContain("Fix: generate a key");
    expect(el("#canvas-json").closest("[hidden]")).not.toBeNull();
    el('#canvas-export-error [data-open-tab="keys"]').click();
    expect(handlers.onOpenTab).toHaveBeenCalledWith("keys");
    el('#canvas-export-error [data-open-tab="profile"]').click();
    expect(handlers.onOpenTab).toHaveBeenCalledWith("profile");

    view.setExportError({
      kind: "invalid",
      message: "launch URL: tool 'Quiz' has none. Fix: set it",
      field: "launch_url",
      remedies: [{ kind: "edit_tool", tool: "Quiz", field: "launch_url" }],
    });
    expect(el('#canvas-export-error [data-open-tab="keys"]').hidden).toBe(true);
    expect(el('#canvas-export-error [data-open-tab="profile"]').hidden).toBe(false);
  });

  it("indents with Tab inside the box", () => {
    view.setExport("{}", "{}");
    const box = el<HTMLTextAreaElement>("#canvas-json");
    box.setSelectionRange(1, 1);
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true }));
    expect(box.value).toBe("{  }");
    expect(handlers.onInput).toHaveBeenCalledWith("{  }");
  });
});
