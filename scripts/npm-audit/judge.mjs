// node scripts/npm-audit/judge.mjs ANSWER_FILE EXIT_STATUS: prints the verdict on what
// `npm audit --json` wrote, and exits 1 when it fails (see verdict.mjs).
import { readFileSync } from "node:fs";

import { verdict } from "./verdict.mjs";

const [file, status] = process.argv.slice(2);
const found = verdict(readFileSync(file, "utf8"), Number(status), JSON.parse(readFileSync("package-lock.json", "utf8")));
if ("broken" in found) {
  console.error(`npm audit: ${found.broken}`);
  process.exit(1);
}
if ("unreachable" in found) {
  console.log(`npm audit: no advisories could be read (${found.unreachable}); the shipped packages were not audited`);
  process.exit(process.env.LTIKEYS_REQUIRE_NPM_AUDIT === "1" ? 1 : 0);
}
for (const line of found.tools) console.log(`npm audit (a build or test tool only): ${line}`);
for (const line of found.failing) console.log(`npm audit (shipped in the app): ${line}`);
if (found.failing.length > 0) process.exit(1);
console.log("npm audit: no advisory on the shipped packages");
