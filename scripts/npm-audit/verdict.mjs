// What `npm audit --json` says about the code the app ships: the UI's production dependencies,
// and Svelte, whose runtime is compiled into the bundle from a devDependency (with everything
// they depend on: Svelte's compiler's dependencies too, which the closure does not tell apart from
// the runtime's). An advisory on one of those fails; one on a build or test tool only is listed.
// `npm audit` answering with an error instead (its endpoint unreachable) is told apart.

/** The names of the packages whose code ends up in the app, from package-lock.json. */
export function shippedPackages(lock) {
  const packages = lock.packages ?? {};
  const byName = new Map();
  for (const [path, entry] of Object.entries(packages)) {
    if (path === "") continue;
    const name = entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    byName.set(name, entry);
  }
  const root = packages[""] ?? {};
  const pending = [...Object.keys(root.dependencies ?? {}), "svelte"];
  for (const [name, entry] of byName) if (entry.dev !== true) pending.push(name);
  const shipped = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (shipped.has(name) || !byName.has(name)) continue;
    shipped.add(name);
    pending.push(...Object.keys(byName.get(name).dependencies ?? {}));
  }
  return shipped;
}

/**
 * The verdict on an audit: `unreachable` (no advisories were read: the endpoint answered with an
 * error), else the advisories on shipped packages (`failing`) and on the others (`tools`).
 */
export function verdict(audit, lock) {
  if (audit === null || typeof audit !== "object" || typeof audit.vulnerabilities !== "object") {
    const why = audit?.message ?? audit?.error?.summary ?? "no advisories in its answer";
    return { unreachable: String(why) };
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
