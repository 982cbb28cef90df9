// The view-model of the keys table: KeyInfo[] from the backend to display rows.

import { formatDateTime } from "./format";
import type { KeyInfo, KeyStatus, PrivateKeyState } from "./ipc/bindings";

export type KeyRow = {
  kid: string;
  alg: string;
  bits: string;
  status: KeyStatus;
  statusClass: string;
  statusTitle: string;
  published: boolean;
  created: string;
  createdIso: string;
  privateKey: PrivateKeyState;
  privateClass: string;
  privateTitle: string;
};

/** Order of statuses in the table: signing key first, unpublished last. */
const STATUS_ORDER: Record<KeyStatus, number> = {
  current: 0,
  next: 1,
  previous: 2,
  retired: 3,
  revoked: 4,
};

const STATUS_TITLES: Record<KeyStatus, string> = {
  next: "Published, not signing yet",
  current: "Signs new launches",
  previous: "Still published, no longer signs",
  retired: "No longer published",
  revoked: "Revoked: unpublished and never signs again",
};

/** Classes of the status badge, e.g. "badge badge-current". */
export function statusBadgeClass(status: KeyStatus): string {
  return `badge badge-${status}`;
}

/** Classes of the private-key cell text; "missing" is styled as a warning. */
export function privateKeyClass(state: PrivateKeyState): string {
  return `private-state private-${state}`;
}

/** Tooltip of the private-key cell. */
export function privateKeyTitle(state: PrivateKeyState): string {
  switch (state) {
    case "present":
      return "The private key is in the OS keychain.";
    case "missing":
      return "The keychain entry for this key is gone: it cannot sign. Generate a new key and retire this one.";
    case "unknown":
      return "The keychain could not be checked.";
    case "public_only":
      return "Imported from a bundle without its private key: it is published and never signs here; the tool's server holds the private key.";
    case "transit":
      return "Held by the team's OpenBao Transit key, which signs with it; the private key never leaves the server.";
  }
}

/** Rows sorted by status (current, next, previous, retired, revoked), newest first within one. */
export function keyRows(keys: readonly KeyInfo[]): KeyRow[] {
  return [...keys]
    .sort((a, b) => {
      const byStatus = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
      if (byStatus !== 0) {
        return byStatus;
      }
      const byTime = Date.parse(b.created_at) - Date.parse(a.created_at);
      return Number.isNaN(byTime) || byTime === 0 ? a.kid.localeCompare(b.kid) : byTime;
    })
    .map((key) => ({
      kid: key.kid,
      alg: key.alg,
      bits: String(key.bits),
      status: key.status,
      statusClass: statusBadgeClass(key.status),
      statusTitle: `${STATUS_TITLES[key.status]}; ${key.published ? "in the published JWKS" : "not in the JWKS"}.`,
      published: key.published,
      created: formatDateTime(key.created_at),
      createdIso: key.created_at,
      privateKey: key.private_key,
      privateClass: privateKeyClass(key.private_key),
      privateTitle: privateKeyTitle(key.private_key),
    }));
}
