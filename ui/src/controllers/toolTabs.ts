// The tool page's tabs beyond its keys: Profile (summary and editor), Canvas JSON (export with
// live lint), and Registrations (deployments and hand-off). Anything else on the page belongs to
// the Keys tab.

import { debounce } from "../lib/debounce";
import { h } from "../lib/dom";
import { normaliseError } from "../lib/errors";
import type { Choices, Finding, Platform, Registration, Tool } from "../lib/ipc/bindings";
import { draftFromTool, serverErrorKey, type ProfileDraft } from "../lib/profile";
import { createCanvasPanel, type CanvasPanelView } from "../views/canvas";
import { findingsList } from "../views/findings";
import { createProfileForm, createProfileSummary } from "../views/profile";
import {
  createRegistrationsPanel,
  EMPTY_REGISTRATION_DRAFT,
  type RegistrationDraft,
  type RegistrationsView,
} from "../views/registrations";
import { LINT_DELAY_MS, type ScreenContext } from "./context";

export const TOOL_TABS = ["keys", "profile", "canvas", "registrations"] as const;
export type ToolTab = (typeof TOOL_TABS)[number];

const TAB_LABELS: Record<ToolTab, string> = {
  keys: "Keys",
  profile: "Profile",
  canvas: "Canvas JSON",
  registrations: "Registrations",
};

function isToolTab(value: string): value is ToolTab {
  return (TOOL_TABS as readonly string[]).includes(value);
}

/** State kept per tool while the app runs, so nothing typed is lost on navigation. */
export class ToolTabs {
  private readonly ctx: ScreenContext;
  private choices: Promise<Choices> | null = null;
  private readonly tabs = new Map<string, ToolTab>();
  private readonly profileDrafts = new Map<string, ProfileDraft>();
  private readonly canvasDrafts = new Map<string, string>();
  private readonly registrationDrafts = new Map<string, RegistrationDraft>();
  private readonly selectedRegistration = new Map<string, string>();
  private readonly importReports = new Map<string, Finding[]>();

  constructor(ctx: ScreenContext) {
    this.ctx = ctx;
  }

  /** The tab a tool's page opens on next. */
  setTab(toolId: string, tab: ToolTab): void {
    this.tabs.set(toolId, tab);
  }

  tabOf(toolId: string): ToolTab {
    return this.tabs.get(toolId) ?? "keys";
  }

  /** Findings of an import, shown on the tool's page until dismissed. */
  setImportReport(toolId: string, findings: Finding[]): void {
    this.importReports.set(toolId, findings);
  }

  /** The valid profile choices, asked for once. */
  loadChoices(): Promise<Choices> {
    if (this.choices === null) {
      this.choices = this.ctx.ipc.ltiChoices().catch((error: unknown) => {
        this.choices = null;
        throw error;
      });
    }
    return this.choices;
  }

  /** Adds the tab bar and the profile, Canvas and registration panels to a tool page. */
  mount(page: HTMLElement, tool: Tool): void {
    const doc = this.ctx.doc;
    const header = page.querySelector(":scope > .page-header");
    const tabList = h(doc, "div", { id: "tool-tabs", class: "tool-tabs", role: "tablist", "aria-label": "Tool sections" });
    const buttons = new Map<ToolTab, HTMLButtonElement>();
    for (const tab of TOOL_TABS) {
      const button = h(doc, "button", {
        type: "button",
        id: `tab-${tab}`,
        class: "tool-tab",
        role: "tab",
        "data-tab": tab,
        "aria-controls": tab === "keys" ? null : `${tab}-panel`,
        text: TAB_LABELS[tab],
      });
      buttons.set(tab, button);
      tabList.append(button);
    }
    const panels = {
      profile: h(doc, "div", { id: "profile-panel", class: "tool-panel", role: "tabpanel", "aria-labelledby": "tab-profile", hidden: true }),
      canvas: h(doc, "div", { id: "canvas-panel", class: "tool-panel", role: "tabpanel", "aria-labelledby": "tab-canvas", hidden: true }),
      registrations: h(doc, "div", {
        id: "registrations-panel",
        class: "tool-panel",
        role: "tabpanel",
        "aria-labelledby": "tab-registrations",
        hidden: true,
      }),
    };

    const report = this.importReport(tool);
    const anchor = header ?? page.firstChild;
    if (anchor !== null && anchor.parentNode === page) {
      anchor.after(...(report !== null ? [report] : []), tabList);
    } else {
      page.prepend(...(report !== null ? [report] : []), tabList);
    }
    page.append(panels.profile, panels.canvas, panels.registrations);

    const profile = this.profilePanel(panels.profile, tool);
    const canvas = this.canvasPanel(panels.canvas, tool, (tab) => activate(tab, true));
    const registrations = this.registrationsPanel(panels.registrations, tool);

    const activate = (tab: ToolTab, focus = false): void => {
      this.tabs.set(tool.id, tab);
      page.setAttribute("data-tab", tab);
      for (const [name, button] of buttons) {
        const selected = name === tab;
        button.setAttribute("aria-selected", selected ? "true" : "false");
        button.tabIndex = selected ? 0 : -1;
        button.classList.toggle("is-selected", selected);
      }
      panels.profile.hidden = tab !== "profile";
      panels.canvas.hidden = tab !== "canvas";
      panels.registrations.hidden = tab !== "registrations";
      if (tab === "profile") profile.show();
      if (tab === "canvas") canvas.show();
      if (tab === "registrations") registrations.show();
      if (focus) buttons.get(tab)?.focus();
    };

    tabList.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-tab]") : null;
      const tab = target?.getAttribute("data-tab") ?? "";
      if (isToolTab(tab)) activate(tab);
    });
    tabList.addEventListener("keydown", (event) => {
      const current = TOOL_TABS.indexOf(this.tabOf(tool.id));
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      const next = TOOL_TABS[(current + step + TOOL_TABS.length) % TOOL_TABS.length] ?? "keys";
      activate(next, true);
    });
    activate(this.tabOf(tool.id));
  }

  private importReport(tool: Tool): HTMLElement | null {
    const findings = this.importReports.get(tool.id);
    if (findings === undefined) return null;
    const doc = this.ctx.doc;
    const dismiss = h(doc, "button", { type: "button", id: "import-report-dismiss", class: "btn btn-small" }, "Dismiss");
    const element = h(
      doc,
      "section",
      { id: "import-report", class: "card import-report", "aria-labelledby": "import-report-heading" },
      h(
        doc,
        "div",
        { class: "card-header" },
        h(doc, "h2", { id: "import-report-heading", text: "Imported from Canvas JSON" }),
        h(doc, "div", { class: "card-actions" }, dismiss),
      ),
      findings.length === 0
        ? h(doc, "p", { class: "muted", text: "Everything in the JSON was imported." })
        : h(doc, "p", { class: "muted small section-intro", text: "What the import reported: what Canvas would refuse, and what the tool record could not keep." }),
      findings.length === 0 ? null : findingsList(doc, findings, {}, {}),
    );
    dismiss.addEventListener("click", () => {
      this.importReports.delete(tool.id);
      element.remove();
    });
    return element;
  }

  // Profile.

  private profilePanel(panel: HTMLElement, tool: Tool): { show(): void } {
    const ctx = this.ctx;
    const doc = ctx.doc;
    let loaded = false;

    const fail = (message: string): void => {
      panel.replaceChildren(h(doc, "div", { class: "notice notice-warning", role: "alert", text: message }));
    };

    const renderSummary = (choices: Choices): void => {
      const summary = createProfileSummary(doc, tool, choices, () => {
        this.profileDrafts.set(tool.id, draftFromTool(tool));
        renderForm(choices);
      });
      panel.replaceChildren(summary.element);
    };

    const renderForm = (choices: Choices): void => {
      const draft = this.profileDrafts.get(tool.id) ?? draftFromTool(tool);
      const form = createProfileForm(doc, tool, choices, draft, {
        onChange: (next) => this.profileDrafts.set(tool.id, next),
        onCancel: () => {
          this.profileDrafts.delete(tool.id);
          renderSummary(choices);
          panel.querySelector<HTMLElement>("#profile-edit")?.focus();
        },
        onSave: (input) => {
          void (async () => {
            form.setBusy(true);
            ctx.clearError();
            try {
              const saved = await ctx.ipc.updateTool(tool.id, input);
              this.profileDrafts.delete(tool.id);
              this.canvasDrafts.delete(tool.id);
              this.tabs.set(saved.id, "profile");
              await ctx.refreshTools();
              await ctx.openTool(saved.id);
              ctx.showToast(`Profile of ${saved.name} saved`);
            } catch (error) {
              form.setBusy(false);
              const failure = normaliseError(error);
              const key = serverErrorKey(failure);
              form.showErrors(key === null ? {} : { [key]: failure.message }, failure.message);
            }
          })();
        },
      });
      panel.replaceChildren(form.element);
    };

    return {
      show: () => {
        if (loaded) return;
        loaded = true;
        panel.replaceChildren(h(doc, "p", { class: "loading muted", text: "Loading the profile…" }));
        this.loadChoices().then(
          (choices) => {
            if (!panel.isConnected) return;
            if (this.profileDrafts.has(tool.id)) {
              renderForm(choices);
            } else {
              renderSummary(choices);
            }
          },
          (error: unknown) => {
            loaded = false;
            fail(normaliseError(error).message);
          },
        );
      },
    };
  }

  // Canvas JSON.

  private canvasPanel(panel: HTMLElement, tool: Tool, openTab: (tab: ToolTab) => void): { show(): void } {
    const ctx = this.ctx;
    let exported: string | null = null;
    let lintRun = 0;
    let exportRun = 0;

    const lint = async (text: string): Promise<void> => {
      const run = ++lintRun;
      view.setChecking(true);
      try {
        const findings = await ctx.ipc.lintCanvas(text);
        if (run === lintRun && panel.isConnected) view.setFindings(findings);
      } catch (error) {
        if (run === lintRun) ctx.showError(normaliseError(error));
      }
    };
    const lintSoon = debounce((text: string) => void lint(text), LINT_DELAY_MS);

    const view: CanvasPanelView = createCanvasPanel(ctx.doc, {
      onInput: (text) => {
        if (exported !== null && text === exported) {
          this.canvasDrafts.delete(tool.id);
        } else {
          this.canvasDrafts.set(tool.id, text);
        }
        view.setChecking(true);
        lintSoon(text);
      },
      onCopy: (text) => {
        void (async () => {
          view.setBusy("copy", true);
          try {
            await ctx.ipc.copyText(text);
            ctx.showToast(this.canvasDrafts.has(tool.id) ? "Edited Canvas JSON copied" : "Canvas JSON copied");
          } catch (error) {
            ctx.showError(normaliseError(error));
          } finally {
            view.setBusy("copy", false);
          }
        })();
      },
      onSave: () => {
        void (async () => {
          view.setBusy("save", true);
          try {
            const saved = await ctx.ipc.saveCanvas(tool.id);
            if (saved.outcome === "saved") ctx.showToast(`Canvas JSON saved to ${saved.path}`);
          } catch (error) {
            ctx.showError(normaliseError(error));
          } finally {
            view.setBusy("save", false);
          }
        })();
      },
      onReset: () => {
        if (exported === null) return;
        lintSoon.cancel();
        this.canvasDrafts.delete(tool.id);
        view.setExport(exported, exported);
        void lint(exported);
      },
      onOpenTab: (tab) => {
        if (isToolTab(tab)) openTab(tab);
      },
    });
    panel.replaceChildren(view.element);

    return {
      show: () => {
        const run = ++exportRun;
        void (async () => {
          try {
            const json = await ctx.ipc.exportCanvas(tool.id);
            if (run !== exportRun || !panel.isConnected) return;
            exported = json;
            const text = this.canvasDrafts.get(tool.id) ?? json;
            view.setExport(json, text);
            await lint(text);
          } catch (error) {
            if (run !== exportRun || !panel.isConnected) return;
            exported = null;
            view.setExportError(normaliseError(error));
          }
        })();
      },
    };
  }

  // Registrations.

  private registrationsPanel(panel: HTMLElement, tool: Tool): { show(): void } {
    const ctx = this.ctx;
    let registrations: Registration[] = [];
    let platforms: Platform[] = [];
    let loadRun = 0;
    let handoffRun = 0;

    const selectedOf = (): string | null => {
      const chosen = this.selectedRegistration.get(tool.id);
      if (chosen === "") return null;
      if (chosen !== undefined && registrations.some((r) => r.id === chosen)) return chosen;
      return registrations[0]?.id ?? null;
    };

    const loadHandoff = async (registration: string): Promise<void> => {
      const run = ++handoffRun;
      try {
        const handoff = await ctx.ipc.registrationHandoff(registration);
        if (run === handoffRun && panel.isConnected) view.setHandoff(registration, handoff);
      } catch (error) {
        if (run === handoffRun && panel.isConnected) view.setHandoff(registration, null, normaliseError(error).message);
      }
    };

    const refresh = async (): Promise<void> => {
      const run = ++loadRun;
      try {
        const [nextRegistrations, nextPlatforms] = await Promise.all([
          ctx.ipc.listRegistrations(tool.id, null),
          ctx.ipc.listPlatforms(),
        ]);
        if (run !== loadRun || !panel.isConnected) return;
        registrations = nextRegistrations;
        platforms = nextPlatforms;
        const selected = selectedOf();
        view.setData(registrations, platforms, selected);
        if (selected !== null) await loadHandoff(selected);
      } catch (error) {
        if (run === loadRun) ctx.showError(normaliseError(error));
      }
    };

    const view: RegistrationsView = createRegistrationsPanel(
      ctx.doc,
      this.registrationDrafts.get(tool.id) ?? EMPTY_REGISTRATION_DRAFT,
      {
        onDraftChange: (draft) => this.registrationDrafts.set(tool.id, draft),
        onOpenPlatforms: () => ctx.openPlatforms(),
        onSelect: (registration) => {
          this.selectedRegistration.set(tool.id, registration);
          const selected = selectedOf();
          view.setData(registrations, platforms, selected);
          if (selected !== null) void loadHandoff(selected);
        },
        onCopy: (text, what) => {
          void ctx.ipc.copyText(text).then(
            () => ctx.showToast(`${what} copied`),
            (error: unknown) => ctx.showError(normaliseError(error)),
          );
        },
        onAdd: (input) => {
          void (async () => {
            view.setFormBusy(true);
            ctx.clearError();
            try {
              const registration = await ctx.ipc.addRegistration({ tool: tool.id, ...input });
              view.resetForm();
              this.registrationDrafts.delete(tool.id);
              this.selectedRegistration.set(tool.id, registration.id);
              ctx.showToast(`Registered on ${registration.platform_name} as client_id ${registration.client_id}`);
              await refresh();
            } catch (error) {
              const failure = normaliseError(error);
              const field =
                failure.kind === "duplicate_registration" || failure.field === "client_id"
                  ? "client_id"
                  : failure.kind === "deployment_exists" || failure.field?.startsWith("deployments") === true
                    ? "deployments"
                    : failure.kind === "platform_not_found"
                      ? "platform"
                      : undefined;
              view.showFormError(failure.message, field);
            } finally {
              view.setFormBusy(false);
            }
          })();
        },
        onAddDeployment: (registration, deployment) => {
          void (async () => {
            try {
              await ctx.ipc.addDeployment(registration, deployment);
              ctx.showToast(`Deployment ${deployment.deployment_id} added`);
              await refresh();
            } catch (error) {
              view.showDeploymentError(registration, normaliseError(error).message);
            }
          })();
        },
        onRemoveDeployment: (registration, deploymentId) => {
          void (async () => {
            try {
              await ctx.ipc.removeDeployment(registration, deploymentId);
              ctx.showToast(`Deployment ${deploymentId} removed`);
            } catch (error) {
              ctx.showError(normaliseError(error));
            }
            await refresh();
          })();
        },
      },
    );
    panel.replaceChildren(view.element);

    return {
      show: () => void refresh(),
    };
  }
}
