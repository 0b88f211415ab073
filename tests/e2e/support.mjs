// Shared helpers for the browser checks: colour contrast as WCAG computes
// it, and layout measurements taken in the page.

/** "rgb(1, 2, 3)" or "rgba(1, 2, 3, 0.5)" → [r, g, b, a]. */
export function parseColor(css) {
  const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
  if (!m) throw new Error(`cannot read the colour ${css}`);
  const parts = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}

/** `top` painted over the opaque `under`. */
export function over(top, under) {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two opaque colours. */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Backgrounds from the innermost ancestor outwards, painted over a white canvas. */
export function backdrop(backgrounds) {
  let colour = [255, 255, 255, 1];
  for (const css of [...backgrounds].reverse()) colour = over(parseColor(css), colour);
  return colour;
}

/** Runs in the page: the focused element's outline and what is behind it. */
export function focusedRing() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const behind = [];
  for (let n = el.parentElement; n; n = n.parentElement) behind.push(getComputedStyle(n).backgroundColor);
  return {
    what: `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("name") || "").trim().slice(0, 30)}"`,
    style: cs.outlineStyle,
    width: parseFloat(cs.outlineWidth),
    offset: parseFloat(cs.outlineOffset),
    color: cs.outlineColor,
    own: cs.backgroundColor,
    behind,
  };
}

/** The contrast of a ring from focusedRing() against what it is drawn on. */
export function ringContrast(ring) {
  const around = backdrop(ring.behind);
  // An inset ring is drawn on the element itself.
  const base = ring.offset < 0 ? over(parseColor(ring.own), around) : around;
  return contrast(over(parseColor(ring.color), base), base);
}

/** Runs in the page: elements wider than their box (cards, table wrappers, the page). */
export function overflowing(selector) {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page by ${doc.scrollWidth - doc.clientWidth}px`);
  for (const el of document.querySelectorAll(selector)) {
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.className || el.tagName} "${el.textContent.trim().slice(0, 40)}" by ${el.scrollWidth - el.clientWidth}px`);
    }
  }
  return out;
}
