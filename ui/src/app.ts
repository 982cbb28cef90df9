// The application: state, navigation between the form and tool pages, and every user action.

import { normaliseError } from "./lib/errors";
import { h, must } from "./lib/dom";
import { plural } from "./lib/format";
import type { Ipc } from "./lib/ipc";
import type { AppStatus, GenerateKey, IpcError, Remedy, ToolProfile, ToolSummary } from "./lib/ipc/bindings";
import type { ToolFormValues } from "./lib/validation";
import { renderToolList } from "./views/sidebar";
import { ChecksController } from "./controllers/checks";
import { RotationController } from "./controllers/rotation";
import { markScreenNav, type ScreenContext } from "./controllers/context";
import { ImportScreen } from "./controllers/importCanvas";
import { PlatformsScreen } from "./controllers/platforms";
import { ToolTabs } from "./controllers/toolTabs";
import { createToolForm, EMPTY_TOOL_FORM, type ToolFormView } from "./views/toolForm";
import {
  createToolPage,
  DEFAULT_GENERATE_FORM,
  type GenerateFormValues,
  type KeygenJob,
  type ToolPageView,
} from "./views/toolPage";

/** How often the elapsed time of a running key generation is redrawn. */
const ELAPSED_TICK_MS = 100;

export class App {
  private readonly doc: Document;
  private readonly ipc: Ipc;
  private readonly now: () => number;

  private tools: ToolSummary[] = [];
  private selectedId: string | null = null;
  private page: ToolPageView | null = null;
  private form: ToolFormView | null = null;
  private toolDraft: ToolFormValues = EMPTY_TOOL_FORM;
  private readonly generateForms = new Map<string, GenerateFormValues>();
  private readonly jobs = new Map<string, KeygenJob>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Bumped on each navigation so late answers for a page no longer shown are dropped. */
  private navigation = 0;

  private readonly toolList: HTMLElement;
  private readonly view: HTMLElement;
  private readonly toast: HTMLElement;
  private readonly errorBanner: HTMLElement;
  private readonly errorMessage: HTMLElement;
  private readonly errorActions: HTMLElement;
  private readonly keychainWarning: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly rotation: RotationController;
  private readonly checks: ChecksController;
  private readonly toolTabs: ToolTabs;
  private readonly platforms: PlatformsScreen;
  private readonly importer: ImportScreen;

  constructor(doc: Document, ipc: Ipc, now: () => number = Date.now) {
    this.doc = doc;
    this.ipc = ipc;
    this.now = now;
    this.toolList = must(doc, "#tool-list");
    this.view = must(doc, "#view");
    this.toast = must(doc, "#toast");
    this.errorBanner = must(doc, "#error-banner");
    this.errorMessage = must(doc, "#error-message");
    this.errorActions = must(doc, "#error-actions");
    this.keychainWarning = must(doc, "#keychain-warning");
    this.footer = must(doc, "#app-footer");

    must(doc, "#new-tool").addEventListener("click", () => this.showNewToolForm());
    must(doc, "#error-dismiss").addEventListener("click", () => this.clearError());
    must(doc, "#orphans-remove").addEventListener("click", () => this.confirmOrphans(true));
    must(doc, "#orphans-cancel").addEventListener("click", () => this.confirmOrphans(false));
    must(doc, "#orphans-confirm").addEventListener("click", () => void this.removeOrphans());
    this.toast.addEventListener("click", () => {
      this.toast.hidden = true;
    });

    // Rotation on the tool page, and the Checks page.
    this.rotation = new RotationController(doc, ipc, this, {
      refreshKeys: (toolId) => this.refreshKeys(toolId),
      refreshTools: () => this.refreshTools(),
      copyJwks: (toolId) => this.copyJwks(toolId),
      saveJwks: (toolId) => this.saveJwks(toolId),
      copyJwk: (toolId, kid) => this.copyJwk(toolId, kid),
    }, now);
    const navChecks = doc.querySelector<HTMLElement>("#nav-checks");
    this.checks = new ChecksController(doc, ipc, this, navChecks, now);
    navChecks?.addEventListener("click", () => this.showChecks());

    // Profile, Canvas JSON and registrations on the tool page; the Platforms and Import pages.
    const screens: ScreenContext = {
      doc,
      ipc,
      showToast: (message) => this.showToast(message),
      showError: (error) => this.showError(error),
      clearError: () => this.clearError(),
      refreshTools: () => this.refreshTools(),
      openTool: (id) => this.showTool(id),
      openPlatforms: () => this.showScreen(this.platforms.render()),
    };
    this.toolTabs = new ToolTabs(screens);
    this.platforms = new PlatformsScreen(screens, (toolId) => {
      this.toolTabs.setTab(toolId, "registrations");
      void this.showTool(toolId);
    });
    this.importer = new ImportScreen(screens, async (toolId, findings) => {
      this.toolTabs.setImportReport(toolId, findings);
      this.toolTabs.setTab(toolId, "canvas");
      await this.refreshTools();
      await this.showTool(toolId);
    });
    ImportScreen.guardDrops(doc);
    doc.querySelector("#nav-platforms")?.addEventListener("click", () => this.showScreen(this.platforms.render()));
    doc.querySelector("#import-canvas")?.addEventListener("click", () => this.showScreen(this.importer.render()));
  }

  /** Loads the status and the tools, then opens the first tool (or the empty state). */
  async start(): Promise<void> {
    const token = this.navigation;
    const [status, tools] = await Promise.allSettled([this.ipc.appStatus(), this.ipc.listTools()]);
    if (status.status === "fulfilled") {
      this.showStatus(status.value);
    } else {
      this.showError(normaliseError(status.reason).message);
    }
    if (tools.status === "fulfilled") {
      this.tools = tools.value;
      this.renderSidebar();
    } else {
      this.showError(normaliseError(tools.reason).message);
    }
    if (token !== this.navigation) {
      // The user opened a page (e.g. the new-tool form) while the list was loading: keep it.
      return;
    }
    const first = this.firstTool();
    if (first !== undefined) {
      await this.showTool(first.id);
    } else {
      this.showEmpty();
    }
  }

  // Messages.

  /** Shows a success or info message in `#toast`; it stays until replaced or clicked. */
  showToast(message: string): void {
    this.toast.textContent = message;
    this.toast.hidden = false;
    this.toast.classList.remove("toast-enter");
    // Restart the entrance animation.
    void this.toast.offsetWidth;
    this.toast.classList.add("toast-enter");
  }

  /** Shows an error in the banner, with a button for each of its remedies the app carries out. */
  showError(error: string | IpcError): void {
    const failure = typeof error === "string" ? null : error;
    this.errorMessage.textContent = typeof error === "string" ? error : error.message;
    this.errorActions.replaceChildren(...(failure?.remedies ?? []).flatMap((remedy) => this.remedyButton(remedy)));
    this.errorActions.hidden = this.errorActions.childElementCount === 0;
    this.errorBanner.hidden = false;
  }

  clearError(): void {
    this.errorBanner.hidden = true;
    this.errorMessage.textContent = "";
    this.errorActions.replaceChildren();
  }

  /** The button that carries out a remedy in this window; none for a remedy it has no place for. */
  private remedyButton(remedy: Remedy): HTMLElement[] {
    const button = (label: string, run: () => void): HTMLElement[] => {
      const element = h(this.doc, "button", { type: "button", class: "btn btn-small", "data-remedy": remedy.kind }, label);
      element.addEventListener("click", () => {
        this.clearError();
        run();
      });
      return [element];
    };
    const toolTab = (name: string, tab: "keys" | "profile", label: string): HTMLElement[] => {
      const tool = this.tools.find((t) => t.name === name || t.id === name);
      if (tool === undefined) return [];
      return button(label, () => {
        this.toolTabs.setTab(tool.id, tab);
        void this.showTool(tool.id);
      });
    };
    switch (remedy.kind) {
      case "generate_key":
        return toolTab(remedy.tool, "keys", remedy.next ? "Generate a next key" : "Generate a key");
      case "import_private_key":
        return toolTab(remedy.tool, "keys", "Import the private key");
      case "list_keys":
        return toolTab(remedy.tool, "keys", "Show the keys");
      case "edit_tool":
        return toolTab(remedy.tool, "profile", "Edit the profile");
      case "list_platforms":
      case "update_platform":
      case "remove_registrations":
        return button("Open platforms", () => this.showScreen(this.platforms.render()));
      default:
        return [];
    }
  }

  private showStatus(status: AppStatus): void {
    this.footer.replaceChildren(
      h(this.doc, "span", { class: "footer-version", text: `Version ${status.version}` }),
      h(this.doc, "span", { class: "footer-label", text: "Data" }),
      h(this.doc, "span", {
        class: "footer-path mono selectable",
        title: status.data_dir,
        text: status.data_dir,
      }),
    );
    this.showRepairs(status);
    this.showOrphans(status);
    if (status.keychain_available) {
      this.keychainWarning.hidden = true;
      return;
    }
    must(this.keychainWarning, ".banner-message").textContent =
      status.keychain_message ?? "The OS keychain is not available.";
    this.keychainWarning.hidden = false;
  }

  /** Says what the start finished of keychain operations cut short (a kill, a locked keychain). */
  private showRepairs(status: AppStatus): void {
    const failed = status.repairs.filter((r) => r.error !== null);
    const done = status.repairs.length - failed.length;
    if (done > 0) {
      this.showToast(
        `Finished ${done} interrupted keychain operation${done === 1 ? "" : "s"}: ` +
          status.repairs
            .filter((r) => r.error === null)
            .map((r) => (r.kind === "generation_undone" ? `undid a cut-short generation of ${r.kid}` : `removed the private key of ${r.kid}`))
            .join("; "),
      );
    }
    if (failed.length > 0) {
      this.showError(
        `An interrupted keychain operation could not be finished yet (${failed.map((r) => r.kid).join(", ")}): ` +
          `${failed[0]?.error ?? ""}. It is tried again at the next start.`,
      );
    }
  }

  /** The banner listing private keys in the keychain that belong to no live key. */
  private showOrphans(status: AppStatus): void {
    const banner = must(this.doc, "#orphans-banner");
    const orphans = status.orphans ?? [];
    this.confirmOrphans(false);
    if (orphans.length === 0) {
      banner.hidden = true;
      return;
    }
    must(this.doc, "#orphans-message").textContent =
      `${orphans.length} private key${orphans.length === 1 ? " is" : "s are"} in the OS keychain without a live key ` +
      `(an interrupted generation, or a revoked key): ` +
      orphans.map((o) => `${o.tool} ${o.kid}${o.revoked ? " (revoked)" : ""}`).join(", ") +
      ". Nothing can sign with them here; removing them is safe.";
    must(this.doc, "#orphans-confirm").textContent = `Remove ${orphans.length} private key${orphans.length === 1 ? "" : "s"}`;
    banner.hidden = false;
  }

  /** Confirm-in-place for the orphan removal. */
  private confirmOrphans(asking: boolean): void {
    must(this.doc, "#orphans-remove").hidden = asking;
    must(this.doc, "#orphans-confirm").hidden = !asking;
    must(this.doc, "#orphans-cancel").hidden = !asking;
    if (asking) {
      must(this.doc, "#orphans-confirm").focus();
    }
  }

  private async removeOrphans(): Promise<void> {
    this.clearError();
    try {
      const before = must(this.doc, "#orphans-confirm").textContent ?? "";
      const status = await this.ipc.removeOrphans();
      this.showOrphans(status);
      this.showToast(`${before.replace(/^Remove/, "Removed")} from the keychain`);
    } catch (error) {
      this.confirmOrphans(false);
      this.showError(normaliseError(error));
    }
  }

  // Navigation.

  /** The tool listed first in the sidebar. */
  private firstTool(): ToolSummary | undefined {
    return [...this.tools].sort((a, b) =>
      a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
    )[0];
  }

  private renderSidebar(): void {
    renderToolList(this.toolList, this.tools, this.selectedId, (id) => void this.showTool(id));
  }

  private setView(node: Node): void {
    this.view.replaceChildren(node);
    this.checks.viewChanged(node);
    markScreenNav(this.doc, node);
  }

  private showEmpty(): void {
    this.navigation += 1;
    this.page = null;
    this.form = null;
    this.selectedId = null;
    this.renderSidebar();
    const button = h(this.doc, "button", { type: "button", class: "btn btn-primary" }, "Create a tool");
    button.addEventListener("click", () => this.showNewToolForm());
    this.setView(
      h(
        this.doc,
        "div",
        { class: "empty-state" },
        h(this.doc, "h1", { class: "page-title", text: "No tools yet" }),
        h(this.doc, "p", {
          class: "muted",
          text: "Create a tool to generate its RSA keys and export the JWKS your LMS needs.",
        }),
        button,
      ),
    );
  }

  showNewToolForm(): void {
    if (this.form !== null) {
      this.form.focusFirst();
      return;
    }
    this.navigation += 1;
    this.page = null;
    this.selectedId = null;
    this.clearError();
    this.renderSidebar();
    const form = createToolForm(this.doc, {
      initial: this.toolDraft,
      onChange: (values) => {
        this.toolDraft = values;
      },
      onSubmit: (input) => void this.saveTool(input),
      onCancel: () => {
        this.toolDraft = EMPTY_TOOL_FORM;
        this.form = null;
        const first = this.firstTool();
        if (first !== undefined) {
          void this.showTool(first.id);
        } else {
          this.showEmpty();
        }
      },
    });
    this.form = form;
    this.setView(form.element);
    form.focusFirst();
  }

  async showTool(id: string): Promise<void> {
    const token = ++this.navigation;
    if (this.selectedId !== id) {
      this.clearError();
    }
    this.form = null;
    this.selectedId = id;
    this.renderSidebar();
    let tool;
    let keys;
    try {
      [tool, keys] = await Promise.all([this.ipc.getTool(id), this.ipc.listKeys(id)]);
    } catch (error) {
      if (token === this.navigation) {
        this.showError(normaliseError(error));
      }
      return;
    }
    if (token !== this.navigation) {
      return;
    }
    const toolId = tool.id;
    const page = createToolPage(this.doc, tool, this.generateForms.get(toolId) ?? DEFAULT_GENERATE_FORM, {
      onGenerate: (values) => void this.generate(toolId, values),
      onGenerateFormChange: (values) => this.generateForms.set(toolId, values),
      onCopyJwk: (kid) => void this.copyJwk(toolId, kid),
      onCopyJwks: () => void this.copyJwks(toolId),
      onSaveJwks: () => void this.saveJwks(toolId),
      onDeleteKey: (kid) => void this.deleteKey(toolId, kid),
    });
    page.setKeys(keys);
    page.setKeygen(this.jobs.get(toolId) ?? null, this.now());
    this.page = page;
    this.setView(page.element);
    this.rotation.mount(page.element, tool, keys);
    this.toolTabs.mount(page.element, tool);
  }

  /** A page that is not a tool's (Platforms, Import Canvas JSON). */
  showScreen(node: HTMLElement): void {
    this.navigation += 1;
    this.page = null;
    this.form = null;
    this.selectedId = null;
    this.clearError();
    this.renderSidebar();
    this.setView(node);
  }

  /** The Checks page: any JWKS URL, the last results, every platform. */
  showChecks(): void {
    if (this.checks.shown) {
      return;
    }
    this.navigation += 1;
    this.page = null;
    this.form = null;
    this.selectedId = null;
    this.clearError();
    this.renderSidebar();
    this.setView(this.checks.mount(this.tools));
  }

  // Actions.

  private async refreshTools(): Promise<void> {
    try {
      this.tools = await this.ipc.listTools();
      this.renderSidebar();
    } catch (error) {
      this.showError(normaliseError(error));
    }
  }

  private async refreshKeys(toolId: string): Promise<void> {
    if (this.page?.toolId !== toolId) {
      return;
    }
    try {
      const keys = await this.ipc.listKeys(toolId);
      if (this.page?.toolId === toolId) {
        this.page.setKeys(keys);
        this.rotation.keysChanged(toolId, keys);
      }
    } catch (error) {
      this.showError(normaliseError(error));
    }
  }

  private async saveTool(input: ToolProfile): Promise<void> {
    const form = this.form;
    form?.setBusy(true);
    this.clearError();
    try {
      const tool = await this.ipc.addTool(input);
      this.toolDraft = EMPTY_TOOL_FORM;
      this.form = null;
      await this.refreshTools();
      await this.showTool(tool.id);
      this.showToast(`Tool ${tool.name} created`);
    } catch (error) {
      form?.setBusy(false);
      this.showError(normaliseError(error));
    }
  }

  private updateKeygen(): void {
    const page = this.page;
    if (page !== null) {
      page.setKeygen(this.jobs.get(page.toolId) ?? null, this.now());
    }
    if (this.jobs.size > 0 && this.timer === null) {
      this.timer = setInterval(() => this.updateKeygen(), ELAPSED_TICK_MS);
    } else if (this.jobs.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async generate(toolId: string, values: GenerateFormValues): Promise<void> {
    if (this.jobs.has(toolId)) {
      return;
    }
    const custom = values.scheme === "custom";
    const request: GenerateKey = {
      tool: toolId,
      bits: values.bits,
      kid_scheme: values.scheme === "custom" ? "thumbprint" : values.scheme,
      kid: custom ? values.customKid.trim() : null,
    };
    const job: KeygenJob = { toolId, bits: values.bits, stage: "generating", startedAt: this.now() };
    this.jobs.set(toolId, job);
    this.clearError();
    this.updateKeygen();
    try {
      const key = await this.ipc.generateKey(request, (progress) => {
        job.stage = progress.stage;
        this.updateKeygen();
      });
      this.jobs.delete(toolId);
      this.updateKeygen();
      if (custom) {
        this.generateForms.set(toolId, { ...values, customKid: "" });
        if (this.page?.toolId === toolId) {
          this.page.clearCustomKid();
        }
      }
      this.showToast(`Key ${key.kid} generated`);
      await Promise.all([this.refreshKeys(toolId), this.refreshTools()]);
    } catch (error) {
      this.jobs.delete(toolId);
      this.updateKeygen();
      this.showError(normaliseError(error));
    }
  }

  private async copyJwk(toolId: string, kid: string): Promise<void> {
    try {
      const jwk = await this.ipc.exportJwk(toolId, kid);
      await this.ipc.copyText(jwk);
      this.showToast(`Public JWK of ${kid} copied`);
    } catch (error) {
      this.showError(normaliseError(error));
    }
  }

  private async copyJwks(toolId: string): Promise<void> {
    const page = this.page;
    page?.setBusy("copy-jwks", true);
    try {
      const jwks = await this.ipc.exportJwks(toolId);
      await this.ipc.copyText(jwks);
      this.showToast(`JWKS copied (${plural(countKeys(jwks), "key")})`);
    } catch (error) {
      this.showError(normaliseError(error));
    } finally {
      page?.setBusy("copy-jwks", false);
    }
  }

  private async saveJwks(toolId: string): Promise<void> {
    const page = this.page;
    page?.setBusy("save-jwks", true);
    try {
      const saved = await this.ipc.saveJwks(toolId);
      if (saved.outcome === "saved") {
        this.showToast(`JWKS saved to ${saved.path}`);
      }
    } catch (error) {
      this.showError(normaliseError(error));
    } finally {
      page?.setBusy("save-jwks", false);
    }
  }

  private async deleteKey(toolId: string, kid: string): Promise<void> {
    this.clearError();
    try {
      const removal = await this.ipc.deleteKey(toolId, kid);
      this.showToast(`Key ${kid} deleted`);
      if (!removal.removed) {
        this.showError(
          `Key ${kid} is deleted, but its private key is still in the OS keychain: ` +
            `${removal.reason ?? "the keychain refused"}. It is removed the next time the app starts ` +
            "with the keychain available.",
        );
      }
    } catch (error) {
      this.showError(normaliseError(error));
    }
    await Promise.all([this.refreshKeys(toolId), this.refreshTools()]);
  }
}

/** The number of keys in a JWKS document, 0 when it cannot be read. */
export function countKeys(jwks: string): number {
  try {
    const parsed: unknown = JSON.parse(jwks);
    if (typeof parsed === "object" && parsed !== null && "keys" in parsed && Array.isArray(parsed.keys)) {
      return parsed.keys.length;
    }
  } catch {
    // Not JSON: nothing to count.
  }
  return 0;
}
