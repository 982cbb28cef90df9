// What the platforms page shows (the presets, the platforms, every registration), kept between
// visits at the window's revision: the page opens with it at once, and reads it again only when
// the data may have changed (the revision went up).

import { app } from "../../lib/app.svelte";
import { listPlatforms, listRegistrations, platformPresets, type Platform, type Preset, type Registration } from "../../lib/ipc";

export type PlatformData = { presets: Preset[]; platforms: Platform[]; registrations: Registration[] };

let kept: (PlatformData & { revision: number }) | null = null;

/** Reads what the page shows, and keeps it for the revision the read began at. */
export async function readPlatformData(): Promise<PlatformData> {
  const revision = app.revision;
  const [presets, platforms, registrations] = await Promise.all([
    kept?.presets ?? platformPresets(),
    listPlatforms(),
    listRegistrations(null, null),
  ]);
  kept = { revision, presets, platforms, registrations };
  return kept;
}

/** What was read at the window's current revision, if anything. */
export function keptPlatformData(): PlatformData | null {
  return kept !== null && kept.revision === app.revision ? kept : null;
}

/** Forgets what was read, for tests. */
export function forgetPlatformData(): void {
  kept = null;
}
