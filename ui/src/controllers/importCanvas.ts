// The import screen: lints what is dropped, chosen or pasted, imports it as a new tool, and opens
// that tool with the import's findings.

import { debounce } from "../lib/debounce";
import { normaliseError } from "../lib/errors";
import { plural } from "../lib/format";
import type { Finding } from "../lib/ipc/bindings";
import { createImportPage, EMPTY_IMPORT_DRAFT, type ImportDraft } from "../views/importCanvas";
import { LINT_DELAY_MS, type ScreenContext } from "./context";

export type ImportOpened = (toolId: string, findings: Finding[]) => Promise<void>;

export class ImportScreen {
  private readonly ctx: ScreenContext;
  private readonly opened: ImportOpened;
  private draft: ImportDraft = EMPTY_IMPORT_DRAFT;

  constructor(ctx: ScreenContext, opened: ImportOpened) {
    this.ctx = ctx;
    this.opened = opened;
  }

  /**
   * Keeps files dropped outside a drop zone from replacing the page (the window hands every drop
   * to the web view). Dragged text still goes where it is dropped.
   */
  static guardDrops(doc: Document): void {
    const outside = (event: DragEvent): boolean =>
      Array.from(event.dataTransfer?.types ?? []).includes("Files") &&
      !(event.target instanceof Element && event.target.closest(".drop-zone") !== null);
    doc.addEventListener("dragover", (event) => {
      if (outside(event)) {
        event.preventDefault();
        if (event.dataTransfer !== null) event.dataTransfer.dropEffect = "none";
      }
    });
    doc.addEventListener("drop", (event) => {
      if (outside(event)) event.preventDefault();
    });
  }

  render(): HTMLElement {
    const ctx = this.ctx;
    let run = 0;
    const lint = async (json: string): Promise<void> => {
      const mine = ++run;
      if (json.trim() === "") {
        view.setFindings([]);
        return;
      }
      view.setChecking(true);
      try {
        const findings = await ctx.ipc.lintCanvas(json);
        if (mine === run) view.setFindings(findings);
      } catch (error) {
        if (mine === run) view.showError(normaliseError(error).message);
      }
    };
    const lintSoon = debounce((json: string) => void lint(json), LINT_DELAY_MS);

    const view = createImportPage(ctx.doc, this.draft, {
      onInput: (draft) => {
        this.draft = draft;
        view.setChecking(true);
        lintSoon(draft.json);
      },
      onImport: (json, name) => {
        void (async () => {
          lintSoon.cancel();
          view.setBusy(true);
          ctx.clearError();
          try {
            const imported = await ctx.ipc.importCanvas(json, name);
            this.draft = EMPTY_IMPORT_DRAFT;
            await this.opened(imported.tool.id, imported.findings);
            const notes = imported.findings.length;
            ctx.showToast(
              notes === 0
                ? `Imported ${imported.tool.name}`
                : `Imported ${imported.tool.name} (${plural(notes, "finding")} to review)`,
            );
          } catch (error) {
            view.setBusy(false);
            view.showError(normaliseError(error).message);
          }
        })();
      },
    });
    if (this.draft.json.trim() !== "") void lint(this.draft.json);
    const root = view.element;
    root.setAttribute("data-screen", "import");
    return root;
  }
}
