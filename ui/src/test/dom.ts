// Small DOM queries shared by the component tests.

/** The element `selector` finds; throws (failing the test) when there is none. */
export function el<T extends Element = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

/** The `data-finding-code` of each finding under `selector`, in order. */
export function findingCodes(selector: string): string[] {
  return Array.from(document.querySelectorAll(`${selector} [data-finding-code]`), (e) => e.getAttribute("data-finding-code") ?? "");
}
