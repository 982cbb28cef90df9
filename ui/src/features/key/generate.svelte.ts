// The generate-key form's values and the running generations, kept per tool for as long as the
// window is open, so switching tools loses nothing typed and a generation keeps its progress.

import { app, showFailure } from "../../lib/app.svelte";
import { normaliseError } from "../../lib/errors";
import { cancelKeygen, generateKey, type KeyInfo, type KeygenStage, type KidScheme } from "../../lib/ipc";

export const KEY_SIZES = [2048, 3072, 4096] as const;

export type SchemeChoice = KidScheme | "custom";

export const SCHEMES: ReadonlyArray<{ value: SchemeChoice; label: string }> = [
  { value: "thumbprint", label: "Thumbprint (RFC 7638)" },
  { value: "timestamp", label: "Timestamp (ISO 8601)" },
  { value: "uuid", label: "UUID" },
  { value: "custom", label: "Custom…" },
];

export type GenerateValues = { bits: number; scheme: SchemeChoice; customKid: string };

/** A generation under way: its size, the stage the Rust side last reported, when it began, and
 * whether the user asked to stop it. */
export type KeygenJob = { bits: number; stage: KeygenStage; startedAt: number; cancelling: boolean };

/** Each tool's values, each one reactive on its own (created on first use, even while rendering). */
const forms = new Map<string, GenerateValues>();
const jobs = $state<Record<string, KeygenJob>>({});

/** The form of `toolId`, created with the defaults on first use. */
export function generateForm(toolId: string): GenerateValues {
  let form = forms.get(toolId);
  if (form === undefined) {
    const fresh = $state<GenerateValues>({ bits: 2048, scheme: "thumbprint", customKid: "" });
    form = fresh;
    forms.set(toolId, form);
  }
  return form;
}

/** The generation running for `toolId`, if any. */
export function keygenJob(toolId: string): KeygenJob | null {
  return jobs[toolId] ?? null;
}

/** What a generation ended with: the key, or the field errors to show (others are in the banner). */
export type GenerateResult = { key: KeyInfo | null; errors: Record<string, string> };

/**
 * Generates a key with the tool's form values, reporting each stage in `keygenJob(toolId)`;
 * clears the custom kid and toasts once done. An error about the custom kid comes back to be
 * shown under `#custom-kid`; any other goes to the banner.
 */
export async function runGenerate(toolId: string): Promise<GenerateResult> {
  if (jobs[toolId] !== undefined) return { key: null, errors: {} };
  const values = generateForm(toolId);
  const custom = values.scheme === "custom";
  jobs[toolId] = { bits: values.bits, stage: "generating", startedAt: Date.now(), cancelling: false };
  app.clearError();
  try {
    const key = await generateKey(
      {
        tool: toolId,
        bits: values.bits,
        kid_scheme: custom ? "thumbprint" : (values.scheme as KidScheme),
        kid: custom ? values.customKid.trim() : null,
      },
      (progress) => {
        const job = jobs[toolId];
        if (job !== undefined) job.stage = progress.stage;
      },
    );
    if (custom) values.customKid = "";
    app.toast(`Key ${key.kid} generated`);
    return { key, errors: {} };
  } catch (error) {
    if (normaliseError(error).kind === "cancelled") {
      app.toast("Key generation cancelled: nothing was stored");
      return { key: null, errors: {} };
    }
    return { key: null, errors: await showFailure(error, custom ? { kid: "custom-kid" } : {}) };
  } finally {
    delete jobs[toolId];
  }
}

/**
 * Asks the Rust side to stop the generation running for `toolId`; `runGenerate` then ends with
 * no key. Only while the primes are searched: storing in the keychain is never cut short.
 */
export async function cancelGenerate(toolId: string): Promise<void> {
  const job = jobs[toolId];
  if (job === undefined || job.stage !== "generating" || job.cancelling) return;
  job.cancelling = true;
  try {
    await cancelKeygen(toolId);
  } catch (error) {
    job.cancelling = false;
    await showFailure(error);
  }
}

/** Forgets every form and job, for tests. */
export function resetGenerate(): void {
  forms.clear();
  for (const id of Object.keys(jobs)) delete jobs[id];
}
