// The tool page's rotation section: the key timeline with per-key retire and revoke, what rotate
// will do (and the rotation itself, after a confirm step), the policy form, the reminder of what
// to deploy after a rotation; and the "Published JWKS" card with its live check.

import { formatDuration, parsePolicyForm, policyForm, policySecs, type PolicyForm, type PolicySecs } from "../lib/duration";
import { h, icon, ICONS } from "../lib/dom";
import { formatDateTime } from "../lib/format";
import type { JwksCheck, KeyInfo, Remedy, RotationOutcome, RotationState, Tool } from "../lib/ipc/bindings";
import { statusBadgeClass } from "../lib/keys";
import { buildTimeline, type SegmentKind, type Timeline, type TimelineRow } from "../lib/timeline";
import { CHECK_ICONS, checkedAge, createCheckProgress, refreshAges, renderCheckResult } from "./checks";

export type RotationHandlers = {
  onRotate(): void;
  onRetire(kid: string, force: boolean): void;
  onRevoke(kid: string): void;
  onSavePolicy(policy: PolicySecs): void;
  onCopyJwks(): void;
  onSaveJwks(): void;
  onCopyJwk(kid: string): void;
  onCheckJwks(): void;
  onDismissReminder(): void;
};

/** What a key row shows below its bars: nothing, or one of the inline confirmations. */
export type KeyAction =
  | { kind: "retire-refused"; kid: string; message: string }
  | { kind: "retire-force"; kid: string; message: string }
  | { kind: "revoke"; kid: string };

export type RotationView = {
  /** The rotation card and the published-JWKS card, in page order. */
  elements: HTMLElement[];
  toolId: string;
  setKeys(keys: readonly KeyInfo[], now: number): void;
  setState(state: RotationState | null, now: number): void;
  setReminder(outcome: RotationOutcome | null): void;
  setRotating(startedAt: number | null, now: number): void;
  /** A retire refused inside the overlap window: shows the reason and offers "Retire anyway". */
  showRetireRefused(kid: string, message: string): void;
  /** Marks a key as having an action under way (its buttons are disabled). */
  setKeyBusy(kid: string | null): void;
  setPolicySaving(saving: boolean): void;
  /** After a save: the policy as stored becomes the form's value. */
  setPolicySaved(policy: PolicySecs): void;
  setChecking(startedAt: number | null, now: number): void;
  setCheck(check: JwksCheck | null, now: number): void;
  setLastCheck(check: JwksCheck | null, now: number): void;
  tick(now: number): void;
};

const ICON = {
  rotate: ["M4 12a8 8 0 0 1 13.7-5.6L20 8.7", "M20 4v4.7h-4.7", "M20 12a8 8 0 0 1-13.7 5.6L4 15.3", "M4 20v-4.7h4.7"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  close: ["M6 6l12 12", "M18 6L6 18"],
  shield: ["M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z", "M9.5 12l2 2 3.5-4"],
};

const SEGMENT_TEXT: Record<SegmentKind, string> = {
  "pre-publish": "Published, not signing",
  signing: "Signing",
  overlap: "Overlap: published, no longer signing",
  lingering: "Overlap over: still published, retire it",
};

const LEGEND: Array<{ kind: SegmentKind | "now"; text: string }> = [
  { kind: "pre-publish", text: "Published, waiting" },
  { kind: "signing", text: "Signing" },
  { kind: "overlap", text: "Overlap" },
  { kind: "lingering", text: "Past overlap" },
  { kind: "now", text: "Now" },
];

function buttonFor(root: ParentNode, attribute: string, kid: string): HTMLElement | undefined {
  return Array.from(root.querySelectorAll<HTMLElement>(`[${attribute}]`)).find(
    (element) => element.getAttribute(attribute) === kid,
  );
}

function when(doc: Document, iso: string): HTMLElement {
  return h(doc, "time", { datetime: iso, title: iso, text: formatDateTime(iso) });
}

/** The lines of "what rotate will do", as plain text (also used by the tests). */
export function planLines(state: RotationState, keys: readonly KeyInfo[]): string[] {
  const plan = state.plan;
  if (plan === null) {
    return ["Nothing to rotate yet: generate the tool's first key; it signs at once."];
  }
  const policy = policySecs(state.policy);
  const lines: string[] = [];
  const current = keys.find((key) => key.kid === plan.demote);
  if (plan.promote !== null) {
    lines.push(`Promote ${plan.promote} to current: it signs every launch and token request from now on.`);
  } else {
    const bits = current?.bits ?? 2048;
    lines.push(`Generate a new ${bits}-bit key and sign with it at once (no next key is waiting).`);
  }
  if (plan.demote !== null) {
    lines.push(
      `Demote ${plan.demote} to previous: it stays in the JWKS until ${formatDateTime(plan.unpublish_after)} ` +
        `(overlap ${formatDuration(policy.overlap_secs)}), then it can be retired.`,
    );
  }
  return lines;
}

export function createRotationView(
  doc: Document,
  tool: Tool,
  handlers: RotationHandlers,
): RotationView {
  let keys: readonly KeyInfo[] = [];
  let state: RotationState | null = null;
  let now = Date.now();
  let action: KeyAction | null = null;
  let busyKid: string | null = null;
  let confirmingRotate = false;
  let rotating: number | null = null;
  let savedPolicy: PolicyForm | null = null;

  // Header.
  const due = h(doc, "span", { id: "rotation-due", class: "badge badge-due", hidden: true });
  const dueNote = h(doc, "p", { id: "rotation-due-note", class: "rotation-due-note", hidden: true });

  // Reminder.
  const reminder = h(doc, "div", { id: "rotation-reminder", class: "reminder", role: "status", hidden: true });

  // Timeline.
  const timeline = h(doc, "div", { id: "timeline", class: "timeline", role: "group", "aria-label": "Key timeline" });
  const legend = h(
    doc,
    "ul",
    { class: "timeline-legend", "aria-hidden": "true" },
    ...LEGEND.map((item) => h(doc, "li", {}, h(doc, "span", { class: `swatch swatch-${item.kind}` }), item.text)),
  );

  // Plan and rotate.
  const preview = h(doc, "div", { id: "rotate-preview", class: "rotate-preview", "aria-live": "polite" });
  const rotateButton = h(
    doc,
    "button",
    { type: "button", id: "rotate-keys", class: "btn btn-primary", disabled: true },
    icon(doc, ICON.rotate),
    "Rotate keys…",
  );
  const confirmRotate = h(doc, "button", { type: "button", id: "rotate-confirm", class: "btn btn-primary" }, "Rotate now");
  const cancelRotate = h(doc, "button", { type: "button", id: "rotate-cancel", class: "btn" }, "Cancel");
  const confirmText = h(doc, "p", { class: "confirm-text" });
  const confirmBox = h(
    doc,
    "div",
    { id: "rotate-confirm-box", class: "inline-confirm", role: "group", "aria-label": "Confirm the rotation", hidden: true },
    confirmText,
    h(doc, "div", { class: "inline-confirm-actions" }, confirmRotate, cancelRotate),
  );
  const rotateProgress = createCheckProgress(doc, "rotate-progress");
  rotateButton.addEventListener("click", () => {
    confirmingRotate = true;
    renderPlan();
    confirmRotate.focus();
  });
  cancelRotate.addEventListener("click", () => {
    confirmingRotate = false;
    renderPlan();
    rotateButton.focus();
  });
  confirmRotate.addEventListener("click", () => {
    confirmingRotate = false;
    renderPlan();
    handlers.onRotate();
  });
  confirmBox.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      confirmingRotate = false;
      renderPlan();
      rotateButton.focus();
    }
  });

  // Policy.
  const policyInput = (id: string, placeholder: string): HTMLInputElement =>
    h(doc, "input", {
      id,
      type: "text",
      class: "mono",
      placeholder,
      spellcheck: "false",
      autocomplete: "off",
      "aria-describedby": `${id}-error ${id}-hint`,
    });
  const prePublish = policyInput("policy-pre-publish", "1d");
  const overlap = policyInput("policy-overlap", "7d");
  const rotateEvery = policyInput("policy-rotate-every", "off");
  const policyFields: Array<{ input: HTMLInputElement; key: keyof PolicyForm; label: string; hint: string }> = [
    { input: prePublish, key: "prePublish", label: "Pre-publish", hint: "How long a next key is in the JWKS before it may sign: at least the platforms' JWKS cache time." },
    { input: overlap, key: "overlap", label: "Overlap", hint: "How long a previous key stays published after it stops signing." },
    { input: rotateEvery, key: "rotateEvery", label: "Rotate every", hint: "When a rotation becomes due, e.g. 90d; off for never." },
  ];
  const policyErrors = new Map<keyof PolicyForm, HTMLElement>();
  const policySave = h(doc, "button", { type: "submit", id: "policy-save", class: "btn", disabled: true }, "Save policy");
  const policyStatus = h(doc, "span", { class: "policy-status muted small" });
  const policyFormElement = h(
    doc,
    "form",
    { id: "policy-form", class: "policy-form", novalidate: true, "aria-labelledby": "policy-heading" },
    h(doc, "h3", { id: "policy-heading", class: "subheading", text: "Policy" }),
    ...policyFields.map((field) => {
      const error = h(doc, "p", { id: `${field.input.id}-error`, class: "field-error", hidden: true });
      policyErrors.set(field.key, error);
      return h(
        doc,
        "div",
        { class: "field field-inline" },
        h(doc, "label", { for: field.input.id, text: field.label }),
        field.input,
        h(doc, "p", { id: `${field.input.id}-hint`, class: "hint", text: field.hint }),
        error,
      );
    }),
    h(doc, "div", { class: "policy-actions" }, policySave, policyStatus),
  );
  const readPolicy = (): PolicyForm => ({ prePublish: prePublish.value, overlap: overlap.value, rotateEvery: rotateEvery.value });
  const validatePolicy = (show: boolean): ReturnType<typeof parsePolicyForm> => {
    const parsed = parsePolicyForm(readPolicy());
    for (const field of policyFields) {
      const message = parsed.errors[field.key];
      const error = policyErrors.get(field.key);
      const visible = message !== undefined && (show || field.input.getAttribute("aria-invalid") === "true");
      if (error !== undefined) {
        error.textContent = visible ? message : "";
        error.hidden = !visible;
      }
      if (visible) {
        field.input.setAttribute("aria-invalid", "true");
      } else {
        field.input.removeAttribute("aria-invalid");
      }
    }
    return parsed;
  };
  const policyDirty = (): boolean => {
    if (savedPolicy === null) return false;
    const form = readPolicy();
    return (
      form.prePublish.trim() !== savedPolicy.prePublish ||
      form.overlap.trim() !== savedPolicy.overlap ||
      form.rotateEvery.trim() !== savedPolicy.rotateEvery
    );
  };
  const syncPolicyButton = (): void => {
    policySave.disabled = savedPolicy === null || !policyDirty() || policyFormElement.classList.contains("is-saving");
    policyStatus.textContent = policyDirty() ? "Unsaved changes" : "";
  };
  policyFormElement.addEventListener("input", () => {
    validatePolicy(false);
    syncPolicyButton();
  });
  policyFormElement.addEventListener("focusout", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.value.trim() !== "") {
      const parsed = parsePolicyForm(readPolicy());
      const field = policyFields.find((f) => f.input === target);
      if (field !== undefined && parsed.errors[field.key] !== undefined) {
        target.setAttribute("aria-invalid", "true");
        validatePolicy(false);
      }
    }
  });
  policyFormElement.addEventListener("submit", (event) => {
    event.preventDefault();
    if (policySave.disabled) {
      return;
    }
    const parsed = validatePolicy(true);
    if (!parsed.ok) {
      policyFields.find((field) => parsed.errors[field.key] !== undefined)?.input.focus();
      return;
    }
    handlers.onSavePolicy(parsed.value);
  });
  const setPolicyForm = (policy: PolicySecs): void => {
    savedPolicy = policyForm(policy);
    prePublish.value = savedPolicy.prePublish;
    overlap.value = savedPolicy.overlap;
    rotateEvery.value = savedPolicy.rotateEvery;
    validatePolicy(false);
    syncPolicyButton();
  };

  // Published JWKS card.
  const checkButton = h(
    doc,
    "button",
    {
      type: "button",
      id: "check-jwks",
      class: "btn",
      disabled: tool.jwks_url === null,
      title: tool.jwks_url === null ? "This tool has no JWKS URL" : `Fetch ${tool.jwks_url} and compare it with this tool's keys`,
    },
    icon(doc, CHECK_ICONS.refresh),
    "Check published JWKS",
  );
  checkButton.addEventListener("click", () => handlers.onCheckJwks());
  const lastCheck = h(doc, "p", { id: "tool-last-check", class: "last-check small", hidden: true });
  const checkProgress = createCheckProgress(doc, "tool-check-progress");
  const checkResult = h(doc, "div", { id: "tool-check-result", class: "check-result-slot", "aria-live": "polite" });
  let checking: number | null = null;

  const jwksCard = h(
    doc,
    "section",
    { id: "jwks-check-panel", class: "card", "aria-labelledby": "jwks-check-heading" },
    h(
      doc,
      "div",
      { class: "card-header" },
      h(doc, "h2", { id: "jwks-check-heading", text: "Published JWKS" }),
      h(doc, "div", { class: "card-actions" }, checkButton),
    ),
    tool.jwks_url === null
      ? h(doc, "p", {
          class: "muted small",
          text: "This tool has no JWKS URL: platforms hold a pasted public JWK instead. Give the tool a JWKS URL to check what it serves.",
        })
      : h(
          doc,
          "p",
          { class: "jwks-url-line" },
          h(doc, "span", { class: "muted", text: "Served at " }),
          h(doc, "span", { class: "mono selectable", text: tool.jwks_url }),
          h(doc, "span", { class: "muted", text: ": the check compares it with the keys above (next, current and previous must be there; retired and revoked must not)." }),
        ),
    lastCheck,
    checkProgress.element,
    checkResult,
  );

  // Rotation card.
  const rotationCard = h(
    doc,
    "section",
    { id: "rotation-panel", class: "card rotation-panel", "aria-labelledby": "rotation-heading" },
    h(
      doc,
      "div",
      { class: "card-header" },
      h(doc, "h2", { id: "rotation-heading" }, "Rotation ", due),
      legend,
    ),
    reminder,
    dueNote,
    h(doc, "div", { class: "timeline-wrap" }, timeline),
    h(
      doc,
      "div",
      { class: "rotation-grid" },
      h(
        doc,
        "div",
        { class: "rotate-block", "aria-labelledby": "rotate-heading", role: "group" },
        h(doc, "h3", { id: "rotate-heading", class: "subheading", text: "What rotate will do" }),
        preview,
        confirmBox,
        rotateProgress.element,
        h(doc, "div", { class: "rotate-actions" }, rotateButton),
      ),
      policyFormElement,
    ),
  );

  // Timeline rendering.

  const rowActions = (row: TimelineRow): HTMLElement => {
    const cell = h(doc, "div", { class: "timeline-actions" });
    const disabled = busyKid === row.kid || rotating !== null;
    if (row.status === "previous") {
      const ready = state?.retire_ready.includes(row.kid) ?? false;
      const key = keys.find((k) => k.kid === row.kid);
      cell.append(
        h(
          doc,
          "button",
          {
            type: "button",
            class: ready ? "btn btn-small btn-retire is-ready" : "btn btn-small btn-retire",
            "data-retire-key": row.kid,
            disabled,
            title: ready
              ? "Its overlap window is over: take it out of the JWKS"
              : `Inside its overlap window${key?.unpublish_after ? ` until ${formatDateTime(key.unpublish_after)}` : ""}`,
          },
          "Retire",
        ),
      );
    }
    if (row.status !== "revoked") {
      cell.append(
        h(
          doc,
          "button",
          {
            type: "button",
            class: "btn btn-small btn-quiet-danger",
            "data-revoke-key": row.kid,
            disabled,
            title: "Compromised? Unpublish it at once; it never signs again",
          },
          "Revoke",
        ),
      );
    }
    return cell;
  };

  const actionPanel = (row: TimelineRow): HTMLElement | null => {
    if (action === null || action.kid !== row.kid) {
      return null;
    }
    const cancel = h(doc, "button", { type: "button", class: "btn btn-small", "data-action-cancel": row.kid }, "Cancel");
    switch (action.kind) {
      case "retire-refused":
        return h(
          doc,
          "div",
          { class: "inline-confirm inline-warning", role: "alert", "data-retire-refused": row.kid },
          h(doc, "p", { class: "confirm-text selectable", text: action.message }),
          h(
            doc,
            "div",
            { class: "inline-confirm-actions" },
            h(doc, "button", { type: "button", class: "btn btn-small", "data-retire-force": row.kid }, "Retire anyway…"),
            cancel,
          ),
        );
      case "retire-force":
        return h(
          doc,
          "div",
          { class: "inline-confirm inline-danger", role: "group", "aria-label": `Retire ${row.kid} now?` },
          h(doc, "p", {
            class: "confirm-text",
            text:
              `Retire ${row.kid} now, inside its overlap window? It leaves the JWKS at once: a platform still ` +
              "holding a token it signed, or a JWKS cached before the rotation, fails with KidNotFound.",
          }),
          h(
            doc,
            "div",
            { class: "inline-confirm-actions" },
            h(doc, "button", { type: "button", class: "btn btn-small btn-danger", "data-retire-force-confirm": row.kid }, "Retire now"),
            cancel,
          ),
        );
      case "revoke": {
        const signing = row.status === "current";
        const input = h(doc, "input", {
          type: "text",
          class: "mono revoke-input",
          "data-revoke-input": row.kid,
          "aria-label": `Type ${row.kid} to confirm`,
          placeholder: row.kid,
          spellcheck: "false",
          autocomplete: "off",
        });
        const confirm = h(
          doc,
          "button",
          { type: "button", class: "btn btn-small btn-danger", "data-revoke-confirm": row.kid, disabled: true },
          "Revoke key",
        );
        input.addEventListener("input", () => {
          confirm.disabled = input.value.trim() !== row.kid;
        });
        input.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && !confirm.disabled) {
            confirm.click();
          }
        });
        return h(
          doc,
          "div",
          { class: "inline-confirm inline-danger", role: "group", "aria-label": `Revoke ${row.kid}?` },
          h(
            doc,
            "p",
            { class: "confirm-text" },
            h(doc, "strong", { text: `Revoke ${row.kid}? ` }),
            "It leaves the JWKS at once and never signs again; its private key is deleted from the keychain. " +
              "Tokens it signed stop verifying. ",
            signing ? "It signs now: the next key takes over (a new key is generated if none waits), so publish the new JWKS right away. " : "",
            "This cannot be undone.",
          ),
          h(
            doc,
            "label",
            { class: "revoke-label" },
            "Type the kid to confirm: ",
            h(doc, "code", { class: "mono selectable", text: row.kid }),
          ),
          h(doc, "div", { class: "inline-confirm-actions" }, input, confirm, cancel),
        );
      }
    }
  };

  const renderRow = (row: TimelineRow, line: Timeline): HTMLElement => {
    const track = h(doc, "div", { class: "timeline-track", "aria-hidden": "true" });
    for (const tick of line.ticks) {
      const grid = h(doc, "span", { class: "grid-line" });
      grid.style.left = `${tick.pos.toFixed(3)}%`;
      track.append(grid);
    }
    for (const segment of row.segments) {
      const bar = h(doc, "span", {
        class: `seg seg-${segment.kind}${segment.open ? " is-open" : ""}`,
        "data-segment": segment.kind,
        title: `${SEGMENT_TEXT[segment.kind]}: ${formatDateTime(new Date(segment.from).toISOString())} → ${
          segment.open ? "…" : formatDateTime(new Date(segment.to).toISOString())
        }`,
      });
      bar.style.left = `${segment.left.toFixed(3)}%`;
      bar.style.width = `${Math.max(segment.width, 0.4).toFixed(3)}%`;
      track.append(bar);
    }
    for (const mark of row.marks) {
      const dot = h(doc, "span", {
        class: `mark mark-${mark.kind}`,
        "data-mark": mark.kind,
        title: `${mark.label}: ${formatDateTime(new Date(mark.at).toISOString())}`,
      });
      dot.style.left = `${mark.pos.toFixed(3)}%`;
      track.append(dot);
    }
    const nowLine = h(doc, "span", { class: "timeline-now" });
    nowLine.style.left = `${line.now.toFixed(3)}%`;
    track.append(nowLine);

    const facts = h(
      doc,
      "p",
      { class: "timeline-facts" },
      ...row.facts.map((fact) =>
        h(doc, "span", { class: "fact", "data-fact": fact.label }, h(doc, "span", { class: "fact-label", text: fact.label }), " ", when(doc, fact.iso)),
      ),
    );
    const label = h(
      doc,
      "div",
      { class: "timeline-label" },
      h(doc, "span", { class: "timeline-kid mono selectable", title: row.kid, text: row.kid }),
      h(doc, "span", { class: statusBadgeClass(row.status), text: row.status }),
    );
    return h(
      doc,
      "div",
      {
        class: `timeline-row status-${row.status}${action?.kid === row.kid ? " has-action" : ""}`,
        "data-timeline-kid": row.kid,
        "data-status": row.status,
        role: "listitem",
      },
      label,
      track,
      rowActions(row),
      facts,
      actionPanel(row),
    );
  };

  const renderTimeline = (): void => {
    if (keys.length === 0) {
      timeline.replaceChildren(
        h(doc, "p", { class: "timeline-empty muted", text: "No keys yet. Generate the first key: it signs at once. Then generate a next key ahead of the rotation." }),
      );
      return;
    }
    const policy = state === null ? null : policySecs(state.policy);
    const line = buildTimeline(keys, now, policy);
    const axis = h(doc, "div", { class: "timeline-axis", "aria-hidden": "true" });
    for (const tick of line.ticks) {
      const label = h(doc, "span", { class: "tick", text: tick.label });
      label.style.left = `${tick.pos.toFixed(3)}%`;
      if (tick.pos < 4) label.classList.add("tick-start");
      if (tick.pos > 96) label.classList.add("tick-end");
      axis.append(label);
    }
    const nowLabel = h(doc, "span", { class: "tick tick-now", text: "Now" });
    nowLabel.style.left = `${line.now.toFixed(3)}%`;
    if (line.now < 4) nowLabel.classList.add("tick-start");
    if (line.now > 96) nowLabel.classList.add("tick-end");
    axis.append(nowLabel);
    timeline.replaceChildren(
      h(doc, "div", { class: "timeline-head" }, h(doc, "span", { class: "timeline-head-label", text: "Key" }), axis),
      h(doc, "div", { class: "timeline-rows", role: "list" }, ...line.rows.map((row) => renderRow(row, line))),
    );
  };

  const renderPlan = (): void => {
    const items: HTMLElement[] = [];
    if (state === null) {
      preview.replaceChildren(h(doc, "p", { class: "muted", text: "Loading…" }));
      rotateButton.disabled = true;
      confirmBox.hidden = true;
      return;
    }
    const plan = state.plan;
    for (const text of planLines(state, keys)) {
      items.push(h(doc, "li", { text }));
    }
    const children: HTMLElement[] = [h(doc, "ul", { class: "plan-list" }, ...items)];
    if (plan !== null && plan.lead_time_skipped) {
      children.push(
        h(
          doc,
          "p",
          { class: "plan-flag" },
          h(doc, "span", { class: "badge badge-warning", text: "Lead time skipped" }),
          plan.safe_from !== null ? ` Safe from ${formatDateTime(plan.safe_from)}.` : "",
        ),
      );
    }
    if (plan !== null && plan.warnings.length > 0) {
      children.push(
        h(
          doc,
          "ul",
          { class: "plan-warnings" },
          ...plan.warnings.map((warning) => h(doc, "li", { class: "selectable" }, icon(doc, CHECK_ICONS.alert), h(doc, "span", { text: warning }))),
        ),
      );
    }
    preview.replaceChildren(...children);
    preview.setAttribute("data-promote", plan?.promote ?? "");
    preview.setAttribute("data-demote", plan?.demote ?? "");
    rotateButton.disabled = plan === null || rotating !== null;
    confirmBox.hidden = !confirmingRotate || plan === null || rotating !== null;
    rotateButton.hidden = !confirmBox.hidden;
    if (plan !== null) {
      confirmText.textContent =
        `${plan.promote ?? "A new key"} signs from now on and ${plan.demote ?? "the current key"} stops signing. ` +
        "Publish the new JWKS right after" +
        (tool.jwks_url === null ? ", and update the public JWK in the platforms' developer keys." : ".");
    }
  };

  const renderDue = (): void => {
    const policy = state === null ? null : policySecs(state.policy);
    if (state?.due_since !== null && state?.due_since !== undefined) {
      due.hidden = false;
      due.textContent = "Rotation due";
      due.title = `Due since ${formatDateTime(state.due_since)}`;
      dueNote.hidden = false;
      dueNote.replaceChildren(
        icon(doc, CHECK_ICONS.alert),
        h(doc, "span", {
          text: `Rotation has been due since ${formatDateTime(state.due_since)} (policy: every ${formatDuration(policy?.rotate_every_secs ?? 0)}). Generate a next key, wait the pre-publish time, then rotate.`,
        }),
      );
      return;
    }
    due.hidden = true;
    dueNote.hidden = true;
  };

  const render = (): void => {
    renderDue();
    renderTimeline();
    renderPlan();
  };

  timeline.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (target === null || target.disabled) {
      return;
    }
    const attr = (name: string): string | null => target.getAttribute(name);
    let focus: [string, string] | null = null;
    if (attr("data-retire-key") !== null) {
      action = null;
      handlers.onRetire(attr("data-retire-key") ?? "", false);
      return;
    } else if (attr("data-retire-force") !== null) {
      const kid = attr("data-retire-force") ?? "";
      action = { kind: "retire-force", kid, message: action?.kind === "retire-refused" ? action.message : "" };
      focus = ["data-action-cancel", kid];
    } else if (attr("data-retire-force-confirm") !== null) {
      const kid = attr("data-retire-force-confirm") ?? "";
      action = null;
      handlers.onRetire(kid, true);
    } else if (attr("data-revoke-key") !== null) {
      const kid = attr("data-revoke-key") ?? "";
      action = { kind: "revoke", kid };
      focus = ["data-revoke-input", kid];
    } else if (attr("data-revoke-confirm") !== null) {
      const kid = attr("data-revoke-confirm") ?? "";
      action = null;
      handlers.onRevoke(kid);
    } else if (attr("data-action-cancel") !== null) {
      const kid = attr("data-action-cancel") ?? "";
      action = null;
      focus = ["data-revoke-key", kid];
    } else {
      return;
    }
    renderTimeline();
    if (focus !== null) {
      buttonFor(timeline, focus[0], focus[1])?.focus();
    }
  });
  timeline.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && action !== null) {
      const kid = action.kid;
      action = null;
      renderTimeline();
      buttonFor(timeline, "data-revoke-key", kid)?.focus();
    }
  });

  // Reminder.
  reminder.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (target === null || target.disabled) return;
    switch (target.id) {
      case "reminder-copy-jwks":
        handlers.onCopyJwks();
        break;
      case "reminder-save-jwks":
        handlers.onSaveJwks();
        break;
      case "reminder-check-jwks":
        handlers.onCheckJwks();
        break;
      case "reminder-dismiss":
        handlers.onDismissReminder();
        break;
      default: {
        const kid = target.getAttribute("data-reminder-copy-jwk");
        if (kid !== null) handlers.onCopyJwk(kid);
      }
    }
  });

  /** A step of what to deploy after a rotation, in words, with the buttons that do it. */
  const reminderStep = (remedy: Remedy): { text: string; actions: HTMLElement[] } | null => {
    switch (remedy.kind) {
      case "publish_jwks":
        return {
          text: remedy.jwks_url !== null ? `Publish the new JWKS at ${remedy.jwks_url} now.` : "Publish the new JWKS.",
          actions: [
            h(doc, "button", { type: "button", id: "reminder-copy-jwks", class: "btn btn-small" }, icon(doc, ICONS.copy), "Copy JWKS"),
            h(doc, "button", { type: "button", id: "reminder-save-jwks", class: "btn btn-small" }, icon(doc, ICONS.save), "Save JWKS…"),
          ],
        };
      case "check_jwks":
        return {
          text: `Then check that ${remedy.url} publishes it.`,
          actions: [
            h(doc, "button", { type: "button", id: "reminder-check-jwks", class: "btn btn-small" }, icon(doc, CHECK_ICONS.refresh), "Check published JWKS"),
          ],
        };
      case "paste_jwk":
        return {
          text:
            `This tool has no JWKS URL, so platforms hold a pasted public key: update the Canvas developer key's public JWK ` +
            `to kid ${remedy.kid}, or tokens signed from now on fail with "JWS signature invalid".`,
          actions: [
            h(
              doc,
              "button",
              { type: "button", id: "reminder-copy-jwk", class: "btn btn-small", "data-reminder-copy-jwk": remedy.kid },
              icon(doc, ICONS.copy),
              `Copy JWK of ${remedy.kid}`,
            ),
          ],
        };
      default:
        return null;
    }
  };

  const renderReminder = (outcome: RotationOutcome | null): void => {
    reminder.hidden = outcome === null;
    if (outcome === null) {
      reminder.replaceChildren();
      return;
    }
    const steps = outcome.reminders.flatMap((remedy) => {
      const step = reminderStep(remedy);
      if (step === null) return [];
      return [
        h(
          doc,
          "li",
          { class: "reminder-step" },
          h(doc, "p", { class: "selectable", text: step.text }),
          step.actions.length > 0 ? h(doc, "div", { class: "reminder-actions" }, ...step.actions) : null,
        ),
      ];
    });
    reminder.replaceChildren(
      h(
        doc,
        "div",
        { class: "reminder-head" },
        h(doc, "span", { class: "reminder-icon" }, icon(doc, ICON.check)),
        h(
          doc,
          "div",
          { class: "reminder-title" },
          h(doc, "strong", {}, "Rotated: ", h(doc, "code", { class: "mono selectable", text: outcome.current }), " signs now."),
          h(
            doc,
            "p",
            { class: "small" },
            outcome.previous !== null
              ? `${outcome.previous} stays published until ${formatDateTime(outcome.unpublish_after)}; retire it after that.`
              : "",
            outcome.generated !== null ? ` ${outcome.generated} was generated for it.` : "",
          ),
        ),
        h(
          doc,
          "button",
          { type: "button", id: "reminder-dismiss", class: "banner-dismiss", "aria-label": "Dismiss the reminder", title: "Done: dismiss" },
          icon(doc, ICON.close),
        ),
      ),
      outcome.warnings.length > 0
        ? h(
            doc,
            "ul",
            { class: "plan-warnings" },
            ...outcome.warnings.map((warning) => h(doc, "li", { class: "selectable" }, icon(doc, CHECK_ICONS.alert), h(doc, "span", { text: warning }))),
          )
        : "",
      h(doc, "p", { class: "reminder-lead", text: "Deploy now:" }),
      h(doc, "ol", { class: "reminder-steps" }, ...steps),
    );
  };

  render();

  return {
    elements: [rotationCard, jwksCard],
    toolId: tool.id,
    setKeys(next, at) {
      keys = next;
      now = at;
      if (action !== null && !keys.some((key) => key.kid === action?.kid && key.status !== "revoked")) {
        action = null;
      }
      render();
    },
    setState(next, at) {
      const first = state === null;
      state = next;
      now = at;
      if (next !== null && (first || !policyDirty())) {
        setPolicyForm(policySecs(next.policy));
      }
      render();
    },
    setReminder(outcome) {
      renderReminder(outcome);
    },
    setRotating(startedAt, at) {
      rotating = startedAt;
      rotateButton.classList.toggle("is-busy", startedAt !== null);
      rotateProgress.set(startedAt === null ? null : "Rotating…", startedAt === null ? 0 : at - startedAt);
      renderPlan();
      renderTimeline();
    },
    showRetireRefused(kid, message) {
      action = { kind: "retire-refused", kid, message };
      renderTimeline();
      buttonFor(timeline, "data-retire-force", kid)?.focus();
    },
    setKeyBusy(kid) {
      if (busyKid === kid) return;
      busyKid = kid;
      renderTimeline();
    },
    setPolicySaving(saving) {
      policyFormElement.classList.toggle("is-saving", saving);
      for (const field of policyFields) field.input.disabled = saving;
      syncPolicyButton();
      if (saving) policyStatus.textContent = "Saving…";
    },
    setPolicySaved(policy) {
      setPolicyForm(policy);
    },
    setChecking(startedAt, at) {
      checking = startedAt;
      checkButton.disabled = tool.jwks_url === null || startedAt !== null;
      checkButton.classList.toggle("is-busy", startedAt !== null);
      checkProgress.set(startedAt === null ? null : `Checking ${tool.jwks_url ?? ""}…`, startedAt === null ? 0 : at - startedAt);
    },
    setCheck(check, at) {
      checkResult.replaceChildren(...(check === null ? [] : [renderCheckResult(doc, check, at)]));
    },
    setLastCheck(check, at) {
      lastCheck.hidden = check === null;
      if (check !== null) {
        const errors = check.findings.filter((f) => f.severity === "error").length;
        lastCheck.replaceChildren(
          h(doc, "span", { class: errors > 0 ? "dot dot-fail" : "dot dot-pass", "aria-hidden": "true" }),
          h(doc, "span", { text: `Last check: ${errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : "no errors"}, ` }),
          checkedAge(doc, check.checked_at, at, ""),
        );
      }
    },
    tick(at) {
      now = at;
      if (rotating !== null) rotateProgress.set("Rotating…", at - rotating);
      if (checking !== null) checkProgress.set(`Checking ${tool.jwks_url ?? ""}…`, at - checking);
      refreshAges(rotationCard, at);
      refreshAges(jwksCard, at);
    },
  };
}
