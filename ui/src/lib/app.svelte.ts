// The window's own state, shared by every screen: which screen is shown, the error banner,
// the toasts, and a revision that goes up whenever the data may have changed (after a command,
// or when the window regains focus and the database changed meanwhile), so each screen reloads
// what it shows.

import { tick } from "svelte";

import { normaliseError } from "./errors";
import type { IpcError } from "./ipc/bindings";

export type ToolTab = "keys" | "profile" | "canvas" | "registrations";

export type Route =
  | { screen: "start" }
  | { screen: "new-tool" }
  | { screen: "tool"; id: string; tab: ToolTab }
  | { screen: "edit-tool"; id: string }
  | { screen: "platforms" }
  | { screen: "import" }
  | { screen: "import-bundle" }
  | { screen: "checks" }
  | { screen: "inspect" }
  | { screen: "team" };

export type Toast = { id: number; message: string };

/** How long a toast stays before it goes by itself. */
export const TOAST_MS = 4500;

/** How long [`AppState.navigateWhenReady`] waits for a screen's data before showing it anyway. */
export const READY_WAIT_MS = 250;

class AppState {
  route = $state<Route>({ screen: "start" });
  /** The error in the banner, if any. */
  error = $state<IpcError | null>(null);
  toasts = $state<Toast[]>([]);
  /** Goes up after each command that may have changed data, and when the window regains focus
   * after the database changed (see `lib/changes.ts`). */
  revision = $state(0);
  /** The text typed into the sidebar filter. */
  filter = $state("");
  #nextToast = 1;
  /** Bumped by each navigation, so a screen whose data arrives after another was opened stays shut. */
  #navigations = 0;

  navigate(route: Route): void {
    this.#navigations += 1;
    this.clearError();
    this.route = route;
  }

  /**
   * Navigates once `ready` (the reads of what the screen first shows) settles, or after
   * [`READY_WAIT_MS`]: the screen then replaces the old one in one go, complete, instead of
   * showing its loading state first (each step a repaint of the whole view). Dropped when the
   * user navigated elsewhere meanwhile.
   */
  async navigateWhenReady(route: Route, ready: Promise<unknown>): Promise<void> {
    const mine = ++this.#navigations;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, READY_WAIT_MS)));
    await Promise.race([ready.catch(() => undefined), waited]);
    clearTimeout(timer);
    if (mine === this.#navigations) this.navigate(route);
  }

  openTool(id: string, tab: ToolTab = "keys"): void {
    this.navigate({ screen: "tool", id, tab });
  }

  /** Tells every screen to reload what it shows. */
  refresh(): void {
    this.revision += 1;
  }

  showError(error: unknown): void {
    this.error = normaliseError(error);
  }

  clearError(): void {
    this.error = null;
  }

  toast(message: string): void {
    const id = this.#nextToast++;
    this.toasts = [{ id, message }];
    setTimeout(() => this.dismissToast(id), TOAST_MS);
  }

  dismissToast(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Back to the first state, for tests. */
  reset(): void {
    this.route = { screen: "start" };
    this.error = null;
    this.toasts = [];
    this.revision = 0;
    this.filter = "";
  }
}

export const app = new AppState();

/**
 * Shows a failed call's error: under its field when `fields` maps the error's field to the id
 * of a control on the form (the control is scrolled into view and focused), else in the banner.
 * Answers the field errors to show (empty when the banner took it).
 */
export async function showFailure(
  error: unknown,
  fields: Record<string, string> = {},
): Promise<Record<string, string>> {
  const failure = normaliseError(error);
  const id = failure.field !== null ? fields[failure.field] : undefined;
  if (id === undefined) {
    app.showError(failure);
    return {};
  }
  app.clearError();
  void focusControl(id);
  return { [failure.field ?? ""]: failure.message };
}

/**
 * Scrolls the control with `id` into view and focuses it, once the DOM shows the change: to the
 * middle of the view, or with `block` "nearest" only as far as it takes to show it whole.
 */
export async function focusControl(id: string, block: "center" | "nearest" = "center"): Promise<void> {
  await tick();
  const element = document.getElementById(id);
  if (element === null) return;
  element.scrollIntoView({ block });
  element.focus({ preventScroll: true });
}
