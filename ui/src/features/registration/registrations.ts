// Registrations: the checks of a typed client_id and deployment id, and where the focus goes
// when a deployment leaves the list.

import type { Registration } from "../../lib/ipc/bindings";

/** Null when `value` can be a client_id, else a message naming the field and the fix. */
export function checkClientId(value: string): string | null {
  const text = value.trim();
  if (text === "") return "client_id: enter the client_id the platform gave the tool.";
  if (/\s/.test(text)) return "client_id: a client_id has no spaces; copy it exactly.";
  return null;
}

/** Null when `value` can be a deployment id, else a message. */
export function checkDeploymentId(value: string): string | null {
  const text = value.trim();
  if (text === "") return "Deployment id: enter the deployment_id the platform shows.";
  if (/\s/.test(text)) return "Deployment id: it has no spaces; copy it exactly.";
  return null;
}

/** The deployment listed after `deploymentId`, if any (none after the last). */
export function nextDeployment(registration: Registration, deploymentId: string): string | null {
  const ids = registration.deployments.map((d) => d.deployment_id);
  const index = ids.indexOf(deploymentId);
  return index === -1 ? null : (ids[index + 1] ?? null);
}
