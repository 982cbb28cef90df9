// The Checks page: checks any JWKS URL, lists the last result per URL, checks every platform.
// Its state outlives the page, so a check still running when the user leaves shows on return.

import { countFindings } from "../lib/checks";
import { normaliseError } from "../lib/errors";
import { plural } from "../lib/format";
import type { Ipc } from "../lib/ipc";
import type { JwksCheck, PlatformCheck, ToolSummary } from "../lib/ipc/bindings";
import { createChecksPage, EMPTY_CHECK_FORM, reveal, type CheckFormValues, type ChecksPageView } from "../views/checks";
import type { Shell } from "./rotation";

const FAST_TICK_MS = 100;
const SLOW_TICK_MS = 15_000;

export class ChecksController {
  private view: ChecksPageView | null = null;
  private form: CheckFormValues = EMPTY_CHECK_FORM;
  private running: { url: string; startedAt: number } | null = null;
  private result: JwksCheck | null = null;
  private last: JwksCheck[] | null = null;
  private platformProgress: { done: number; total: number } | null = null;
  private platformResults: PlatformCheck[] | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private period = 0;

  constructor(
    private readonly doc: Document,
    private readonly ipc: Ipc,
    private readonly shell: Shell,
    /** The sidebar entry of the page (`#nav-checks`), marked while the page is shown. */
    private readonly navButton: HTMLElement | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Builds the page (the caller shows it) and loads the last results. */
  mount(tools: readonly ToolSummary[]): HTMLElement {
    const view = createChecksPage(this.doc, tools, this.form, {
      onRun: (values) => void this.run(values),
      onFormChange: (values) => {
        this.form = values;
      },
      onCheckPlatforms: () => void this.checkPlatforms(),
      onShowCheck: (check) => this.show(check),
    });
    this.view = view;
    const now = this.now();
    view.setRunning(this.running, now);
    view.setResult(this.result, now);
    view.setLastChecks(this.last, now);
    view.setPlatformProgress(this.platformProgress);
    view.setPlatformResults(this.platformResults);
    this.navButton?.setAttribute("aria-current", "page");
    this.navButton?.classList.add("is-selected");
    void this.loadLast();
    this.schedule();
    return view.element;
  }

  /** Called whenever the main view changes: forgets the page once something else replaced it. */
  viewChanged(shown: Node): void {
    if (this.view !== null && shown === this.view.element) {
      return;
    }
    this.view = null;
    this.navButton?.removeAttribute("aria-current");
    this.navButton?.classList.remove("is-selected");
    this.schedule();
  }

  /** Whether the page is on screen. */
  get shown(): boolean {
    return this.view?.element.isConnected ?? false;
  }

  private current(): ChecksPageView | null {
    return this.view !== null && this.view.element.isConnected ? this.view : null;
  }

  private schedule(): void {
    const period = this.view === null ? 0 : this.running !== null ? FAST_TICK_MS : SLOW_TICK_MS;
    if (period === this.period) {
      return;
    }
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.period = period;
    if (period > 0) {
      this.timer = setInterval(() => {
        const view = this.current();
        if (view === null) {
          this.view = null;
          this.schedule();
          return;
        }
        view.tick(this.now());
      }, period);
    }
  }

  private async loadLast(): Promise<void> {
    try {
      this.last = await this.ipc.lastChecks();
      this.current()?.setLastChecks(this.last, this.now());
    } catch (error) {
      if (this.current() !== null) {
        this.shell.showError(normaliseError(error));
      }
    }
  }

  private show(check: JwksCheck): void {
    this.result = check;
    this.form = { url: check.url, role: check.role, expectTool: "" };
    const view = this.current();
    view?.setForm(this.form);
    view?.setResult(check, this.now());
    const slot = this.doc.getElementById("check-result");
    if (slot !== null) {
      reveal(slot, "start");
    }
  }

  async run(values: CheckFormValues): Promise<void> {
    if (this.running !== null) {
      return;
    }
    this.form = values;
    this.running = { url: values.url, startedAt: this.now() };
    this.current()?.setRunning(this.running, this.now());
    this.schedule();
    this.shell.clearError();
    try {
      const check = await this.ipc.checkJwks(values.url, values.role, values.expectTool === "" ? null : values.expectTool);
      this.result = check;
      this.current()?.setResult(check, this.now());
      const counts = countFindings(check.findings);
      this.shell.showToast(`Checked: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}`);
    } catch (error) {
      this.shell.showError(normaliseError(error));
    } finally {
      this.running = null;
      this.current()?.setRunning(null, this.now());
      this.schedule();
    }
    await this.loadLast();
  }

  async checkPlatforms(): Promise<void> {
    if (this.platformProgress !== null) {
      return;
    }
    this.platformProgress = { done: 0, total: 0 };
    this.current()?.setPlatformProgress(this.platformProgress);
    this.shell.clearError();
    try {
      const results = await this.ipc.checkPlatforms((progress) => {
        this.platformProgress = { done: progress.done, total: progress.total };
        this.current()?.setPlatformProgress(this.platformProgress);
      });
      this.platformResults = results;
      this.current()?.setPlatformResults(results);
      const failing = results.filter((item) => item.check !== null && countFindings(item.check.findings).error > 0).length;
      this.shell.showToast(
        results.length === 0
          ? "No platforms to check"
          : `Checked ${plural(results.length, "platform URL")}: ${failing === 0 ? "no errors" : `${failing} with errors`}`,
      );
    } catch (error) {
      this.shell.showError(normaliseError(error));
    } finally {
      this.platformProgress = null;
      this.current()?.setPlatformProgress(null);
    }
    await this.loadLast();
  }
}
