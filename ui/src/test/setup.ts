// Runs before each test file: a fresh fake backend and window state for every test.

import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

import { app } from "../lib/app.svelte";
import { forgetStamp } from "../lib/changes";
import { forgetPlatformData } from "../features/platform/platformData";
import { forgetPrefetched } from "../features/tool/prefetch";
import { tools } from "../features/tool/tools.svelte";

// jsdom has no layout: scrolling is a no-op there.
Element.prototype.scrollIntoView = function scrollIntoView(): void {};

afterEach(() => {
  clearMocks();
  app.reset();
  tools.reset();
  forgetPrefetched();
  forgetPlatformData();
  forgetStamp();
});
