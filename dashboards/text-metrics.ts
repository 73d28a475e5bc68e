/**
 * Text widths from the DejaVu Sans font the charts are drawn in. Vega on the server has no canvas,
 * so by default it guesses 0.8 em for every character: labels were cut ("Americas and the C…") and
 * layouts made for a guess. Reading the font's own advance widths (cmap + hmtx) lets the server
 * lay out, wrap and thin text for the width it really takes in Chromium and in resvg's PNG.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface Font {
  readonly unitsPerEm: number;
  readonly advance: (codePoint: number) => number | undefined;
}

function parseFont(bytes: Buffer): Font {
  const tables = new Map<string, number>();
  const count = bytes.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + 16 * i;
    tables.set(bytes.toString('latin1', at, at + 4), bytes.readUInt32BE(at + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`The font has no ${tag} table.`);
    return at;
  };
  const unitsPerEm = bytes.readUInt16BE(table('head') + 18);
  const longMetrics = bytes.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advanceOf = (glyph: number) => bytes.readUInt16BE(hmtx + 4 * Math.min(glyph, longMetrics - 1));
  // cmap format 4 (the BMP): every script the charts use lives there.
  const cmap = table('cmap');
  let sub: number | undefined;
  for (let i = 0; i < bytes.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + 8 * i;
    const platform = bytes.readUInt16BE(at);
    const encoding = bytes.readUInt16BE(at + 2);
    const offset = cmap + bytes.readUInt32BE(at + 4);
    if (bytes.readUInt16BE(offset) === 4 && (platform === 3 || platform === 0) && encoding <= 1) sub = offset;
  }
  if (sub === undefined) throw new Error('The font has no Unicode BMP cmap.');
  const segments = bytes.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const ranges = deltas + 2 * segments;
  const cache = new Map<number, number | undefined>();
  const glyphOf = (cp: number): number | undefined => {
    for (let s = 0; s < segments; s++) {
      if (cp > bytes.readUInt16BE(ends + 2 * s)) continue;
      const start = bytes.readUInt16BE(starts + 2 * s);
      if (cp < start) return undefined;
      const delta = bytes.readInt16BE(deltas + 2 * s);
      const rangeAt = ranges + 2 * s;
      const range = bytes.readUInt16BE(rangeAt);
      if (range === 0) return (cp + delta) & 0xffff;
      const glyph = bytes.readUInt16BE(rangeAt + range + 2 * (cp - start));
      return glyph === 0 ? undefined : (glyph + delta) & 0xffff;
    }
    return undefined;
  };
  return {
    unitsPerEm,
    advance: (cp) => {
      if (!cache.has(cp)) {
        const glyph = cp <= 0xffff ? glyphOf(cp) : undefined;
        cache.set(cp, glyph === undefined ? undefined : advanceOf(glyph));
      }
      return cache.get(cp);
    },
  };
}

let fonts: { regular: Font; bold: Font } | undefined;

function loadFonts() {
  if (!fonts) {
    const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fonts = {
      regular: parseFont(readFileSync(join(dir, 'DejaVuSans.ttf'))),
      bold: parseFont(readFileSync(join(dir, 'DejaVuSans-Bold.ttf'))),
    };
  }
  return fonts;
}

// Invisible bidi controls take no room; a character the font lacks is taken as one em (a fallback).
const ZERO_WIDTH = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * The width in pixels of `text` at `fontSize` in DejaVu Sans, plus 3% for the kerning and
 * hinting this ignores: erring wide keeps labels apart.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const font = bold ? loadFonts().bold : loadFonts().regular;
  let units = 0;
  for (const ch of text) {
    if (ZERO_WIDTH.test(ch)) continue;
    units += font.advance(ch.codePointAt(0) ?? 0) ?? font.unitsPerEm;
  }
  return (units / font.unitsPerEm) * fontSize * 1.03;
}

/** Lines of at most `maxWidth` pixels, broken at spaces (a longer word gets a line of its own). */
export function wrapToWidth(text: string, maxWidth: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, fontSize, bold) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}
