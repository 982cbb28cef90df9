// The platforms screen: loads presets, platforms and registrations, and runs add, remove and
// discovery; the add form's values are kept while the user looks elsewhere.

import { h } from "../lib/dom";
import { normaliseError } from "../lib/errors";
import type { Preset } from "../lib/ipc/bindings";
import { emptyPlatformForm, platformErrorField, type PlatformFormValues } from "../lib/platforms";
import { createPlatformsPage, type PlatformsView } from "../views/platforms";
import type { ScreenContext } from "./context";

export class PlatformsScreen {
  private readonly ctx: ScreenContext;
  private readonly openToolRegistrations: (toolId: string) => void;
  private presets: Promise<Preset[]> | null = null;
  private form: { values: PlatformFormValues; open: boolean } | null = null;

  constructor(ctx: ScreenContext, openToolRegistrations: (toolId: string) => void) {
    this.ctx = ctx;
    this.openToolRegistrations = openToolRegistrations;
  }

  private loadPresets(): Promise<Preset[]> {
    if (this.presets === null) {
      this.presets = this.ctx.ipc.platformPresets().catch((error: unknown) => {
        this.presets = null;
        throw error;
      });
    }
    return this.presets;
  }

  /** The screen's root: filled once presets, platforms and registrations have loaded. */
  render(): HTMLElement {
    const ctx = this.ctx;
    const root = h(ctx.doc, "div", { class: "screen", "data-screen": "platforms" });
    root.append(h(ctx.doc, "p", { class: "loading muted", text: "Loading platforms…" }));
    void (async () => {
      try {
        const [presets, platforms, registrations] = await Promise.all([
          this.loadPresets(),
          ctx.ipc.listPlatforms(),
          ctx.ipc.listRegistrations(null, null),
        ]);
        const view = this.page(presets, platforms.length === 0);
        view.setData(platforms, registrations);
        root.replaceChildren(view.element);
      } catch (error) {
        root.replaceChildren(
          h(ctx.doc, "div", { class: "notice notice-warning", role: "alert", text: normaliseError(error).message }),
        );
      }
    })();
    return root;
  }

  private page(presets: Preset[], empty: boolean): PlatformsView {
    const ctx = this.ctx;
    const first = presets[0]?.family ?? "custom";
    const initial = this.form ?? { values: emptyPlatformForm(first), open: empty };

    const refresh = async (): Promise<void> => {
      try {
        const [platforms, registrations] = await Promise.all([
          ctx.ipc.listPlatforms(),
          ctx.ipc.listRegistrations(null, null),
        ]);
        view.setData(platforms, registrations);
      } catch (error) {
        ctx.showError(normaliseError(error));
      }
    };

    const view = createPlatformsPage(ctx.doc, presets, initial, {
      onFormChange: (values, open) => {
        this.form = { values, open };
      },
      onAdd: (input) => {
        void (async () => {
          view.setFormBusy(true);
          ctx.clearError();
          try {
            const platform = await ctx.ipc.addPlatform(input);
            view.resetForm();
            this.form = null;
            ctx.showToast(`Platform ${platform.name} added`);
            await refresh();
          } catch (error) {
            const failure = normaliseError(error);
            view.showFormError(failure.message, platformErrorField(failure));
          } finally {
            view.setFormBusy(false);
          }
        })();
      },
      onRemove: (platform) => {
        void (async () => {
          ctx.clearError();
          try {
            await ctx.ipc.removePlatform(platform);
            ctx.showToast("Platform removed");
          } catch (error) {
            ctx.showError(normaliseError(error));
          }
          await refresh();
        })();
      },
      onDiscover: (platform, url, acceptIssuer, registrationToken) => {
        void (async () => {
          view.setDiscoverBusy(true);
          try {
            const outcome = await ctx.ipc.discoverPlatform(platform, url, acceptIssuer, registrationToken);
            view.setDiscovery(platform, outcome);
            await refresh();
          } catch (error) {
            view.setDiscovery(platform, null, normaliseError(error).message);
          } finally {
            view.setDiscoverBusy(false);
          }
        })();
      },
      onOpenTool: (tool) => this.openToolRegistrations(tool),
    });
    return view;
  }
}
