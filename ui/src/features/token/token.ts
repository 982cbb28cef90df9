// The tool's tokens as the window words them: outcomes, signature states, and the deployment
// ids a finding offers to record.

import type { Finding, Inspection, SignatureStatus, TokenOutcome } from "../../lib/ipc/bindings";

export const OUTCOME_LABELS: Record<TokenOutcome, string> = {
  granted: "Granted",
  refused: "Refused",
  no_answer: "No answer",
};

export const SIGNATURE_LABELS: Record<SignatureStatus, string> = {
  verified: "Verified",
  invalid: "Invalid",
  unverified: "Not verified",
};

/** A deployment id the inspector found and a registration does not record yet. */
export type NewDeployment = { registration: string; deploymentId: string };

/** The deployment ids the findings offer to add, each once. */
export function deploymentsToAdd(findings: readonly Finding[]): NewDeployment[] {
  const out: NewDeployment[] = [];
  for (const finding of findings) {
    for (const remedy of finding.remedies ?? []) {
      if (remedy.kind === "add_deployment" && remedy.deployment_id !== undefined) {
        const next = { registration: remedy.registration, deploymentId: remedy.deployment_id };
        if (!out.some((d) => d.registration === next.registration && d.deploymentId === next.deploymentId)) {
          out.push(next);
        }
      }
    }
  }
  return out;
}

/** The inspection's headline: kind, and how the signature went. */
export function headline(inspection: Inspection): string {
  const errors = inspection.findings.filter((f) => f.severity === "error").length;
  const verdict = errors === 0 ? "no errors" : errors === 1 ? "1 error" : `${errors} errors`;
  return `${SIGNATURE_LABELS[inspection.signature.status]} signature, ${verdict}`;
}

/** Pretty JSON for a header or claims object. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
