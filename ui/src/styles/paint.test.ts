// What the window costs to paint. Where no GPU paints the page (Mesa's llvmpipe), a blurred
// box-shadow under each card made every frame take 0.5-0.9 s; without the blur, under 0.1 s.
// Every stylesheet and component is read as text, so a blur put back anywhere is caught here.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["../**/*.css", "../**/*.svelte"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** The blur radius of each shadow in a `box-shadow` value (0 when it gives none). */
function blurs(value: string): number[] {
  if (value.trim() === "none") return [];
  return value.split(/,(?![^(]*\))/).map((shadow) => {
    const lengths = shadow.replace(/rgba?\([^)]*\)|#[0-9a-f]+|\binset\b|[a-z-]+\([^)]*\)/gi, " ").trim().split(/\s+/);
    return Number.parseFloat(lengths[2] ?? "0") || 0;
  });
}

describe("painting", () => {
  it("reads the blur of each shadow", () => {
    expect(blurs("0 1px 2px rgba(20, 30, 50, 0.06), 0 1px 1px #000")).toEqual([2, 1]);
    expect(blurs("0 1px 0 rgba(0, 0, 0, 0.4)")).toEqual([0]);
    expect(blurs("inset 0 0 0 1px var(--border)")).toEqual([0]);
    expect(blurs("none")).toEqual([]);
  });

  it("finds every stylesheet and component", () => {
    // Read as text, not emptied as Vitest empties the stylesheets it is not told to read.
    const tokens = Object.entries(sources).find(([path]) => path.endsWith("tokens.css"));
    expect(tokens?.[1]).toContain(".card {");
    expect(Object.keys(sources).filter((path) => path.endsWith(".svelte")).length).toBeGreaterThan(20);
  });

  it("blurs no shadow anywhere", () => {
    const blurred: string[] = [];
    for (const [path, text] of Object.entries(sources)) {
      for (const match of text.matchAll(/(?:box-shadow|--shadow[\w-]*)\s*:\s*([^;}]+)/g)) {
        const value = match[1] ?? "";
        if (blurs(value).some((blur) => blur > 0)) blurred.push(`${path}: ${value.trim()}`);
      }
    }
    expect(blurred).toEqual([]);
  });
});
