// Entry point: mounts the application on the static shell in index.html.

import "./styles.css";

import { App } from "./app";
import { ipc, ipcAvailable } from "./lib/ipc";

async function start(): Promise<void> {
  // Development only: `?mock` runs the UI in a plain browser against sample data.
  // `import.meta.env.DEV` is false in production builds, so this branch and its module are dropped.
  if (import.meta.env.DEV && new URLSearchParams(window.location.search).has("mock")) {
    const { installDevMock } = await import("./lib/ipc/dev-mock");
    installDevMock();
  }
  const app = new App(document, ipc);
  if (!ipcAvailable()) {
    app.showError("The app's backend is not reachable: open this window from LTI Key Manager.");
    return;
  }
  await app.start();
}

void start();
