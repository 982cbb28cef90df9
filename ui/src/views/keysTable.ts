// The keys table: one row per key, with copy and delete (two-step) actions.

import { h, icon, ICONS } from "../lib/dom";
import type { KeyRow } from "../lib/keys";

const COLUMNS: Array<{ label: string; className: string }> = [
  { label: "Kid", className: "col-kid" },
  { label: "Bits", className: "col-bits" },
  { label: "Status", className: "col-status" },
  { label: "Created", className: "col-created" },
  { label: "Private key", className: "col-private" },
  { label: "Actions", className: "col-actions" },
];

/** Creates the empty `#keys-table` with its header. */
export function createKeysTable(doc: Document): HTMLTableElement {
  const headRow = h(doc, "tr");
  for (const column of COLUMNS) {
    headRow.append(h(doc, "th", { scope: "col", class: column.className, text: column.label }));
  }
  return h(
    doc,
    "table",
    { id: "keys-table", class: "keys-table" },
    h(doc, "caption", { class: "visually-hidden", text: "Keys of this tool" }),
    h(doc, "thead", {}, headRow),
    h(doc, "tbody"),
  );
}

function actionsCell(doc: Document, row: KeyRow, confirming: boolean): HTMLTableCellElement {
  const cell = h(doc, "td", { class: "actions" });
  if (confirming) {
    cell.append(
      h(
        doc,
        "div",
        { class: "confirm", role: "group", "aria-label": `Delete key ${row.kid}?` },
        h(
          doc,
          "button",
          { type: "button", class: "btn btn-danger btn-small", "data-confirm-delete": row.kid },
          "Confirm delete?",
        ),
        h(
          doc,
          "button",
          { type: "button", class: "btn btn-small", "data-cancel-delete": row.kid },
          "Cancel",
        ),
      ),
    );
    return cell;
  }
  cell.append(
    h(
      doc,
      "button",
      {
        type: "button",
        class: "btn btn-small",
        "data-copy-jwk": row.kid,
        title: `Copy the public JWK of ${row.kid}`,
      },
      icon(doc, ICONS.copy),
      "Copy JWK",
    ),
    h(
      doc,
      "button",
      {
        type: "button",
        class: "btn btn-small btn-icon btn-quiet-danger",
        "data-delete-key": row.kid,
        title: "Delete this key",
        "aria-label": `Delete key ${row.kid}`,
      },
      icon(doc, ICONS.trash),
    ),
  );
  return cell;
}

/** One `tr[data-kid]` for a key. */
export function keyRowElement(doc: Document, row: KeyRow, confirming: boolean): HTMLTableRowElement {
  return h(
    doc,
    "tr",
    {
      "data-kid": row.kid,
      class: confirming ? "row-confirm" : row.privateKey === "missing" ? "row-warning" : null,
    },
    h(doc, "td", { class: "kid mono", title: `${row.kid} (${row.alg})`, text: row.kid }),
    h(doc, "td", { class: "bits num", text: row.bits }),
    h(
      doc,
      "td",
      { class: "status" },
      h(doc, "span", { class: row.statusClass, title: row.statusTitle, text: row.status }),
    ),
    h(
      doc,
      "td",
      { class: "created" },
      h(doc, "time", { datetime: row.createdIso, title: row.createdIso, text: row.created }),
    ),
    h(
      doc,
      "td",
      { class: "private" },
      h(doc, "span", { class: row.privateClass, title: row.privateTitle, text: row.privateKey }),
    ),
    actionsCell(doc, row, confirming),
  );
}

/** Replaces the table body with `rows`; `confirmingKid` shows the delete confirmation on that row. */
export function renderKeyRows(
  table: HTMLTableElement,
  rows: readonly KeyRow[],
  confirmingKid: string | null = null,
): void {
  const doc = table.ownerDocument;
  const body = table.tBodies[0] ?? table.createTBody();
  if (rows.length === 0) {
    body.replaceChildren(
      h(
        doc,
        "tr",
        { class: "empty-row" },
        h(doc, "td", {
          colspan: COLUMNS.length,
          text: "No keys yet. Generate the first key below.",
        }),
      ),
    );
    return;
  }
  body.replaceChildren(...rows.map((row) => keyRowElement(doc, row, row.kid === confirmingKid)));
}
