// The Checks page's state: the form, the check running (with its ticket, to cancel it), its
// result, the last result per URL, and the check of every platform. It lives outside the page,
// so a check still running when the user leaves shows when they come back.

import { app, focusControl, showFailure } from "../../lib/app.svelte";
import { normaliseError } from "../../lib/errors";
import {
  cancelCheck,
  checkJwks,
  checkPlatforms,
  lastChecks,
  type CheckProgress,
  type JwksCheck,
  type JwksRole,
  type PlatformCheck,
} from "../../lib/ipc";
import { countFindings } from "../../lib/checks";
import { plural } from "../../lib/format";
import { checkUrl } from "../../lib/validation";

/** How long a load of the last results stays good for the page opened after it. */
const FRESH_MS = 2000;

/** The kind a check rejects with once `cancelCheck` stopped it (not in the bindings yet). */
const CANCELLED = "cancelled";

export type CheckForm = { url: string; role: JwksRole; expectTool: string };

export type Running = { url: string; ticket: number; startedAt: number };

function emptyForm(): CheckForm {
  return { url: "", role: "platform", expectTool: "" };
}

class ChecksState {
  form = $state<CheckForm>(emptyForm());
  /** The error under the URL field. */
  urlError = $state<string | null>(null);
  running = $state<Running | null>(null);
  /** Set while the cancel request is on its way. */
  cancelling = $state(false);
  result = $state<JwksCheck | null>(null);
  /** The last run was cancelled (said quietly where the result goes). */
  cancelled = $state(false);
  /** The last result per URL, newest first; null until loaded. */
  last = $state<JwksCheck[] | null>(null);
  lastFailed = $state(false);
  platformProgress = $state<CheckProgress | null>(null);
  platformResults = $state<PlatformCheck[] | null>(null);
  /** Each run's ticket: unique in this window (random start, then counting up). */
  #nextTicket = 1 + Math.floor(Math.random() * 2 ** 30);

  /** The window's revision and the time of the last good load of `last`. */
  #loaded: { revision: number; at: number } | null = null;

  /** Loads the last results; a failure shows in the banner unless `report` is false. */
  async loadLast(report = true): Promise<void> {
    try {
      this.last = await lastChecks();
      this.lastFailed = false;
      this.#loaded = { revision: app.revision, at: Date.now() };
    } catch (error) {
      this.#loaded = null;
      if (!report) return;
      this.lastFailed = true;
      app.showError(error);
    }
  }

  /** Whether the last results were loaded just now, at the window's revision (as the sidebar
   * does before it opens the page). */
  lastIsFresh(): boolean {
    const loaded = this.#loaded;
    return loaded !== null && loaded.revision === app.revision && Date.now() - loaded.at < FRESH_MS;
  }

  /** Runs the check the form describes; answers false when the form was refused. */
  async run(): Promise<boolean> {
    if (this.running !== null) return false;
    const url = this.form.url.trim();
    this.urlError = checkUrl(url, "JWKS URL");
    if (this.urlError !== null) {
      void focusControl("check-url");
      return false;
    }
    const expectTool = this.form.role === "tool" && this.form.expectTool !== "" ? this.form.expectTool : null;
    const ticket = this.#nextTicket++;
    this.running = { url, ticket, startedAt: Date.now() };
    this.cancelled = false;
    app.clearError();
    try {
      const check = await checkJwks(url, this.form.role, expectTool, ticket);
      this.result = check;
      const counts = countFindings(check.findings);
      app.toast(`Checked: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}`);
    } catch (error) {
      if (normaliseError(error).kind === (CANCELLED as string)) {
        this.cancelled = true;
      } else {
        const fields = await showFailure(error, { url: "check-url" });
        this.urlError = fields.url ?? null;
      }
    } finally {
      this.running = null;
      this.cancelling = false;
    }
    await this.loadLast();
    return true;
  }

  /** Asks the running check to stop; it then rejects as cancelled. */
  async cancel(): Promise<void> {
    const running = this.running;
    if (running === null || this.cancelling) return;
    this.cancelling = true;
    try {
      await cancelCheck(running.ticket);
    } catch (error) {
      this.cancelling = false;
      // A check that ended meanwhile has nothing left to cancel.
      if (this.running?.ticket === running.ticket) app.showError(error);
    }
  }

  /** Shows a past result and puts its URL and role in the form. */
  show(check: JwksCheck): void {
    this.form = { url: check.url, role: check.role, expectTool: "" };
    this.urlError = null;
    this.cancelled = false;
    this.result = check;
  }

  async checkPlatforms(): Promise<void> {
    if (this.platformProgress !== null) return;
    this.platformProgress = { done: 0, total: 0 };
    app.clearError();
    try {
      const results = await checkPlatforms((progress) => {
        this.platformProgress = { done: progress.done, total: progress.total };
      });
      this.platformResults = results;
      const failing = results.filter((item) => item.check !== null && countFindings(item.check.findings).error > 0).length;
      app.toast(
        results.length === 0
          ? "No platforms to check"
          : `Checked ${plural(results.length, "platform URL")}: ${failing === 0 ? "no errors" : `${failing} with errors`}`,
      );
    } catch (error) {
      app.showError(error);
    } finally {
      this.platformProgress = null;
    }
    await this.loadLast();
  }

  /** Back to the first state, for tests. */
  reset(): void {
    this.form = emptyForm();
    this.urlError = null;
    this.running = null;
    this.cancelling = false;
    this.result = null;
    this.cancelled = false;
    this.last = null;
    this.lastFailed = false;
    this.#loaded = null;
    this.platformProgress = null;
    this.platformResults = null;
  }
}

export const checks = new ChecksState();
