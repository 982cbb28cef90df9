// What the profile, Canvas, platform and registration screens need from the application.

import type { Ipc } from "../lib/ipc";
import type { IpcError } from "../lib/ipc/bindings";

/** Milliseconds of quiet typing before Canvas JSON is linted. */
export const LINT_DELAY_MS = 150;

export type ScreenContext = {
  doc: Document;
  ipc: Ipc;
  showToast(message: string): void;
  /** Shows an error in the banner, with a button for each remedy the app carries out. */
  showError(error: string | IpcError): void;
  clearError(): void;
  /** Reloads the sidebar's tools. */
  refreshTools(): Promise<void>;
  /** Opens a tool's page (re-rendering it when it is already open). */
  openTool(id: string): Promise<void>;
  openPlatforms(): void;
};

/** Marks the sidebar entry `[data-screen-nav]` of the screen now shown (`data-screen`), if any. */
export function markScreenNav(doc: Document, shown: Node): void {
  const screen = shown instanceof Element ? shown.getAttribute("data-screen") : null;
  for (const button of Array.from(doc.querySelectorAll<HTMLElement>("[data-screen-nav]"))) {
    const selected = screen !== null && button.getAttribute("data-screen-nav") === screen;
    button.classList.toggle("is-selected", selected);
    if (selected) {
      button.setAttribute("aria-current", "page");
    } else {
      button.removeAttribute("aria-current");
    }
  }
}
