// Formatting of dates, durations and key-generation stages for display.

import type { KeygenStage } from "./ipc/bindings";

function pad2(value: number): string {
  return value.toString().padStart(2, "0");
}

/**
 * An ISO-8601 / RFC 3339 timestamp as a local date-time, "YYYY-MM-DD HH:MM".
 * Returns the input unchanged when it is not a date.
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (iso.trim() === "" || Number.isNaN(date.getTime())) {
    return iso;
  }
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}`
  );
}

/** An RFC 3339 UTC timestamp inside a message, e.g. `2026-12-10T08:47:34Z` or `…34.5+00:00`. */
const TIMESTAMP_IN_TEXT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * A message from the Rust side with each timestamp in it written as `formatDateTime` writes
 * it, so that the window shows one time format throughout.
 */
export function localTimes(text: string): string {
  return text.replace(TIMESTAMP_IN_TEXT, (stamp) => formatDateTime(stamp));
}

/** Elapsed time: "0.0 s" … "59.9 s", then "1 min 05 s". */
export function formatElapsed(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const tenths = Math.floor(safe / 100);
  if (tenths < 600) {
    return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  }
  const seconds = Math.floor(safe / 1000);
  return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
}

/** The text shown next to the spinner for a key-generation stage. */
export function keygenStageText(stage: KeygenStage, bits: number): string {
  switch (stage) {
    case "generating":
      return `Generating ${bits}-bit key…`;
    case "storing":
      return "Storing in the keychain…";
    case "done":
      return "Finishing…";
  }
}

/** "1 key", "3 keys". */
export function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const NATURAL = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Orders names the way people count and the database lists them: "P2" before "P10", case ignored. */
export function byNaturalName(a: { name: string }, b: { name: string }): number {
  return NATURAL.compare(a.name, b.name);
}

/** Text as a filter compares it: accents dropped, lower case ("Équipe" matches "equipe"). */
export function foldForSearch(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLocaleLowerCase();
}
