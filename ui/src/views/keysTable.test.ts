// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest";

import { keyRows } from "../lib/keys";
import { SAMPLE_KEYS } from "../test/fixtures";
import { createKeysTable, renderKeyRows } from "./keysTable";

function cellText(row: Element, selector: string): string | undefined {
  return row.querySelector(selector)?.textContent ?? undefined;
}

describe("keys table", () => {
  let table: HTMLTableElement;

  beforeEach(() => {
    document.body.replaceChildren();
    table = createKeysTable(document);
    document.body.append(table);
  });

  it("renders one tr[data-kid] per key, with the contract's cells", () => {
    renderKeyRows(table, keyRows(SAMPLE_KEYS));

    const rows = Array.from(document.querySelectorAll("#keys-table tr[data-kid]"));
    expect(rows.map((row) => row.getAttribute("data-kid"))).toEqual([
      "cur",
      "next-a",
      "next-b",
      "prev",
      "old-retired",
    ]);

    const prev = document.querySelector('#keys-table tr[data-kid="prev"]');
    expect(prev).not.toBeNull();
    if (prev === null) return;
    expect(cellText(prev, "td.kid")).toBe("prev");
    expect(cellText(prev, "td.bits")).toBe("3072");
    expect(cellText(prev, "td.status")).toBe("previous");
    expect(prev.querySelector("td.status .badge")?.className).toBe("badge badge-previous");
    expect(cellText(prev, "td.created")).toMatch(/^2024-06-01 \d\d:\d\d$/);
    expect(cellText(prev, "td.private")).toBe("missing");
    expect(prev.querySelector("td.private span")?.getAttribute("title")).toMatch(/keychain entry for this key is gone/);
    expect(prev.classList.contains("row-warning")).toBe(true);

    const current = document.querySelector('tr[data-kid="cur"]');
    expect(current?.querySelector("td.private")?.textContent).toBe("present");
    expect(current?.classList.contains("row-warning")).toBe(false);
  });

  it("gives every row a copy and a delete button keyed by kid", () => {
    renderKeyRows(table, keyRows(SAMPLE_KEYS));
    for (const key of SAMPLE_KEYS) {
      const row = Array.from(table.querySelectorAll("tr[data-kid]")).find(
        (candidate) => candidate.getAttribute("data-kid") === key.kid,
      );
      expect(row?.querySelector("button[data-copy-jwk]")?.getAttribute("data-copy-jwk")).toBe(key.kid);
      expect(row?.querySelector("button[data-delete-key]")?.getAttribute("data-delete-key")).toBe(key.kid);
    }
  });

  it("shows the confirmation step only on the row being deleted", () => {
    renderKeyRows(table, keyRows(SAMPLE_KEYS), "next-b");
    expect(table.querySelectorAll("button[data-confirm-delete]")).toHaveLength(1);
    expect(table.querySelector('tr[data-kid="next-b"] button[data-confirm-delete="next-b"]')?.textContent).toBe(
      "Confirm delete?",
    );
    expect(table.querySelector('tr[data-kid="next-b"] button[data-delete-key]')).toBeNull();
    expect(table.querySelectorAll("button[data-delete-key]")).toHaveLength(SAMPLE_KEYS.length - 1);
  });

  it("replaces the rows on each render and shows an empty state without keys", () => {
    renderKeyRows(table, keyRows(SAMPLE_KEYS));
    renderKeyRows(table, []);
    expect(table.querySelectorAll("tr[data-kid]")).toHaveLength(0);
    expect(table.tBodies[0]?.textContent).toMatch(/No keys yet/);
  });

  it("keeps odd kids intact as attribute values", () => {
    const [first] = SAMPLE_KEYS;
    if (first === undefined) throw new Error("fixture is empty");
    renderKeyRows(table, keyRows([{ ...first, kid: 'a"b c<d>' }]));
    const row = table.querySelector("tr[data-kid]");
    expect(row?.getAttribute("data-kid")).toBe('a"b c<d>');
    expect(row?.querySelector("td.kid")?.textContent).toBe('a"b c<d>');
  });
});
