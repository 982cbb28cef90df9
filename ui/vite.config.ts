/// <reference types="vitest/config" />
// Vite and Vitest configuration of the web frontend (run with `ui/` as the root).

import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Paths are relative to ui/, where this file lives.
  root: import.meta.dirname,
  base: "./",
  // Keep caches out of ui/.
  cacheDir: "../node_modules/.vite",
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_"],
  server: {
    port: 1420,
    strictPort: true,
    host: "localhost",
    watch: { ignored: ["**/dist/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK on Linux and WKWebView on macOS: stay on a conservative baseline.
    target: "es2021",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    // A zone off UTC by a half hour, so date formatting must really convert to local time.
    env: { TZ: "Asia/Kolkata" },
    restoreMocks: true,
    // Stylesheets are read as text by a test (src/styles/paint.test.ts), not emptied; a
    // component's own styles (an id with a query) are left as they were.
    css: { include: [/\/src\/[^?]*\.css(\?raw)?$/] },
  },
});
