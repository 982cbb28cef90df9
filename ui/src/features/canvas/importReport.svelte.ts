// What the last Canvas import reported, kept for the new tool's Canvas tab to show (the import
// page opens that tab right after importing). One report at a time; dismissing drops it.

import type { Finding } from "../../lib/ipc";

export type LastImport = { toolId: string; findings: Finding[] };

class ImportReport {
  last = $state<LastImport | null>(null);

  /** The report of `toolId`, if its import is the last one and was not dismissed. */
  of(toolId: string): Finding[] | null {
    return this.last !== null && this.last.toolId === toolId ? this.last.findings : null;
  }

  dismiss(): void {
    this.last = null;
  }
}

export const importReport = new ImportReport();
