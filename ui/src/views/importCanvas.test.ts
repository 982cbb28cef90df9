// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import { CANVAS_JSON, WRONG_MESSAGE_TYPE } from "../test/registrationFixtures";
import { createImportPage, EMPTY_IMPORT_DRAFT, looksLikeJsonFile, type ImportHandlers, type ImportView } from "./importCanvas";

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

/** Waits for FileReader callbacks. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function dropEvent(type: string, data: { files?: File[]; text?: string }): Event {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, "dataTransfer", {
    value: {
      files: data.files ?? [],
      getData: (format: string) => (format === "text/plain" ? (data.text ?? "") : ""),
      dropEffect: "none",
    },
  });
  return event;
}

describe("import page", () => {
  let view: ImportView;
  let handlers: { onInput: ReturnType<typeof vi.fn>; onImport: ReturnType<typeof vi.fn> };

  beforeEach(() => {
    handlers = { onInput: vi.fn(), onImport: vi.fn() };
    view = createImportPage(document, EMPTY_IMPORT_DRAFT, handlers as unknown as ImportHandlers);
    document.body.replaceChildren(view.element);
  });

  it("imports pasted JSON under an optional name", () => {
    expect(el<HTMLButtonElement>("#import-submit").disabled).toBe(true);
    const box = el<HTMLTextAreaElement>("#import-json");
    box.value = CANVAS_JSON;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    expect(handlers.onInput).toHaveBeenLastCalledWith({ json: CANVAS_JSON, name: "", fileName: null });
    el("#import-submit").click();
    expect(handlers.onImport).toHaveBeenLastCalledWith(CANVAS_JSON, null);

    const name = el<HTMLInputElement>("#import-name");
    name.value = "  Vendor Quiz ";
    name.dispatchEvent(new Event("input", { bubbles: true }));
    el("#import-submit").click();
    expect(handlers.onImport).toHaveBeenLastCalledWith(CANVAS_JSON, "Vendor Quiz");
  });

  it("previews the lint findings", () => {
    const box = el<HTMLTextAreaElement>("#import-json");
    box.value = CANVAS_JSON;
    view.setFindings([WRONG_MESSAGE_TYPE, { ...WRONG_MESSAGE_TYPE, code: "unknown-field", severity: "warning" }]);
    expect(Array.from(document.querySelectorAll("#import-findings [data-finding-code]"), (i) => i.getAttribute("data-finding-code"))).toEqual([
      "wrong-message-type",
      "unknown-field",
    ]);
    expect(el("#import-status").textContent).toBe("1 error, 1 warning");
  });

  it("reads a dropped file", async () => {
    const file = new File([CANVAS_JSON], "vendor.json", { type: "application/json" });
    const zone = el("#import-drop");
    zone.dispatchEvent(dropEvent("dragenter", {}));
    expect(zone.classList.contains("is-dragover")).toBe(true);
    const drop = dropEvent("drop", { files: [file] });
    zone.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(zone.classList.contains("is-dragover")).toBe(false);
    await until(() => el<HTMLTextAreaElement>("#import-json").value !== "");
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe(CANVAS_JSON);
    expect(el("#import-file-name").textContent).toBe("vendor.json");
    expect(handlers.onInput).toHaveBeenLastCalledWith({ json: CANVAS_JSON, name: "", fileName: "vendor.json" });
  });

  it("takes dropped text too", () => {
    el("#import-drop").dispatchEvent(dropEvent("drop", { text: '{"title":"x"}' }));
    expect(el<HTMLTextAreaElement>("#import-json").value).toBe('{"title":"x"}');
  });

  it("refuses files that are not JSON or too big, keeping what was there", () => {
    const box = el<HTMLTextAreaElement>("#import-json");
    box.value = "{}";
    view.readFile(new File(["<html>"], "page.html", { type: "text/html" }));
    expect(el("#import-error").textContent).toContain("page.html is not a .json file");
    view.readFile(new File([new Uint8Array(1_000_001)], "huge.json", { type: "application/json" }));
    expect(el("#import-error").textContent).toContain("huge.json is");
    expect(box.value).toBe("{}");
    expect(looksLikeJsonFile({ name: "config.JSON", type: "" })).toBe(true);
    expect(looksLikeJsonFile({ name: "x.txt", type: "text/plain" })).toBe(false);
  });
});
