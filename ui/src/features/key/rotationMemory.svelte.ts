// What the rotation panel keeps per tool beyond one visit of its page (the outcome of the last
// rotation, for its reminder; a rotation or JWKS check under way; the last check result), and the
// two jobs that write it, which finish even when the page was left meanwhile.

import { app } from "../../lib/app.svelte";
import { countFindings } from "../../lib/checks";
import { plural } from "../../lib/format";
import { checkJwks, rotateKeys } from "../../lib/ipc";
import type { JwksCheck, RotationOutcome, Tool } from "../../lib/ipc/bindings";

class RotationMemory {
  /** The last rotation's outcome of each tool, until its reminder is dismissed. */
  reminders = $state<Record<string, RotationOutcome>>({});
  /** When the rotation under way of a tool started (epoch ms). */
  rotating = $state<Record<string, number>>({});
  /** When the JWKS check under way of a tool started (epoch ms). */
  checking = $state<Record<string, number>>({});
  /** The last JWKS check this window ran for a tool. */
  checks = $state<Record<string, JwksCheck>>({});

  /** Rotates the tool's keys; answers whether it did. */
  async rotate(toolId: string): Promise<boolean> {
    if (this.rotating[toolId] !== undefined) return false;
    this.rotating[toolId] = Date.now();
    app.clearError();
    try {
      const outcome = await rotateKeys(toolId);
      this.reminders[toolId] = outcome;
      app.toast(`Rotated: ${outcome.current} signs now`);
      return true;
    } catch (error) {
      app.showError(error);
      return false;
    } finally {
      delete this.rotating[toolId];
    }
  }

  /** Checks the tool's JWKS URL against its keys; answers the result, if one came. */
  async check(tool: Tool): Promise<JwksCheck | null> {
    const url = tool.jwks_url;
    if (url === null || this.checking[tool.id] !== undefined) return null;
    this.checking[tool.id] = Date.now();
    app.clearError();
    try {
      const check = await checkJwks(url, "tool", tool.id);
      this.checks[tool.id] = check;
      const counts = countFindings(check.findings);
      app.toast(`JWKS checked: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}`);
      return check;
    } catch (error) {
      app.showError(error);
      return null;
    } finally {
      delete this.checking[tool.id];
    }
  }

  forgetReminder(toolId: string): void {
    delete this.reminders[toolId];
  }

  /** Back to nothing remembered, for tests. */
  reset(): void {
    this.reminders = {};
    this.rotating = {};
    this.checking = {};
    this.checks = {};
  }
}

export const rotationMemory = new RotationMemory();
