// What `npm audit --json` says about the code the app ships: the UI's production dependencies,
// and Svelte, whose runtime is compiled into the bundle from a devDependency (with everything
// they depend on: Svelte's compiler's dependencies too, which the closure does not tell apart from
// the runtime's). An advisory on one of those fails; one on a build or test tool only is listed.
// `npm audit` answering with an error instead (its endpoint unreachable) is told apart.

/** The names of the packages whose code ends up in the app, from package-lock.json. */
export function shippedPackages(lock) {
  const packages = lock.packages ?? {};
  // Every copy of a package (nested versions too): what any of them depends on, and whether
  // any is not for development only.
  const byName = new Map();
  for (const [path, entry] of Object.entries(packages)) {
    if (path === "") continue;
    const name = entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    const known = byName.get(name) ?? { needs: new Set(), shipped: false };
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
      for (const needed of Object.keys(entry[field] ?? {})) known.needs.add(needed);
    }
    known.shipped ||= entry.dev !== true;
    byName.set(name, known);
  }
  const root = packages[""] ?? {};
  const pending = [...Object.keys(root.dependencies ?? {}), "svelte"];
  for (const [name, known] of byName) if (known.shipped) pending.push(name);
  const shipped = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (shipped.has(name) || !byName.has(name)) continue;
    shipped.add(name);
    pending.push(...byName.get(name).needs);
  }
  return shipped;
}

/**
 * The verdict on what `npm audit --json` wrote (`text`) and its exit status: `unreachable` when
 * npm says the advisory endpoint failed (no advisories were read), `broken` when npm wrote no
 * audit at all (it crashed, or is not npm), else the advisories on shipped packages (`failing`)
 * and on the others (`tools`).
 */
export function verdict(text, status, lock) {
  if (status === 124) return { unreachable: "npm audit timed out" };
  let audit;
  try {
    audit = JSON.parse(text);
  } catch {
    return { broken: `npm audit wrote no JSON (exit status ${status}): ${String(text).slice(0, 200)}` };
  }
  if (audit === null || typeof audit !== "object") {
    return { broken: `npm audit wrote ${JSON.stringify(audit)} (exit status ${status})` };
  }
  if (typeof audit.vulnerabilities !== "object" || audit.vulnerabilities === null) {
    // npm 10 writes the endpoint's failure as {message, statusCode, ...}; other errors as
    // {error: {code, summary}}.
    if (typeof audit.statusCode === "number") return { unreachable: String(audit.message ?? audit.statusCode) };
    const code = audit.error?.code;
    if (typeof code === "string" && /^(E\d{3}|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN)$/.test(code)) {
      return { unreachable: `${code}: ${audit.error.summary ?? ""}` };
    }
    return { broken: `npm audit answered without advisories: ${JSON.stringify(audit).slice(0, 200)}` };
  }
  const shipped = shippedPackages(lock);
  const failing = [];
  const tools = [];
  for (const [name, found] of Object.entries(audit.vulnerabilities)) {
    const titles = (found.via ?? []).map((v) => (typeof v === "string" ? `through ${v}` : `${v.title} (${v.url})`));
    const line = `${name} ${found.range ?? ""}: ${found.severity}: ${titles.join("; ")}`;
    (shipped.has(name) ? failing : tools).push(line);
  }
  return { failing, tools };
}
