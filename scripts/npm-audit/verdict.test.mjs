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

test("a nested copy's dependencies count, and so do optional and peer ones", () => {
  const nested = structuredClone(lock);
  nested.packages["node_modules/@tauri-apps/api/node_modules/svelte"] = { version: "4", dependencies: { acorn: "^8" } };
  nested.packages["node_modules/acorn"] = { version: "8", dev: true };
  nested.packages["node_modules/svelte"].optionalDependencies = { fsevents: "^2" };
  nested.packages["node_modules/fsevents"] = { version: "2", dev: true };
  const shipped = shippedPackages(nested);
  assert.ok(shipped.has("acorn") && shipped.has("fsevents"), [...shipped].join(" "));
});

const judged = (audit, status = 1) => verdict(JSON.stringify(audit), status, lock);

test("an advisory on shipped code fails; one on a build tool is only listed", () => {
  const audit = {
    vulnerabilities: {
      "esm-env": advisory("esm-env", "Prototype pollution"),
      rollup: advisory("rollup", "DOM clobbering"),
    },
  };
  const found = judged(audit);
  assert.equal(found.failing.length, 1);
  assert.match(found.failing[0], /^esm-env <9: high: Prototype pollution/);
  assert.equal(found.tools.length, 1);
  assert.match(found.tools[0], /^rollup/);
});

test("no advisory passes", () => {
  assert.deepEqual(judged({ vulnerabilities: {} }, 0), { failing: [], tools: [] });
});

test("an endpoint that answers with an error is told apart from a clean audit", () => {
  const refused = { message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", statusCode: 405 };
  assert.deepEqual(judged(refused), { unreachable: refused.message });
  assert.ok("unreachable" in judged({ error: { code: "ENOTFOUND", summary: "registry.npmjs.org" } }));
  assert.ok("unreachable" in verdict("", 124, lock), "a timeout");
});

test("an answer that is no audit is broken, not unreachable", () => {
  assert.ok("broken" in verdict("", 127, lock), "no npm");
  assert.ok("broken" in verdict("Segmentation fault", 139, lock));
  assert.ok("broken" in judged({ error: { code: "EJSONPARSE", summary: "package.json" } }));
  assert.ok("broken" in judged(null));
});
