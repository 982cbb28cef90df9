// What the platforms page opens with: the presets and the first page of cards, unfiltered. The
// sidebar reads it when Platforms is clicked and shows the page once it has come (see
// `navigateWhenReady`), so that the page is drawn complete, at once; a visit at the same
// revision opens with what was read before. Filtering and paging ask the backend, which keeps
// every platform and registration between changes of the database.

import { app } from "../../lib/app.svelte";
import { platformPage, platformPresets, type PlatformPage, type Preset } from "../../lib/ipc";

/**
 * How many platform cards the page shows at first, and adds at each "Show more": a card is about
 * 460 px high, so twenty fill several screens.
 */
export const PLATFORM_PAGE = 20;

export type FirstPage = { presets: Preset[]; page: PlatformPage };

/** The presets never change while the app runs: read once. */
let presets: Promise<Preset[]> | null = null;
let kept: (FirstPage & { revision: number }) | null = null;
/** The read under way, and the revision it began at. */
let reading: { revision: number; read: Promise<FirstPage> } | null = null;

/** The platform presets, read once. A failed read is tried again at the next call. */
export function readPresets(): Promise<Preset[]> {
  if (presets === null) {
    const read = platformPresets();
    presets = read;
    read.catch(() => {
      if (presets === read) presets = null;
    });
  }
  return presets;
}

/**
 * Reads what the page opens with, and keeps it for the revision the read began at. A read begun
 * at the same revision and still under way is shared, not made twice.
 */
export function readFirstPage(): Promise<FirstPage> {
  const revision = app.revision;
  if (reading !== null && reading.revision === revision) return reading.read;
  const read = (async () => {
    const [presetList, page] = await Promise.all([readPresets(), platformPage("", PLATFORM_PAGE, [])]);
    const first = { presets: presetList, page };
    // A read that began earlier than the one kept, and ended later, does not replace it.
    if (kept === null || kept.revision <= revision) kept = { revision, ...first };
    return first;
  })();
  const mine = { revision, read };
  reading = mine;
  const done = (): void => {
    if (reading === mine) reading = null;
  };
  read.then(done, done);
  return read;
}

/** What the page opens with, when it was read at the window's current revision. */
export function keptFirstPage(): FirstPage | null {
  return kept !== null && kept.revision === app.revision ? kept : null;
}

/** Forgets what was read, for tests. */
export function forgetPlatformData(): void {
  presets = null;
  kept = null;
  reading = null;
}
