// What the window costs to paint. Where no GPU paints the page (Mesa's llvmpipe), a blurred
// box-shadow under each card made every frame take 0.5-0.9 s; without the blur, under 0.1 s.
// Every stylesheet and component is read as text, so a blur put back anywhere is caught here:
// in a box-shadow or text-shadow (written in CSS, in a `style:` directive, or through a custom
// property), or a blur() or drop-shadow() filter.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["../**/*.css", "../**/*.svelte"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** `text` cut at each `separator` that stands outside parentheses. */
function splitTop(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth = Math.max(0, depth - 1);
    if (depth === 0 && separator.test(char)) {
      if (current.trim() !== "") parts.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

const LENGTH = /^-?(\d+\.?\d*|\.\d+)([a-z]+|%)?$/i;
const COLOUR_FUNCTION = /^(rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix|light-dark)\(/i;
const LENGTH_FUNCTION = /^(calc|min|max|clamp|env)\(/i;
const VAR = /^var\(\s*(--[\w-]+)\s*(?:,(.*))?\)$/s;

/**
 * What blurs a `box-shadow` or `text-shadow` value: the blur radius of each shadow written out
 * (a number, or NaN when it is computed, which counts as a blur), and the custom properties it
 * takes whole shadows from (checked where they are defined).
 */
function blurs(value: string): { radii: number[]; properties: string[] } {
  const radii: number[] = [];
  const properties: string[] = [];
  for (const shadow of splitTop(value.trim(), /,/)) {
    if (shadow === "none") continue;
    const lengths: string[] = [];
    for (const token of splitTop(shadow, /\s/)) {
      const reference = VAR.exec(token);
      if (token === "inset" || token.startsWith("#") || COLOUR_FUNCTION.test(token)) continue;
      if (LENGTH.test(token) || LENGTH_FUNCTION.test(token)) {
        lengths.push(token);
      } else if (reference !== null) {
        properties.push(reference[1] ?? "");
        const fallback = blurs(reference[2] ?? "");
        radii.push(...fallback.radii);
        properties.push(...fallback.properties);
        // A property standing for a length keeps the count of lengths right.
        if (splitTop(shadow, /\s/).length > 1) lengths.push(token);
      }
      // Anything else is a colour keyword (black, currentColor, transparent...).
    }
    const blur = lengths[2];
    if (blur !== undefined) radii.push(LENGTH.test(blur) ? Number.parseFloat(blur) : Number.NaN);
  }
  return { radii, properties };
}

// A blur computed (NaN) counts as one.
const blurred = (radius: number): boolean => radius !== 0;

describe("painting", () => {
  it("reads the blur of each shadow, however it is written", () => {
    expect(blurs("0 1px 2px rgba(20, 30, 50, 0.06), 0 1px 1px #000").radii).toEqual([2, 1]);
    expect(blurs("0 1px 0 rgba(0, 0, 0, 0.4)").radii).toEqual([0]);
    expect(blurs("inset 0 0 0 1px var(--border)").radii).toEqual([0]);
    expect(blurs("black 0 0 4px").radii).toEqual([4]);
    expect(blurs("currentColor 0 0 4px, 0 1px").radii).toEqual([4]);
    expect(blurs("0 0 calc(2px + 1px) red").radii.some(blurred)).toBe(true);
    expect(blurs("0 0 var(--blur) red").radii.some(blurred)).toBe(true);
    expect(blurs("var(--elevation)")).toEqual({ radii: [], properties: ["--elevation"] });
    expect(blurs("var(--x, 0 0 4px red)")).toEqual({ radii: [4], properties: ["--x"] });
    expect(blurs("none").radii).toEqual([]);
  });

  it("finds every stylesheet and component, as text", () => {
    const css = Object.entries(sources).filter(([path]) => path.endsWith(".css"));
    expect(css.map(([path]) => path)).toContain("./tokens.css");
    // Vitest empties a stylesheet it is not told to keep (ui/vite.config.ts: test.css.include).
    for (const [path, text] of css) expect(text.length, path).toBeGreaterThan(0);
    expect(Object.keys(sources).filter((path) => path.endsWith(".svelte")).length).toBeGreaterThan(20);
  });

  it("blurs no shadow and filters nothing through a blur", () => {
    const found: string[] = [];
    const properties = new Set<string>();
    const shadows = /(?:box-shadow|text-shadow)\s*[:=]\s*"?([^;}"]+)/g;
    const filters = /(?:^|[\s;{"])(?:-webkit-)?(?:backdrop-)?filter\s*[:=]\s*"?([^;}"]+)/g;
    for (const [path, text] of Object.entries(sources)) {
      for (const match of text.matchAll(shadows)) {
        const value = match[1] ?? "";
        const read = blurs(value);
        if (read.radii.some(blurred)) found.push(`${path}: ${value.trim()}`);
        for (const property of read.properties) properties.add(property);
      }
      for (const match of text.matchAll(filters)) {
        const value = match[1] ?? "";
        if (/(?:blur|drop-shadow)\(/.test(value)) found.push(`${path}: ${value.trim()}`);
      }
    }
    // The custom properties shadows are taken from, where they are defined.
    for (const [path, text] of Object.entries(sources)) {
      for (const match of text.matchAll(/(--[\w-]+)\s*:\s*([^;}]+)/g)) {
        const [, property = "", value = ""] = match;
        if (properties.has(property) && blurs(value).radii.some(blurred)) {
          found.push(`${path}: ${property}: ${value.trim()}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
