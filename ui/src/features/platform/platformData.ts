// What the platforms page shows (the presets, the platforms in order, each one's registrations
// in brief and the text its filter searches), kept between visits at the window's revision: the
// page opens with it at once, and reads it again only when the data may have changed (the
// revision went up). What is derived from the read (the order, the grouping, the folded text)
// is made once per read here, not at each visit.

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

let kept: (PlatformData & { revision: number }) | null = null;

/** Reads what the page shows, and keeps it for the revision the read began at. */
export async function readPlatformData(): Promise<PlatformData> {
  const revision = app.revision;
  const [presets, platforms, briefs] = await Promise.all([kept?.presets ?? platformPresets(), listPlatforms(), listRegistrationBriefs()]);
  kept = { revision, presets, ...arrange(platforms, briefs) };
  return kept;
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
}
