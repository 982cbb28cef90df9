import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import App from "../../App.svelte";
import { app } from "../../lib/app.svelte";
import type { ErrorKind, JwksCheck, PlatformCheck, ToolSummary } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend } from "../../test/backend";
import { el, findingCodes as codes } from "../../test/dom";
import { SAMPLE_CHECK, SAMPLE_PLATFORM_CHECKS } from "../../test/rotationFixtures";
import { checks } from "./checks.svelte";

const TOOLS: ToolSummary[] = [{ id: "t1", name: "Quiz Builder", domain: null, key_count: 2, current_kid: "cur" }];
const URL = "https://quiz.example.com/.well-known/jwks.json";

async function openChecks(handlers: Parameters<typeof fakeBackend>[0] = {}) {
  const backend = fakeBackend({ list_tools: TOOLS, ...handlers });
  app.route = { screen: "checks" };
  const user = userEvent.setup();
  render(App);
  await screen.findByRole("heading", { name: "JWKS checks" });
  return { backend, user };
}

/** A check that runs until `cancel_check` rejects it as the Rust side does. */
function cancellable(current: () => { promise: Promise<JwksCheck>; reject: (error: unknown) => void }) {
  return {
    check_jwks: () => current().promise,
    cancel_check: () => {
      current().reject(failure("cancelled" as ErrorKind, "The check was cancelled."));
      return null;
    },
  };
}

afterEach(() => checks.reset());

describe("the checks page", () => {
  it("says there are no checks yet", async () => {
    await openChecks();
    await waitFor(() => expect(el("#recent-checks").textContent).toContain("No checks yet"));
    expect(el("#check-result").textContent?.trim()).toBe("");
    expect(document.querySelector("#platform-check-table")).toBeNull();
  });

  it("says the last results are loading, then shows them; a click shows one and fills the form", async () => {
    const last = deferred<JwksCheck[]>();
    const { user } = await openChecks({ last_checks: () => last.promise });
    expect(el("#recent-checks").getAttribute("aria-busy")).toBe("true");
    expect(el("#recent-checks").textContent).toContain("Loading");
    last.resolve([SAMPLE_CHECK]);
    const item = await waitFor(() => el(`#recent-checks [data-check-url="${URL}"]`));
    expect(item.textContent).toContain("HTTP 200");
    expect(item.textContent).toContain("1 error");
    expect(item.querySelector("time")?.getAttribute("datetime")).toBe(SAMPLE_CHECK.checked_at);
    await user.click(item);
    expect(el<HTMLInputElement>("#check-url").value).toBe(URL);
    expect(el<HTMLSelectElement>("#check-role").value).toBe("tool");
    expect(codes("#check-result")).toEqual(["kid-not-published", "long-cache", "unexpected-kid"]);
  });

  it("opens from the sidebar once the last results are read, showing them at once", async () => {
    const last = deferred<JwksCheck[]>();
    const backend = fakeBackend({ list_tools: TOOLS, last_checks: () => last.promise });
    app.route = { screen: "platforms" };
    const user = userEvent.setup();
    render(App);
    await user.click(el("#nav-checks"));
    // The platforms page stays until the results are in: no loading state in between.
    expect(app.route).toEqual({ screen: "platforms" });
    last.resolve([SAMPLE_CHECK]);
    await waitFor(() => expect(app.route).toEqual({ screen: "checks" }));
    expect(el(`#recent-checks [data-check-url="${URL}"]`).textContent).toContain("HTTP 200");
    expect(el("#recent-checks").getAttribute("aria-busy")).toBe("false");
    expect(backend.callsOf("last_checks")).toHaveLength(1);
  });

  it("opens from the sidebar, and loads there, when reading the last results failed", async () => {
    let calls = 0;
    fakeBackend({
      list_tools: TOOLS,
      last_checks: () => (++calls === 1 ? Promise.reject(failure("database", "The database is locked.")) : [SAMPLE_CHECK]),
    });
    app.route = { screen: "platforms" };
    const user = userEvent.setup();
    render(App);
    await user.click(el("#nav-checks"));
    await waitFor(() => expect(el(`#recent-checks [data-check-url="${URL}"]`)).toBeTruthy());
    expect(calls).toBe(2);
  });

  it("shows a failure to load the last results in the banner", async () => {
    await openChecks({ last_checks: () => Promise.reject(failure("database", "The database is locked.")) });
    await waitFor(() => expect(el("#error-banner").textContent).toContain("The database is locked."));
    expect(el("#recent-checks").textContent).toContain("could not be loaded");
  });

  it("runs a check typed in, compared with a tool, and shows the facts, findings and keys", async () => {
    const answer = deferred<JwksCheck>();
    const { backend, user } = await openChecks({ check_jwks: () => answer.promise });
    await user.type(el("#check-url"), URL);
    await user.selectOptions(el("#check-role"), "tool");
    await user.selectOptions(el("#check-tool"), "t1");
    await user.click(el("#check-run"));
    expect(el("#check-progress").textContent).toContain(`Checking ${URL}`);
    expect(el<HTMLButtonElement>("#check-run").disabled).toBe(true);
    await waitFor(() => expect(document.activeElement?.id).toBe("check-cancel"));
    const args = backend.callsOf("check_jwks")[0];
    expect(args).toMatchObject({ url: URL, role: "tool", expectTool: "t1" });
    expect(typeof args?.ticket).toBe("number");
    backend.on("last_checks", [SAMPLE_CHECK]);
    answer.resolve(SAMPLE_CHECK);
    await waitFor(() => expect(document.querySelector("#check-result [data-verdict]")?.getAttribute("data-verdict")).toBe("fail"));
    expect(document.querySelector("#check-progress")).toBeNull();
    expect(document.querySelector("#check-cancel")).toBeNull();
    expect(el('#check-result [data-fact="status"] dd').textContent).toBe("200");
    expect(el('#check-result [data-fact="content-type"] dd').textContent).toBe("application/jwk-set+json");
    expect(el('#check-result [data-fact="cache"]').classList.contains("is-bad")).toBe(true);
    expect(el('#check-result [data-fact="latency"] dd').textContent).toBe("84 ms");
    expect(el('#check-result [data-fact="size"] dd').textContent).toBe("1.2 KB");
    expect(el("#check-result time").getAttribute("datetime")).toBe(SAMPLE_CHECK.checked_at);
    expect(codes("#check-result")).toEqual(["kid-not-published", "long-cache", "unexpected-kid"]);
    expect(el('#check-result [data-finding-code="kid-not-published"]').textContent).toContain("Fix: Publish the tool's JWKS");
    expect(el('#check-result tr[data-check-kid="cur"]').textContent).toContain("RS256");
    await waitFor(() => expect(document.querySelector(`#recent-checks [data-check-url="${URL}"]`)).not.toBeNull());
    expect(el("#toast").textContent).toContain("Checked: 1 error, 1 warning");
  });

  it("refuses a URL that is not one, under the field, and keeps what was typed", async () => {
    const { backend, user } = await openChecks();
    await user.type(el("#check-url"), "not a url");
    await user.click(el("#check-run"));
    expect(el("#check-url-error").textContent).not.toBe("");
    expect(el("#check-url").getAttribute("aria-invalid")).toBe("true");
    expect(el<HTMLInputElement>("#check-url").value).toBe("not a url");
    await waitFor(() => expect(document.activeElement?.id).toBe("check-url"));
    expect(backend.callsOf("check_jwks")).toEqual([]);
  });

  it("shows a failed check in the banner", async () => {
    const { user } = await openChecks({ check_jwks: () => Promise.reject(failure("internal", "The check could not start.")) });
    await user.type(el("#check-url"), URL);
    await user.click(el("#check-run"));
    await waitFor(() => expect(el("#error-banner").textContent).toContain("The check could not start."));
    expect(el<HTMLInputElement>("#check-url").value).toBe(URL);
    expect(el<HTMLButtonElement>("#check-run").disabled).toBe(false);
  });

  it("cancels a running check with its ticket, quietly", async () => {
    const answer = deferred<JwksCheck>();
    const { backend, user } = await openChecks(cancellable(() => answer));
    await user.type(el("#check-url"), URL);
    await user.click(el("#check-run"));
    await user.click(await waitFor(() => el("#check-cancel")));
    const ticket = backend.callsOf("check_jwks")[0]?.ticket;
    expect(backend.callsOf("cancel_check")).toEqual([{ ticket }]);
    await waitFor(() => expect(el("#check-result").textContent).toContain("Check cancelled"));
    expect(document.querySelector("#error-banner")).toBeNull();
    expect(document.querySelector("#check-cancel")).toBeNull();
    expect(el<HTMLButtonElement>("#check-run").disabled).toBe(false);
  });

  it("gives each run its own ticket and cancels on Escape", async () => {
    let answer = deferred<JwksCheck>();
    const { backend, user } = await openChecks(cancellable(() => answer));
    await user.type(el("#check-url"), URL);
    await user.click(el("#check-run"));
    answer.resolve(SAMPLE_CHECK);
    await waitFor(() => expect(document.querySelector("#check-cancel")).toBeNull());
    answer = deferred<JwksCheck>();
    await user.click(el("#check-run"));
    await waitFor(() => expect(document.activeElement?.id).toBe("check-cancel"));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(el("#check-result").textContent).toContain("Check cancelled"));
    const [first, second] = backend.callsOf("check_jwks").map((args) => args.ticket);
    expect(first).not.toBe(second);
    expect(backend.callsOf("cancel_check")).toEqual([{ ticket: second }]);
  });

  it("shows a cancel that failed in the banner while the check still runs", async () => {
    const answer = deferred<JwksCheck>();
    const { user } = await openChecks({
      check_jwks: () => answer.promise,
      cancel_check: () => Promise.reject(failure("internal", "The check could not be stopped.")),
    });
    await user.type(el("#check-url"), URL);
    await user.click(el("#check-run"));
    await user.click(await waitFor(() => el("#check-cancel")));
    await waitFor(() => expect(el("#error-banner").textContent).toContain("The check could not be stopped."));
    expect(el<HTMLButtonElement>("#check-cancel").disabled).toBe(false);
    answer.resolve(SAMPLE_CHECK);
    await waitFor(() => expect(document.querySelector("#check-result [data-verdict]")).not.toBeNull());
  });

  it("checks every platform with its progress, then a table of results", async () => {
    const done = deferred<PlatformCheck[]>();
    let channel: { onmessage?: (progress: unknown) => void } | undefined;
    const { user } = await openChecks({
      check_platforms: (args: Record<string, unknown>) => {
        channel = args.onProgress as typeof channel;
        return done.promise;
      },
    });
    await user.click(el("#check-platforms"));
    expect(el<HTMLButtonElement>("#check-platforms").disabled).toBe(true);
    expect(el("#platform-check-count").textContent).toBe("0 of 0");
    await waitFor(() => expect(channel).toBeDefined());
    channel?.onmessage?.({ done: 1, total: 2 });
    await waitFor(() => expect(el("#platform-check-count").textContent).toBe("1 of 2"));
    done.resolve(SAMPLE_PLATFORM_CHECKS);
    const table = await waitFor(() => el("#platform-check-table"));
    expect(document.querySelector("#platform-check-progress")).toBeNull();
    const rows = Array.from(table.querySelectorAll("tbody tr"), (row) => row.getAttribute("data-verdict"));
    expect(rows).toEqual(["pass", "skipped"]);
    expect(table.textContent).toContain("its JWKS URL has a placeholder");
    await user.click(el('[data-show-platform-check="0"]'));
    expect(el("#check-result [data-verdict]").getAttribute("data-url")).toBe("https://canvas.acme.edu/api/lti/security/jwks");
    expect(el<HTMLInputElement>("#check-url").value).toBe("https://canvas.acme.edu/api/lti/security/jwks");
  });

  it("says when there are no platforms to check", async () => {
    const { user } = await openChecks({ check_platforms: [] });
    await user.click(el("#check-platforms"));
    await waitFor(() => expect(el("#platform-check-table").textContent).toContain("No platforms yet"));
  });

  it("reloads the last results when the window regains focus, keeping what is typed", async () => {
    const { backend, user } = await openChecks();
    await user.type(el("#check-url"), "https://half.example");
    const before = backend.callsOf("last_checks").length;
    backend.on("last_checks", [SAMPLE_CHECK]);
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(document.querySelector(`#recent-checks [data-check-url="${URL}"]`)).not.toBeNull());
    expect(backend.callsOf("last_checks").length).toBeGreaterThan(before);
    expect(el<HTMLInputElement>("#check-url").value).toBe("https://half.example");
  });
});
