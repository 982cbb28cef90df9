// What the backend's `platform_page` answers (crates/core/src/platform/listing.rs), for the fake
// backend: the platforms in natural order with their registrations, filtered by name, issuer,
// base URL or client_id (accents and case ignored), cut to the limit, with the kept ones after.

import { byNaturalName, foldForSearch } from "../lib/format";
import type { Platform, PlatformPage, RegistrationBrief } from "../lib/ipc/bindings";

export type PageAsked = { filter: string; limit: number; keep: string[] };

export function pageOfPlatforms(platforms: readonly Platform[], briefs: readonly RegistrationBrief[], asked: PageAsked): PlatformPage {
  const needle = foldForSearch(asked.filter.trim());
  const all = needle === "" || needle.includes("\n");
  const sorted = [...platforms].sort(byNaturalName);
  const cards: PlatformPage["cards"] = [];
  let matching = 0;
  for (const platform of sorted) {
    const registrations = briefs.filter((b) => b.platform_id === platform.id);
    const text = [platform.name, platform.issuer, platform.base_url ?? "", ...registrations.map((r) => r.client_id)].map(foldForSearch).join("\n");
    if (!all && !text.includes(needle)) continue;
    if (matching < asked.limit || asked.keep.includes(platform.id)) cards.push({ platform, registrations });
    matching += 1;
  }
  return { total: platforms.length, matching, cards };
}
