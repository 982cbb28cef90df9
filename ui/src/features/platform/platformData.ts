// What the platforms page shows (the presets, the platforms in order, each one's registrations
// in brief and the text its filter searches), kept between visits at the window's revision: the
// page opens with it at once, and reads it again only when the data may have changed (the
// revision went up). What is derived from the read (the order, the grouping, the folded text)
// is made once per read here, not at each visit. The window also reads it in the background once
// it has started and after each change (`warmPlatformData`), so that a visit rarely waits for it.

import { app } from "../../lib/app.svelte";
import { byNaturalName } from "../../lib/format";
import { listPlatforms, listRegistrationBriefs, platformPresets, type Platform, type Preset, type RegistrationBrief } from "../../lib/ipc";
import { platformSearchText, registrationsByPlatform } from "./platforms";

export type PlatformData = {
  presets: Preset[];
  /** In natural order of their names. */
  platforms: Platform[];
  /** The registrations on each platform, by platform id. */
  byPlatform: ReadonlyMap<string, RegistrationBrief[]>;
  /** Each platform's folded search text, by platform id (see `platformSearchText`). */
  searchText: ReadonlyMap<string, string>;
};

/** How long the window's data must stay unchanged before the background read begins. */
export const WARM_DELAY_MS = 500;

let kept: (PlatformData & { revision: number }) | null = null;
/** The read under way, and the revision it began at. */
let reading: { revision: number; read: Promise<PlatformData> } | null = null;

/**
 * Reads what the page shows, and keeps it for the revision the read began at. A read begun at the
 * same revision and still under way is shared, not made twice.
 */
export function readPlatformData(): Promise<PlatformData> {
  const revision = app.revision;
  if (reading !== null && reading.revision === revision) return reading.read;
  const read = (async () => {
    const [presets, platforms, briefs] = await Promise.all([kept?.presets ?? platformPresets(), listPlatforms(), listRegistrationBriefs()]);
    const data = { revision, presets, ...arrange(platforms, briefs) };
    // A read that began earlier than the one kept, and ended later, does not replace it.
    if (kept === null || kept.revision <= revision) kept = data;
    return data;
  })();
  const mine = { revision, read };
  reading = mine;
  const done = (): void => {
    if (reading === mine) reading = null;
  };
  read.then(done, done);
  return read;
}

/**
 * Reads what the page shows in the background when nothing is kept or being read for the window's
 * revision, so that the next visit opens at once. A failure is left for the page to show when it
 * opens and reads again.
 */
export function warmPlatformData(): void {
  if (keptPlatformData() !== null || (reading !== null && reading.revision === app.revision)) return;
  readPlatformData().catch(() => undefined);
}

/** The platforms in order, their registrations grouped and their search text folded. */
export function arrange(
  platforms: readonly Platform[],
  briefs: readonly RegistrationBrief[],
): Pick<PlatformData, "platforms" | "byPlatform" | "searchText"> {
  const sorted = [...platforms].sort(byNaturalName);
  const byPlatform = registrationsByPlatform(briefs);
  const searchText = new Map(sorted.map((p) => [p.id, platformSearchText(p, (byPlatform.get(p.id) ?? []).map((r) => r.client_id))]));
  return { platforms: sorted, byPlatform, searchText };
}

/** What was read at the window's current revision, if anything. */
export function keptPlatformData(): PlatformData | null {
  return kept !== null && kept.revision === app.revision ? kept : null;
}

/** Forgets what was read, for tests. */
export function forgetPlatformData(): void {
  kept = null;
  reading = null;
}
