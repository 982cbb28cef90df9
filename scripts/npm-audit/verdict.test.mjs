// node --test scripts/npm-audit: the verdict on `npm audit --json` answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { shippedPackages, verdict } from "./verdict.mjs";

const lock = {
  packages: {
    "": { dependencies: { "@tauri-apps/api": "2.12.5" }, devDependencies: { svelte: "5", vite: "7" } },
    "node_modules/@tauri-apps/api": { version: "2.12.5" },
    "node_modules/svelte": { version: "5.57.3", dev: true, dependencies: { "esm-env": "^1" } },
    "node_modules/esm-env": { version: "1.2.2", dev: true },
    "node_modules/vite": { version: "7.3.8", dev: true, dependencies: { rollup: "^4" } },
    "node_modules/rollup": { version: "4.67.4", dev: true },
  },
};

const advisory = (name, title) => ({
  name,
  severity: "high",
  range: "<9",
  via: [{ title, url: `https://github.com/advisories/${name}` }],
});

test("the shipped code is the production dependencies and Svelte, with what they depend on", () => {
  assert.deepEqual([...shippedPackages(lock)].sort(), ["@tauri-apps/api", "esm-env", "svelte"]);
});

test("an advisory on shipped code fails; one on a build tool is only listed", () => {
  const audit = {
    vulnerabilities: {
      "esm-env": advisory("esm-env", "Prototype pollution"),
      rollup: advisory("rollup", "DOM clobbering"),
    },
  };
  const found = verdict(audit, lock);
  assert.equal(found.failing.length, 1);
  assert.match(found.failing[0], /^esm-env <9: high: Prototype pollution/);
  assert.equal(found.tools.length, 1);
  assert.match(found.tools[0], /^rollup/);
});

test("no advisory passes", () => {
  assert.deepEqual(verdict({ vulnerabilities: {} }, lock), { failing: [], tools: [] });
});

test("an endpoint that answers with an error is told apart from a clean audit", () => {
  const refused = { message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", statusCode: 405 };
  assert.deepEqual(verdict(refused, lock), { unreachable: refused.message });
  assert.ok("unreachable" in verdict(null, lock));
});
