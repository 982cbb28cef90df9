// The tool page's rotation and published-JWKS sections: loads their state, runs their actions,
// and keeps what outlives one visit of the page (the reminder after a rotation, the last check
// result, running jobs) per tool.

import { countFindings } from "../lib/checks";
import type { PolicySecs } from "../lib/duration";
import { normaliseError } from "../lib/errors";
import { plural } from "../lib/format";
import type { Ipc } from "../lib/ipc";
import type { IpcError, JwksCheck, KeyInfo, RotationOutcome, Tool } from "../lib/ipc/bindings";
import { reveal } from "../views/checks";
import { createRotationView, type RotationView } from "../views/rotation";

/** The messages of the window. */
export type Shell = {
  showToast(message: string): void;
  showError(error: string | IpcError): void;
  clearError(): void;
};

/** What the rest of the app does for this section. */
export type RotationHooks = {
  /** Reloads the keys of the tool (the keys table, then `keysChanged`). */
  refreshKeys(toolId: string): Promise<void>;
  /** Reloads the sidebar's tool list (key counts, current kid). */
  refreshTools(): Promise<void>;
  copyJwks(toolId: string): Promise<void>;
  saveJwks(toolId: string): Promise<void>;
  copyJwk(toolId: string, kid: string): Promise<void>;
};

/** While a job runs the progress lines are redrawn this often; otherwise only the ages. */
const FAST_TICK_MS = 100;
const SLOW_TICK_MS = 15_000;

/** A retire refused because of the overlap window (the one refusal "Retire anyway" can override). */
export function isOverlapRefusal(error: Pick<IpcError, "kind">): boolean {
  return error.kind === "retire_too_early";
}

/** Where the section goes on the tool page: after the card holding `#generate-key`, else at the end. */
export function insertSections(page: HTMLElement, sections: readonly HTMLElement[]): void {
  const anchor = page.querySelector("#generate-key")?.closest(".card") ?? null;
  if (anchor !== null && anchor.parentNode !== null) {
    anchor.after(...sections);
  } else {
    page.append(...sections);
  }
}

export class RotationController {
  private view: RotationView | null = null;
  private readonly reminders = new Map<string, RotationOutcome>();
  private readonly results = new Map<string, JwksCheck>();
  private readonly checking = new Map<string, number>();
  private readonly rotating = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private period = 0;
  /** Bumped on each state request so an older answer cannot overwrite a newer one. */
  private stateRequest = 0;

  constructor(
    private readonly doc: Document,
    private readonly ipc: Ipc,
    private readonly shell: Shell,
    private readonly hooks: RotationHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** Builds the sections for `tool` and puts them on its freshly built page. */
  mount(page: HTMLElement, tool: Tool, keys: readonly KeyInfo[]): RotationView {
    const id = tool.id;
    const view = createRotationView(this.doc, tool, {
      onRotate: () => void this.rotate(id),
      onRetire: (kid, force) => void this.retire(id, kid, force),
      onRevoke: (kid) => void this.revoke(id, kid),
      onSavePolicy: (policy) => void this.savePolicy(id, policy),
      onCopyJwks: () => void this.hooks.copyJwks(id),
      onSaveJwks: () => void this.hooks.saveJwks(id),
      onCopyJwk: (kid) => void this.hooks.copyJwk(id, kid),
      onCheckJwks: () => void this.checkJwks(tool),
      onDismissReminder: () => {
        this.reminders.delete(id);
        this.viewFor(id)?.setReminder(null);
      },
    });
    this.view = view;
    insertSections(page, view.elements);
    const now = this.now();
    view.setKeys(keys, now);
    view.setReminder(this.reminders.get(id) ?? null);
    view.setRotating(this.rotating.get(id) ?? null, now);
    view.setChecking(this.checking.get(id) ?? null, now);
    view.setCheck(this.results.get(id) ?? null, now);
    void this.loadState(id);
    void this.loadLastCheck(tool);
    this.schedule();
    return view;
  }

  /** The keys of `toolId` changed (generated, deleted, rotated…): redraw and reload the plan. */
  keysChanged(toolId: string, keys: readonly KeyInfo[]): void {
    const view = this.viewFor(toolId);
    if (view === null) {
      return;
    }
    view.setKeys(keys, this.now());
    void this.loadState(toolId);
  }

  /** The view of `toolId` while it is on screen. */
  private viewFor(toolId: string): RotationView | null {
    const view = this.view;
    if (view === null || view.toolId !== toolId || !(view.elements[0]?.isConnected ?? false)) {
      return null;
    }
    return view;
  }

  private async loadState(toolId: string): Promise<void> {
    const request = ++this.stateRequest;
    try {
      const state = await this.ipc.rotationState(toolId);
      if (request === this.stateRequest) {
        this.viewFor(toolId)?.setState(state, this.now());
      }
    } catch (error) {
      if (this.viewFor(toolId) !== null) {
        this.shell.showError(normaliseError(error));
      }
    }
  }

  private async loadLastCheck(tool: Tool): Promise<void> {
    if (tool.jwks_url === null) {
      return;
    }
    try {
      const checks = await this.ipc.lastChecks();
      const last = checks.find((check) => check.url === tool.jwks_url) ?? null;
      const view = this.viewFor(tool.id);
      if (view !== null && !this.results.has(tool.id)) {
        view.setLastCheck(last, this.now());
      }
    } catch {
      // Only a hint: the page works without it.
    }
  }

  private schedule(): void {
    const connected = this.view?.elements[0]?.isConnected ?? false;
    const busy = this.rotating.size > 0 || this.checking.size > 0;
    const period = !connected ? 0 : busy ? FAST_TICK_MS : SLOW_TICK_MS;
    if (period === this.period) {
      return;
    }
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.period = period;
    if (period > 0) {
      this.timer = setInterval(() => this.tick(), period);
    }
  }

  private tick(): void {
    const view = this.view;
    if (view === null || !(view.elements[0]?.isConnected ?? false)) {
      this.view = null;
      this.schedule();
      return;
    }
    view.tick(this.now());
  }

  private async afterChange(toolId: string): Promise<void> {
    await Promise.all([this.hooks.refreshKeys(toolId), this.hooks.refreshTools()]);
  }

  async rotate(toolId: string): Promise<void> {
    if (this.rotating.has(toolId)) {
      return;
    }
    const started = this.now();
    this.rotating.set(toolId, started);
    this.viewFor(toolId)?.setRotating(started, started);
    this.schedule();
    this.shell.clearError();
    try {
      const outcome = await this.ipc.rotateKeys(toolId);
      this.reminders.set(toolId, outcome);
      this.viewFor(toolId)?.setReminder(outcome);
      this.shell.showToast(`Rotated: ${outcome.current} signs now`);
    } catch (error) {
      this.shell.showError(normaliseError(error));
    } finally {
      this.rotating.delete(toolId);
      this.viewFor(toolId)?.setRotating(null, this.now());
      this.schedule();
    }
    await this.afterChange(toolId);
  }

  async retire(toolId: string, kid: string, force: boolean): Promise<void> {
    this.shell.clearError();
    this.viewFor(toolId)?.setKeyBusy(kid);
    try {
      await this.ipc.retireKey(toolId, kid, force);
      this.shell.showToast(force ? `Key ${kid} retired early: no longer published` : `Key ${kid} retired: no longer published`);
    } catch (error) {
      const failure = normaliseError(error);
      const view = this.viewFor(toolId);
      view?.setKeyBusy(null);
      if (!force && isOverlapRefusal(failure) && view !== null) {
        view.showRetireRefused(kid, failure.message);
      } else {
        this.shell.showError(failure);
      }
    } finally {
      this.viewFor(toolId)?.setKeyBusy(null);
    }
    await this.afterChange(toolId);
  }

  async revoke(toolId: string, kid: string): Promise<void> {
    this.shell.clearError();
    this.viewFor(toolId)?.setKeyBusy(kid);
    try {
      const { signing, private_key } = await this.ipc.revokeKey(toolId, kid);
      this.shell.showToast(
        signing === null
          ? `Key ${kid} revoked: publish the new JWKS now so it leaves the published set`
          : `Key ${kid} revoked; ${signing} signs now: publish the new JWKS now`,
      );
      if (!private_key.removed) {
        this.shell.showError(
          `Key ${kid} is revoked and unpublished, but its private key is still in the OS keychain: ` +
            `${private_key.reason ?? "the keychain refused"}. It is removed the next time the app ` +
            "starts with the keychain available.",
        );
      }
    } catch (error) {
      this.shell.showError(normaliseError(error));
    } finally {
      this.viewFor(toolId)?.setKeyBusy(null);
    }
    await this.afterChange(toolId);
  }

  async savePolicy(toolId: string, policy: PolicySecs): Promise<void> {
    this.shell.clearError();
    this.viewFor(toolId)?.setPolicySaving(true);
    try {
      const saved = await this.ipc.setPolicy(toolId, policy);
      this.viewFor(toolId)?.setPolicySaving(false);
      this.viewFor(toolId)?.setPolicySaved(saved);
      this.shell.showToast("Rotation policy saved");
      await this.loadState(toolId);
    } catch (error) {
      this.viewFor(toolId)?.setPolicySaving(false);
      this.shell.showError(normaliseError(error));
    }
  }

  /** The live check of the tool's JWKS URL against its keys. */
  async checkJwks(tool: Tool): Promise<void> {
    const url = tool.jwks_url;
    if (url === null || this.checking.has(tool.id)) {
      return;
    }
    const started = this.now();
    this.checking.set(tool.id, started);
    this.viewFor(tool.id)?.setChecking(started, started);
    this.schedule();
    this.shell.clearError();
    try {
      const check = await this.ipc.checkJwks(url, "tool", tool.id);
      this.results.set(tool.id, check);
      const view = this.viewFor(tool.id);
      view?.setCheck(check, this.now());
      view?.setLastCheck(null, this.now());
      const counts = countFindings(check.findings);
      this.shell.showToast(
        `JWKS checked: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}`,
      );
      const slot = this.doc.getElementById("tool-check-result");
      if (slot !== null) {
        reveal(slot, "nearest");
      }
    } catch (error) {
      this.shell.showError(normaliseError(error));
    } finally {
      this.checking.delete(tool.id);
      this.viewFor(tool.id)?.setChecking(null, this.now());
      this.schedule();
    }
  }
}
