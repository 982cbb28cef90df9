// Whether the data changed while the window was not looking: the window regains the focus after
// the user worked elsewhere (a terminal running `ltikeys`, another window), and reloads its screens
// only when the database's stamp moved since the screens last read it. The window's own commands
// reload the screens themselves, then note the stamp they leave.

import { app } from "./app.svelte";
import { dataStamp } from "./ipc";

/** The stamp the screens were last read at, if known. */
let seen: number | null = null;

/** Notes the database's stamp as it is now: the screens are reading what it stands for. */
export async function noteStamp(): Promise<void> {
  try {
    seen = await dataStamp();
  } catch {
    seen = null;
  }
}

/**
 * Tells every screen to reload when the database changed since the stamp was last noted, or when
 * that cannot be told (the stamp is unknown, or cannot be read). Answers whether it did.
 */
export async function refreshIfChanged(): Promise<boolean> {
  let now: number | null;
  try {
    now = await dataStamp();
  } catch {
    now = null;
  }
  if (now !== null && now === seen) return false;
  seen = now;
  app.refresh();
  return true;
}

/** Forgets the stamp, for tests. */
export function forgetStamp(): void {
  seen = null;
}
