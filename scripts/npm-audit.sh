#!/usr/bin/env bash
# npm audit of the code the app ships: the UI's production dependencies and Svelte (compiled
# into the bundle from a devDependency), with what they depend on. An advisory on those fails;
# one on a build or test tool only is listed. Where the registry's advisory endpoint cannot be
# reached, says so and passes, unless LTIKEYS_REQUIRE_NPM_AUDIT=1.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

answer=$(timeout 120 npm audit --json 2>/dev/null || true)
AUDIT_JSON=$answer node --input-type=module -e '
import { readFileSync } from "node:fs";
import { verdict } from "./scripts/npm-audit/verdict.mjs";
let audit = null;
try { audit = JSON.parse(process.env.AUDIT_JSON); } catch {}
const found = verdict(audit, JSON.parse(readFileSync("package-lock.json", "utf8")));
if ("unreachable" in found) {
  console.log(`npm audit: no advisories could be read (${found.unreachable}); the shipped packages were not audited`);
  process.exit(process.env.LTIKEYS_REQUIRE_NPM_AUDIT === "1" ? 1 : 0);
}
for (const line of found.tools) console.log(`npm audit (a build or test tool only): ${line}`);
for (const line of found.failing) console.log(`npm audit (shipped in the app): ${line}`);
if (found.failing.length > 0) process.exit(1);
console.log("npm audit: no advisory on the shipped packages");
'
