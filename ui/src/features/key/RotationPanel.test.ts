import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { app } from "../../lib/app.svelte";
import type { KeyInfo, RotationState, Tool } from "../../lib/ipc/bindings";
import { deferred, failure, fakeBackend, type FakeBackend } from "../../test/backend";
import { SAMPLE_KEYS, SAMPLE_TOOL } from "../../test/fixtures";
import { rotatedKeys, SAMPLE_CHECK, SAMPLE_OUTCOME, SAMPLE_STATE } from "../../test/rotationFixtures";
import RotationPanel from "./RotationPanel.svelte";
import { rotationMemory } from "./rotationMemory.svelte";

afterEach(() => rotationMemory.reset());

const REFUSAL =
  "key cur is inside its overlap window until 2025-05-08T10:00:00Z: platforms may still verify tokens signed with it. " +
  "Fix: wait until 2025-05-08T10:00:00Z, or retire it anyway";

function q<T extends Element = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function rowKids(): string[] {
  return Array.from(document.querySelectorAll("#timeline [data-timeline-kid]"), (r) => r.getAttribute("data-timeline-kid") ?? "");
}

function toast(): string | undefined {
  return app.toasts[0]?.message;
}

/** Marks `kid` retired in `keys`. */
function retire(keys: KeyInfo[], kid: string): KeyInfo[] {
  return keys.map((k) => (k.kid === kid ? { ...k, status: "retired", published: false, retired_at: "2025-05-09T10:00:00Z" } : k));
}

/** A backend holding the tool's keys, whose retire and revoke change them. */
function keyBackend(initial: KeyInfo[] = [...SAMPLE_KEYS], initialState: RotationState = SAMPLE_STATE, extra: Record<string, unknown> = {}) {
  let keys = initial;
  let state = initialState;
  const backend: FakeBackend = fakeBackend({
    list_keys: () => keys,
    rotation_state: () => state,
    export_jwks: '{"keys":[{"kid":"next-b"}]}',
    export_jwk: '{"kid":"next-b"}',
    retire_key: (args) => {
      keys = retire(keys, String(args.kid));
      return keys.find((k) => k.kid === args.kid);
    },
    revoke_key: (args) => {
      keys = keys.map((k) => (k.kid === args.kid ? { ...k, status: "revoked", published: false, revoked_at: "2025-05-01T10:00:00Z" } : k));
      return { kid: args.kid, signing: null, private_key: { removed: true, reason: null } };
    },
    set_policy: (args) => {
      state = { ...state, policy: args.policy as RotationState["policy"] };
      return args.policy;
    },
    ...(extra as Record<string, object>),
  });
  return {
    backend,
    setKeys(next: KeyInfo[]) {
      keys = next;
    },
  };
}

async function mount(tool: Tool = SAMPLE_TOOL): Promise<void> {
  render(RotationPanel, { tool });
  await waitFor(() => expect(rowKids().length).toBeGreaterThan(0));
}

describe("the rotation panel", () => {
  it("says it is loading until the keys and the state arrive", async () => {
    const keys = deferred<KeyInfo[]>();
    fakeBackend({ list_keys: () => keys.promise, rotation_state: SAMPLE_STATE });
    render(RotationPanel, { tool: SAMPLE_TOOL });
    expect(await screen.findByText("Loading…", { selector: "#rotation-loading" })).toBeTruthy();
    expect(document.querySelector("#timeline")).toBeNull();
    keys.resolve([...SAMPLE_KEYS]);
    await waitFor(() => expect(rowKids()).toHaveLength(SAMPLE_KEYS.length));
    expect(document.querySelector("#rotation-loading")).toBeNull();
  });

  it("shows a failed load in the panel, with a way to try again", async () => {
    let fail = true;
    fakeBackend({
      list_keys: () => {
        if (fail) throw failure("io", "The data folder cannot be read.");
        return [...SAMPLE_KEYS];
      },
      rotation_state: SAMPLE_STATE,
    });
    const user = userEvent.setup();
    render(RotationPanel, { tool: SAMPLE_TOOL });
    const error = await waitFor(() => q("#rotation-load-error"));
    expect(error.textContent).toContain("The data folder cannot be read.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(rowKids()).toHaveLength(SAMPLE_KEYS.length));
    expect(document.querySelector("#rotation-load-error")).toBeNull();
  });

  it("with no keys, says to generate the first one and cannot rotate", async () => {
    fakeBackend({ list_keys: [], rotation_state: { ...SAMPLE_STATE, plan: null } });
    render(RotationPanel, { tool: SAMPLE_TOOL });
    await waitFor(() => expect(q("#timeline").textContent).toContain("No keys yet"));
    expect(q("#rotate-preview").textContent).toContain("generate the tool's first key");
    expect(q<HTMLButtonElement>("#rotate-keys").disabled).toBe(true);
    expect(q("#rotate-preview").getAttribute("data-promote")).toBe("");
  });

  it("says when rotation is due, and not otherwise", async () => {
    const { backend } = keyBackend();
    await mount();
    expect(document.querySelector("#rotation-due")).toBeNull();
    expect(document.querySelector("#rotation-due-note")).toBeNull();

    backend.on("rotation_state", { ...SAMPLE_STATE, due_since: "2025-04-01T00:00:00Z", policy: { ...SAMPLE_STATE.policy, rotate_every_secs: 7_776_000 } });
    app.refresh();
    await waitFor(() => expect(q("#rotation-due").textContent).toBe("Rotation due"));
    expect(q("#rotation-due-note").textContent).toContain("every 90d");
    expect(q("#rotation-due-note time").getAttribute("datetime")).toBe("2025-04-01T00:00:00Z");
  });

  it("draws each key's life: status, bars, marks and dates in <time>", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-05-01T12:00:00Z"));
    keyBackend(rotatedKeys());
    await mount();
    vi.useRealTimers();
    expect(rowKids()).toEqual(["old-retired", "prev", "cur", "next-b", "next-a"]);
    const cur = q('[data-timeline-kid="cur"]');
    expect(cur.getAttribute("data-status")).toBe("previous");
    expect(cur.querySelector(".timeline-label .badge")?.textContent).toBe("previous");
    expect(Array.from(cur.querySelectorAll("[data-segment]"), (s) => s.getAttribute("data-segment"))).toEqual(["signing", "overlap"]);
    expect(cur.querySelector('[data-mark="unpublish"]')).not.toBeNull();
    expect(cur.querySelector('[data-fact="Unpublish after"] time')?.getAttribute("datetime")).toBe("2025-05-08T10:00:00.000Z");
    expect(q('[data-timeline-kid="next-b"] .seg-signing').classList.contains("is-open")).toBe(true);
  });

  it("offers no revoke on a retired key, and retire only on previous keys", async () => {
    keyBackend();
    await mount();
    expect(document.querySelector('[data-timeline-kid="old-retired"] button')).toBeNull();
    expect(Array.from(document.querySelectorAll("button[data-revoke-key]"), (b) => b.getAttribute("data-revoke-key"))).toEqual([
      "prev",
      "cur",
      "next-b",
      "next-a",
    ]);
    expect(Array.from(document.querySelectorAll("button[data-retire-key]"), (b) => b.getAttribute("data-retire-key"))).toEqual(["prev"]);
  });

  it("previews the rotation, asks in place (Escape cancels), rotates with progress and reminds what to deploy", async () => {
    const { backend, setKeys } = keyBackend();
    const rotation = deferred<typeof SAMPLE_OUTCOME>();
    backend.on("rotate_keys", () => rotation.promise);
    const user = userEvent.setup();
    await mount();
    const preview = q("#rotate-preview");
    expect(preview.textContent).toContain("Promote next-b to current");
    expect(preview.textContent).toContain("Demote cur to previous");
    expect(preview.textContent).toContain("(overlap 7d)");
    expect(preview.getAttribute("data-demote")).toBe("cur");

    await user.click(q("#rotate-keys"));
    expect(q("#rotate-confirm-box").hidden).toBe(false);
    expect(document.activeElement).toBe(q("#rotate-confirm"));
    await user.keyboard("{Escape}");
    expect(q("#rotate-confirm-box").hidden).toBe(true);
    expect(document.activeElement).toBe(q("#rotate-keys"));
    expect(backend.callsOf("rotate_keys")).toHaveLength(0);

    await user.click(q("#rotate-keys"));
    await user.click(q("#rotate-confirm"));
    expect(backend.callsOf("rotate_keys")).toEqual([{ tool: SAMPLE_TOOL.id }]);
    await waitFor(() => expect(q("#rotate-progress").hidden).toBe(false));
    expect(q("#rotate-progress").textContent).toContain("Rotating…");
    expect(document.activeElement).toBe(q("#rotate-keys"));

    setKeys(rotatedKeys());
    rotation.resolve(SAMPLE_OUTCOME);
    const reminder = await waitFor(() => q("#rotation-reminder"));
    expect(q("#rotate-progress").hidden).toBe(true);
    expect(toast()).toBe("Rotated: next-b signs now");
    expect(reminder.textContent).toContain("next-b signs now");
    expect(reminder.textContent).toContain("cur stays published until 2025-05-08");
    expect(reminder.textContent).toContain("Publish the new JWKS.");
    expect(reminder.textContent).not.toMatch(/--|ltikeys/);
    expect(q('[data-timeline-kid="cur"]').getAttribute("data-status")).toBe("previous");
    await waitFor(() => expect(document.activeElement).toBe(q("#reminder-copy-jwks")));

    await user.click(q("#reminder-copy-jwks"));
    await waitFor(() => expect(backend.clipboard).toEqual(['{"keys":[{"kid":"next-b"}]}']));
    await user.click(q('#reminder-copy-jwk[data-reminder-copy-jwk="next-b"]'));
    await waitFor(() => expect(backend.callsOf("export_jwk")).toEqual([{ tool: SAMPLE_TOOL.id, kid: "next-b" }]));
    expect(document.querySelector("#reminder-check-jwks")).toBeNull();

    await user.click(q("#reminder-dismiss"));
    expect(document.querySelector("#rotation-reminder")).toBeNull();
    expect(document.activeElement).toBe(q("#rotation-heading"));
  });

  it("saves the JWKS from the reminder through the save dialog", async () => {
    const { backend } = keyBackend(rotatedKeys(), SAMPLE_STATE, { save_jwks: { outcome: "saved", path: "/home/me/jwks.json" } });
    rotationMemory.reminders[SAMPLE_TOOL.id] = SAMPLE_OUTCOME;
    const user = userEvent.setup();
    await mount();
    await user.click(q("#reminder-save-jwks"));
    await waitFor(() => expect(toast()).toBe("JWKS saved to /home/me/jwks.json"));
    expect(backend.callsOf("save_jwks")).toEqual([{ tool: SAMPLE_TOOL.id }]);
  });

  it("refuses a retire inside the overlap window, then retires anyway after its own confirm", async () => {
    const { backend, setKeys } = keyBackend(rotatedKeys());
    let keys = rotatedKeys();
    backend.on("retire_key", (args) => {
      if (args.force !== true) throw failure("retire_too_early", REFUSAL);
      keys = retire(keys, String(args.kid));
      setKeys(keys);
      return keys.find((k) => k.kid === args.kid);
    });
    const user = userEvent.setup();
    await mount();

    await user.click(q('button[data-retire-key="cur"]'));
    const refused = await waitFor(() => q('[data-retire-refused="cur"]'));
    expect(refused.textContent).toContain("inside its overlap window until");
    expect(app.error).toBeNull();
    expect(document.activeElement).toBe(q('button[data-retire-force="cur"]'));

    // Escape closes the refusal, focus back on Retire.
    await user.keyboard("{Escape}");
    expect(document.querySelector('[data-retire-refused="cur"]')).toBeNull();
    expect(document.activeElement).toBe(q('button[data-retire-key="cur"]'));

    await user.click(q('button[data-retire-key="cur"]'));
    await user.click(await waitFor(() => q('button[data-retire-force="cur"]')));
    expect(document.querySelector('[data-retire-refused="cur"]')).toBeNull();
    expect(document.activeElement).toBe(q('button[data-retire-force-confirm="cur"]'));
    // Escape cancels the forced retire's confirm too.
    await user.keyboard("{Escape}");
    expect(document.querySelector('button[data-retire-force-confirm="cur"]')).toBeNull();
    expect(document.activeElement).toBe(q('button[data-retire-key="cur"]'));

    await user.click(q('button[data-retire-key="cur"]'));
    await user.click(await waitFor(() => q('button[data-retire-force="cur"]')));
    await user.click(q('button[data-retire-force-confirm="cur"]'));
    await waitFor(() => expect(q('[data-timeline-kid="cur"]').getAttribute("data-status")).toBe("retired"));
    expect(backend.callsOf("retire_key").map((a) => a.force)).toEqual([false, false, false, true]);
    expect(toast()).toBe("Key cur retired early: no longer published");
  });

  it("shows other retire failures in the banner", async () => {
    const { backend } = keyBackend();
    backend.on("retire_key", () => {
      throw failure("keychain", "The keychain is locked.");
    });
    const user = userEvent.setup();
    await mount();
    await user.click(q('button[data-retire-key="prev"]'));
    await waitFor(() => expect(app.error?.message).toBe("The keychain is locked."));
    expect(document.querySelector('[data-retire-refused="prev"]')).toBeNull();
    expect(document.activeElement).toBe(q('button[data-retire-key="prev"]'));
  });

  it("after a retire, takes the retired key's buttons away and focuses the next key's action", async () => {
    const { backend } = keyBackend();
    const user = userEvent.setup();
    await mount();
    await user.click(q('button[data-retire-key="prev"]'));
    await waitFor(() => expect(q('[data-timeline-kid="prev"]').getAttribute("data-status")).toBe("retired"));
    expect(backend.callsOf("retire_key")).toEqual([{ tool: SAMPLE_TOOL.id, kid: "prev", force: false }]);
    expect(toast()).toBe("Key prev retired: no longer published");
    expect(document.querySelector('[data-timeline-kid="prev"] button')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(q('button[data-revoke-key="cur"]')));
    expect(document.activeElement).not.toBe(document.body);
  });

  it("revokes only once the kid is typed; Escape cancels", async () => {
    const { backend } = keyBackend();
    const user = userEvent.setup();
    await mount();

    await user.click(q('button[data-revoke-key="prev"]'));
    expect(document.activeElement).toBe(q('input[data-revoke-input="prev"]'));
    await user.keyboard("{Escape}");
    expect(document.querySelector('input[data-revoke-input="prev"]')).toBeNull();
    expect(document.activeElement).toBe(q('button[data-revoke-key="prev"]'));

    await user.click(q('button[data-revoke-key="cur"]'));
    expect(q('[data-timeline-kid="cur"]').textContent).toContain("It signs now");
    const confirm = q<HTMLButtonElement>('button[data-revoke-confirm="cur"]');
    expect(confirm.disabled).toBe(true);
    await user.type(q('input[data-revoke-input="cur"]'), "cu");
    expect(confirm.disabled).toBe(true);
    await user.type(q('input[data-revoke-input="cur"]'), "r");
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    await waitFor(() => expect(q('[data-timeline-kid="cur"]').getAttribute("data-status")).toBe("revoked"));
    expect(backend.callsOf("revoke_key")).toEqual([{ tool: SAMPLE_TOOL.id, kid: "cur" }]);
    expect(toast()).toBe("Key cur revoked: publish the new JWKS now so it leaves the published set");
    await waitFor(() => expect(document.activeElement).toBe(q('button[data-revoke-key="next-b"]')));
  });

  it("says when a revoked key's private key stayed in the keychain", async () => {
    keyBackend(undefined, undefined, {
      revoke_key: { kid: "next-a", signing: null, private_key: { removed: false, reason: "it is locked" } },
    });
    const user = userEvent.setup();
    await mount();
    await user.click(q('button[data-revoke-key="next-a"]'));
    await user.type(q('input[data-revoke-input="next-a"]'), "next-a{Enter}");
    await waitFor(() => expect(app.error?.message).toContain("still in the OS keychain: it is locked"));
  });

  it("drops the reminder once the key it demoted is retired", async () => {
    const { backend, setKeys } = keyBackend(rotatedKeys());
    rotationMemory.reminders[SAMPLE_TOOL.id] = SAMPLE_OUTCOME;
    let keys = rotatedKeys();
    backend.on("retire_key", (args) => {
      keys = retire(keys, String(args.kid));
      setKeys(keys);
      return keys.find((k) => k.kid === args.kid);
    });
    const user = userEvent.setup();
    await mount();
    expect(q("#rotation-reminder").textContent).toContain("cur stays published");
    await user.click(q('button[data-retire-key="cur"]'));
    await waitFor(() => expect(document.querySelector("#rotation-reminder")).toBeNull());
    expect(document.activeElement).not.toBe(document.body);
  });

  it("drops the reminder when its new key was revoked from the command line", async () => {
    const { setKeys } = keyBackend(rotatedKeys());
    rotationMemory.reminders[SAMPLE_TOOL.id] = SAMPLE_OUTCOME;
    await mount();
    expect(document.querySelector("#rotation-reminder")).not.toBeNull();
    setKeys(rotatedKeys().map((k) => (k.kid === "next-b" ? { ...k, status: "revoked", revoked_at: "2025-05-02T00:00:00Z" } : k)));
    app.refresh();
    await waitFor(() => expect(document.querySelector("#rotation-reminder")).toBeNull());
  });

  it("shows keys changed elsewhere when the revision goes up", async () => {
    const { setKeys } = keyBackend();
    await mount();
    setKeys(SAMPLE_KEYS.slice(0, 3));
    app.refresh();
    await waitFor(() => expect(rowKids()).toEqual(["old-retired", "prev", "cur"]));
  });

  it("edits the policy: errors under their fields, Escape discards, the draft survives a reload", async () => {
    const { backend } = keyBackend();
    const user = userEvent.setup();
    await mount();
    const overlap = q<HTMLInputElement>("#policy-overlap");
    const every = q<HTMLInputElement>("#policy-rotate-every");
    expect([q<HTMLInputElement>("#policy-pre-publish").value, overlap.value, every.value]).toEqual(["1d", "7d", "off"]);

    await user.clear(overlap);
    await user.type(overlap, "7 days");
    await user.clear(every);
    await user.type(every, "12h");
    await user.click(q("#policy-save"));
    expect(backend.callsOf("set_policy")).toHaveLength(0);
    expect(overlap.getAttribute("aria-invalid")).toBe("true");
    expect(q("#policy-overlap-error").textContent).toContain("'7 days' is not a duration");
    expect(q("#policy-rotate-every-error").textContent).toContain("between 1 day and 10 years");
    expect(document.activeElement).toBe(overlap);

    // A reload keeps what is typed.
    app.refresh();
    await waitFor(() => expect(backend.callsOf("rotation_state").length).toBeGreaterThan(1));
    expect(overlap.value).toBe("7 days");

    await user.keyboard("{Escape}");
    expect(overlap.value).toBe("7d");
    expect(document.querySelector("#policy-overlap-error")).toBeNull();

    await user.clear(overlap);
    await user.type(overlap, "2w");
    await user.clear(every);
    await user.type(every, "90d");
    await user.click(q("#policy-save"));
    await waitFor(() => expect(toast()).toBe("Rotation policy saved"));
    expect(backend.callsOf("set_policy")).toEqual([
      { tool: SAMPLE_TOOL.id, policy: { pre_publish_secs: 86_400, overlap_secs: 1_209_600, rotate_every_secs: 7_776_000 } },
    ]);
    expect([overlap.value, every.value]).toEqual(["14d", "90d"]);
    expect(document.activeElement).toBe(q("#policy-save"));
  });

  it("shows the backend's refusal of a policy under its field and keeps the draft", async () => {
    const { backend } = keyBackend();
    backend.on("set_policy", () => {
      throw failure("invalid", "overlap: must be between 0 and 365 days. Fix: give a duration such as 7d", "overlap");
    });
    const user = userEvent.setup();
    await mount();
    const overlap = q<HTMLInputElement>("#policy-overlap");
    await user.clear(overlap);
    await user.type(overlap, "4d");
    await user.click(q("#policy-save"));
    await waitFor(() => expect(q("#policy-overlap-error").textContent).toContain("must be between 0 and 365 days"));
    expect(overlap.value).toBe("4d");
    expect(app.error).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(overlap));
  });

  it("checks the tool's JWKS URL against its keys, from the card and from the reminder", async () => {
    const tool = { ...SAMPLE_TOOL, jwks_url: SAMPLE_CHECK.url };
    const check = deferred<typeof SAMPLE_CHECK>();
    const { backend } = keyBackend(rotatedKeys(), SAMPLE_STATE, {
      last_checks: [{ ...SAMPLE_CHECK, checked_at: new Date(Date.now() - 3 * 60_000).toISOString() }],
      check_jwks: () => check.promise,
    });
    rotationMemory.reminders[tool.id] = {
      ...SAMPLE_OUTCOME,
      reminders: [
        { kind: "publish_jwks", tool: tool.name, jwks_url: tool.jwks_url },
        { kind: "check_jwks", url: tool.jwks_url, tool: tool.name },
      ],
    };
    const user = userEvent.setup();
    await mount(tool);
    await waitFor(() => expect(q("#tool-last-check").textContent).toContain("Last check: 1 error, 3 min ago"));
    expect(document.querySelector("#reminder-copy-jwk")).toBeNull();

    await user.click(q("#reminder-check-jwks"));
    expect(backend.callsOf("check_jwks")).toHaveLength(1);
    expect(backend.callsOf("check_jwks")[0]).toMatchObject({ url: SAMPLE_CHECK.url, role: "tool", expectTool: tool.id });
    await waitFor(() => expect(q("#tool-check-progress").hidden).toBe(false));
    await user.click(q("#check-jwks"));
    expect(backend.callsOf("check_jwks")).toHaveLength(1);

    check.resolve(SAMPLE_CHECK);
    await waitFor(() => expect(q("#tool-check-progress").hidden).toBe(true));
    expect(Array.from(document.querySelectorAll("#tool-check-result [data-finding-code]"), (e) => e.getAttribute("data-finding-code"))).toEqual([
      "kid-not-published",
      "long-cache",
      "unexpected-kid",
    ]);
    expect(q('#tool-check-result [data-fact="content-type"] dd').textContent).toBe("application/jwk-set+json");
    expect(q("#tool-check-result .check-result").getAttribute("data-verdict")).toBe("fail");
    expect(toast()).toBe("JWKS checked: 1 error, 1 warning");
    expect(document.querySelector("#tool-last-check")).toBeNull();
  });

  it("cannot check a tool without a JWKS URL", async () => {
    keyBackend();
    await mount();
    expect(q<HTMLButtonElement>("#check-jwks").disabled).toBe(true);
  });
});
