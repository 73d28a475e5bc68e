/** Server-side rendering: Vega-Lite → Vega → SVG with vega's headless renderer (no browser, no canvas). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { textWidth } from './text-metrics.js';

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/**
 * Vega measures text with a canvas, and without one guesses 0.8 em a character; here it measures
 * with the font the SVG and PNG are drawn in (vega's documented hook, as vl-convert uses it).
 */
function measureWithFont() {
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
    .textMetrics;
  metrics.width = (item, text) => {
    const line = text == null ? '' : String(text).trim();
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    return textWidth(line, size, bold);
  };
}
let measuring = false;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (!measuring) {
    measureWithFont();
    measuring = true;
  }
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The font files shipped with the project (not the machine's), so PNGs look the same everywhere. */
function bundledFonts(): string[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f));
}

let fonts: string[] | undefined;

/** SVG → PNG with resvg and the bundled DejaVu Sans; `scale` 2 gives crisp text on HiDPI screens. */
export function svgToPng(svg: string, scale = 2): Buffer {
  fonts ??= bundledFonts();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: fonts,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
