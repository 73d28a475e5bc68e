/**
 * Boxes of text as Chromium lays it out: every visible text element under an SVG, measured with
 * getBoundingClientRect, and the rules the layout tests hold them to.
 */
export interface Box {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A script for page.evaluate (a string: this project type-checks without the DOM library). */
export const MEASURE_TEXT = (selector: string) => `(() => {
  const root = document.querySelector(${JSON.stringify(selector)});
  const r = root.getBoundingClientRect();
  const visible = (el) => {
    for (let e = el; e && e !== root; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
    }
    return true;
  };
  const boxes = [...root.querySelectorAll('text')]
    .filter((el) => (el.textContent || '').trim() !== '' && visible(el))
    .map((el) => {
      const b = el.getBoundingClientRect();
      return { text: el.textContent || '', x: b.x, y: b.y, w: b.width, h: b.height };
    });
  return { boxes, chart: { text: 'chart', x: r.x, y: r.y, w: r.width, h: r.height } };
})()`;

// Glyph boxes include the font's line gap; a pixel of shared edge is touching, not overlapping.
const SLACK = 1;
export const overlaps = (a: Box, b: Box) =>
  a.x + a.w - SLACK > b.x && b.x + b.w - SLACK > a.x && a.y + a.h - SLACK > b.y && b.y + b.h - SLACK > a.y;
export const inside = (a: Box, c: Box) =>
  a.x >= c.x - SLACK && a.y >= c.y - SLACK && a.x + a.w <= c.x + c.w + SLACK && a.y + a.h <= c.y + c.h + SLACK;

/** Every pair of boxes that overlap, named by their text. */
export function clashes(boxes: readonly Box[]): string[] {
  const out: string[] = [];
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) if (overlaps(a, b)) out.push(`"${a.text}" × "${b.text}"`);
  });
  return out;
}
