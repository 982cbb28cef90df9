// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { KeyInfo, RotationState, Tool } from "../lib/ipc/bindings";
import { SAMPLE_KEYS, SAMPLE_TOOL } from "../test/fixtures";
import { rotatedKeys, SAMPLE_CHECK, SAMPLE_OUTCOME, SAMPLE_STATE } from "../test/rotationFixtures";
import { createRotationView, planLines, type RotationHandlers, type RotationView } from "./rotation";

const NOW = Date.parse("2025-05-01T10:00:00Z");

function handlers() {
  return {
    onRotate: vi.fn(),
    onRetire: vi.fn(),
    onRevoke: vi.fn(),
    onSavePolicy: vi.fn(),
    onCopyJwks: vi.fn(),
    onSaveJwks: vi.fn(),
    onCopyJwk: vi.fn(),
    onCheckJwks: vi.fn(),
    onDismissReminder: vi.fn(),
  } satisfies RotationHandlers;
}

function q<T extends Element = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("rotation view", () => {
  let on: ReturnType<typeof handlers>;
  let view: RotationView;

  function mount(tool: Tool = SAMPLE_TOOL, keys: KeyInfo[] = SAMPLE_KEYS, state: RotationState | null = SAMPLE_STATE): void {
    on = handlers();
    view = createRotationView(document, tool, on);
    document.body.replaceChildren(...view.elements);
    view.setKeys(keys, NOW);
    view.setState(state, NOW);
  }

  beforeEach(() => mount());

  it("draws one timeline row per key, with its status, bars and dates as text", () => {
    view.setKeys(rotatedKeys(), NOW);
    const rows = Array.from(document.querySelectorAll("#timeline [data-timeline-kid]"));
    expect(rows.map((r) => r.getAttribute("data-timeline-kid")).sort()).toEqual(["cur", "next-a", "next-b", "old-retired", "prev"]);
    const cur = q('[data-timeline-kid="cur"]');
    expect(cur.getAttribute("data-status")).toBe("previous");
    expect(cur.querySelector(".badge")?.textContent).toBe("previous");
    expect(cur.textContent).toContain("Unpublish after");
    expect(cur.querySelector('[data-fact="Unpublish after"] time')?.getAttribute("datetime")).toBe("2025-05-08T10:00:00.000Z");
    expect(Array.from(cur.querySelectorAll("[data-segment]"), (s) => s.getAttribute("data-segment"))).toEqual(["signing", "overlap"]);
    expect(cur.querySelector('[data-mark="unpublish"]')).not.toBeNull();
    const promoted = q('[data-timeline-kid="next-b"]');
    expect(promoted.getAttribute("data-status")).toBe("current");
    expect(promoted.querySelector(".seg-signing.is-open")).not.toBeNull();
    const bar = promoted.querySelector<HTMLElement>(".seg-signing");
    expect(Number.parseFloat(bar?.style.left ?? "")).toBeGreaterThan(0);
    expect(q(".timeline-axis .tick-now").textContent).toBe("Now");
  });

  it("offers retire on previous keys only and revoke on every key not revoked", () => {
    expect(Array.from(document.querySelectorAll("button[data-retire-key]"), (b) => b.getAttribute("data-retire-key"))).toEqual(["prev"]);
    expect(document.querySelectorAll("button[data-revoke-key]")).toHaveLength(SAMPLE_KEYS.length);
  });

  it("shows what rotate will do, and rotates only after the confirm step", () => {
    const preview = q("#rotate-preview");
    expect(preview.textContent).toContain("Promote next-b to current");
    expect(preview.textContent).toContain("Demote cur to previous");
    expect(preview.textContent).toContain("(overlap 7d)");
    expect(preview.getAttribute("data-promote")).toBe("next-b");

    q<HTMLButtonElement>("#rotate-keys").click();
    expect(on.onRotate).not.toHaveBeenCalled();
    expect(q("#rotate-confirm-box").hidden).toBe(false);
    expect(q("#rotate-keys").hidden).toBe(true);
    q<HTMLButtonElement>("#rotate-cancel").click();
    expect(q("#rotate-confirm-box").hidden).toBe(true);
    expect(on.onRotate).not.toHaveBeenCalled();

    q<HTMLButtonElement>("#rotate-keys").click();
    q<HTMLButtonElement>("#rotate-confirm").click();
    expect(on.onRotate).toHaveBeenCalledTimes(1);
    expect(q("#rotate-confirm-box").hidden).toBe(true);
  });

  it("says when rotate generates a key and skips the lead time", () => {
    const state: RotationState = {
      ...SAMPLE_STATE,
      plan: { promote: null, demote: "cur", unpublish_after: "2025-05-08T10:00:00Z", lead_time_skipped: true, safe_from: "2025-05-02T10:00:00Z", warnings: ["no next key was published"] },
    };
    view.setState(state, NOW);
    const preview = q("#rotate-preview");
    expect(preview.textContent).toContain("Generate a new 2048-bit key and sign with it at once");
    expect(preview.textContent).toContain("Lead time skipped");
    expect(preview.querySelector(".plan-warnings")?.textContent).toContain("no next key was published");
    expect(planLines(state, SAMPLE_KEYS)).toHaveLength(2);
  });

  it("cannot rotate without a current key", () => {
    view.setState({ ...SAMPLE_STATE, plan: null }, NOW);
    expect(q<HTMLButtonElement>("#rotate-keys").disabled).toBe(true);
    expect(q("#rotate-preview").textContent).toContain("generate the tool's first key");
  });

  it("shows the due badge only when rotation is due", () => {
    expect(q("#rotation-due").hidden).toBe(true);
    view.setState({ ...SAMPLE_STATE, due_since: "2025-04-01T00:00:00Z" }, NOW);
    expect(q("#rotation-due").hidden).toBe(false);
    expect(q("#rotation-due").textContent).toBe("Rotation due");
    expect(q("#rotation-due-note").textContent).toContain("due since 2025-04-01");
  });

  it("validates the policy before saving it", () => {
    const pre = q<HTMLInputElement>("#policy-pre-publish");
    const overlap = q<HTMLInputElement>("#policy-overlap");
    const every = q<HTMLInputElement>("#policy-rotate-every");
    const save = q<HTMLButtonElement>("#policy-save");
    expect([pre.value, overlap.value, every.value]).toEqual(["1d", "7d", "off"]);
    expect(save.disabled).toBe(true);

    type(overlap, "7 days");
    type(every, "12h");
    expect(save.disabled).toBe(false);
    save.click();
    expect(on.onSavePolicy).not.toHaveBeenCalled();
    expect(overlap.getAttribute("aria-invalid")).toBe("true");
    expect(q("#policy-overlap-error").textContent).toContain("'7 days' is not a duration");
    expect(q("#policy-rotate-every-error").textContent).toContain("between 1 day and 10 years");

    type(overlap, "2w");
    type(every, "90d");
    save.click();
    expect(on.onSavePolicy).toHaveBeenCalledWith({ pre_publish_secs: 86_400, overlap_secs: 1_209_600, rotate_every_secs: 7_776_000 });
    expect(overlap.hasAttribute("aria-invalid")).toBe(false);

    view.setPolicySaved({ pre_publish_secs: 86_400, overlap_secs: 1_209_600, rotate_every_secs: 7_776_000 });
    expect([overlap.value, every.value]).toEqual(["14d", "90d"]);
    expect(save.disabled).toBe(true);
  });

  it("keeps typed policy values when the state is reloaded", () => {
    type(q<HTMLInputElement>("#policy-overlap"), "3d");
    view.setState(SAMPLE_STATE, NOW);
    expect(q<HTMLInputElement>("#policy-overlap").value).toBe("3d");
  });

  it("retires, and offers 'Retire anyway' with its own confirm when refused", () => {
    q<HTMLButtonElement>('button[data-retire-key="prev"]').click();
    expect(on.onRetire).toHaveBeenLastCalledWith("prev", false);

    view.showRetireRefused("prev", "kid: key prev is inside its overlap window until 2025-05-08T10:00:00Z");
    const refused = q('[data-retire-refused="prev"]');
    expect(refused.textContent).toContain("inside its overlap window");
    q<HTMLButtonElement>('button[data-retire-force="prev"]').click();
    expect(on.onRetire).toHaveBeenCalledTimes(1);
    expect(document.querySelector('[data-retire-refused="prev"]')).toBeNull();
    q<HTMLButtonElement>('button[data-retire-force-confirm="prev"]').click();
    expect(on.onRetire).toHaveBeenLastCalledWith("prev", true);
    expect(document.querySelector('button[data-retire-force-confirm="prev"]')).toBeNull();
  });

  it("revokes only once the kid is typed", () => {
    q<HTMLButtonElement>('button[data-revoke-key="cur"]').click();
    const input = q<HTMLInputElement>('input[data-revoke-input="cur"]');
    const confirm = q<HTMLButtonElement>('button[data-revoke-confirm="cur"]');
    expect(q('[data-timeline-kid="cur"]').textContent).toContain("It signs now");
    expect(confirm.disabled).toBe(true);
    type(input, "cu");
    expect(confirm.disabled).toBe(true);
    type(input, "cur");
    expect(confirm.disabled).toBe(false);
    confirm.click();
    expect(on.onRevoke).toHaveBeenCalledWith("cur");

    q<HTMLButtonElement>('button[data-revoke-key="prev"]').click();
    q<HTMLButtonElement>('button[data-action-cancel="prev"]').click();
    expect(document.querySelector('input[data-revoke-input="prev"]')).toBeNull();
    expect(on.onRevoke).toHaveBeenCalledTimes(1);
  });

  it("after a rotation, says what to deploy with the buttons to do it", () => {
    expect(q("#rotation-reminder").hidden).toBe(true);
    view.setReminder({
      ...SAMPLE_OUTCOME,
      reminders: [
        { kind: "publish_jwks", tool: "Quiz Builder", jwks_url: null },
        { kind: "paste_jwk", tool: "Quiz Builder", kid: "next-b" },
      ],
    });
    const reminder = q("#rotation-reminder");
    expect(reminder.hidden).toBe(false);
    expect(reminder.textContent).toContain("next-b signs now");
    expect(reminder.textContent).toContain("cur stays published until 2025-05-08");
    expect(reminder.textContent).toContain("Publish the new JWKS.");
    expect(reminder.textContent).toContain("public JWK to kid next-b");
    expect(reminder.textContent).not.toContain("ltikeys");
    q<HTMLButtonElement>("#reminder-copy-jwks").click();
    q<HTMLButtonElement>("#reminder-save-jwks").click();
    q<HTMLButtonElement>("#reminder-copy-jwk").click();
    expect(on.onCopyJwks).toHaveBeenCalledTimes(1);
    expect(on.onSaveJwks).toHaveBeenCalledTimes(1);
    expect(on.onCopyJwk).toHaveBeenCalledWith("next-b");
    expect(document.querySelector("#reminder-check-jwks")).toBeNull();
    q<HTMLButtonElement>("#reminder-dismiss").click();
    expect(on.onDismissReminder).toHaveBeenCalled();
  });

  it("offers a live check only for a tool with a JWKS URL", () => {
    expect(q<HTMLButtonElement>("#check-jwks").disabled).toBe(true);
    mount({ ...SAMPLE_TOOL, jwks_url: "https://quiz.example.com/jwks.json" });
    const check = q<HTMLButtonElement>("#check-jwks");
    expect(check.disabled).toBe(false);
    check.click();
    expect(on.onCheckJwks).toHaveBeenCalled();

    view.setChecking(NOW - 1500, NOW);
    expect(check.disabled).toBe(true);
    expect(q("#tool-check-progress").hidden).toBe(false);
    expect(q("#tool-check-progress").textContent).toContain("1.5 s");
    view.setChecking(null, NOW);
    view.setCheck(SAMPLE_CHECK, NOW);
    expect(q("#tool-check-progress").hidden).toBe(true);
    expect(Array.from(document.querySelectorAll("#tool-check-result [data-finding-code]"), (e) => e.getAttribute("data-finding-code"))).toEqual([
      "kid-not-published",
      "long-cache",
      "unexpected-kid",
    ]);
  });
});
