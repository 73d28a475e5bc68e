/**
 * The benchmark's data set: the demo generator with every helpline reporting every month of twelve
 * years, denser (more cases, spread over more cells), written once to an NDJSON file and reused.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import { type DemoHelpline, demoHelplines, demoSubmission, monthsBetween } from '../demo/generator.js';
import type { SubmissionBody } from '../domain/index.js';

export interface Shape {
  readonly name: string;
  readonly helplines: number;
  readonly from: string;
  readonly to: string;
  readonly spread: number;
  readonly volume: number;
}

export const SHAPES: Record<string, Shape> = {
  full: { name: 'full', helplines: 150, from: '2013-01', to: '2024-12', spread: 100, volume: 20 },
  quick: { name: 'quick', helplines: 30, from: '2021-01', to: '2024-12', spread: 100, volume: 20 },
};

export interface Line {
  readonly h: string;
  readonly b: SubmissionBody;
}

export function benchHelplines(shape: Shape): DemoHelpline[] {
  return demoHelplines()
    .slice(0, shape.helplines)
    .map((h) => ({ ...h, since: shape.from }));
}

export interface Dataset {
  readonly file: string;
  readonly submissions: number;
  readonly cells: number;
  readonly bytes: number;
  readonly reused: boolean;
}

/** Writes the data set once (with a progress bar) or reuses the file from an earlier run. */
export async function ensureDataset(shape: Shape, cacheDir: string): Promise<Dataset> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `dataset-${shape.name}-v1.ndjson`);
  const meta = `${file}.meta.json`;
  if (existsSync(file) && existsSync(meta)) {
    const { submissions, cells } = JSON.parse(readFileSync(meta, 'utf8')) as { submissions: number; cells: number };
    return { file, submissions, cells, bytes: statSync(file).size, reused: true };
  }
  const helplines = benchHelplines(shape);
  const months = monthsBetween(shape.from, shape.to);
  const bar = new SingleBar({
    format: ' data set  [{bar}] {percentage}% | {value}/{total} helpline-months',
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  bar.start(helplines.length * months.length, 0);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let submissions = 0;
  let cells = 0;
  for (const period of months) {
    for (const h of helplines) {
      const b = demoSubmission(h, period, undefined, { spread: shape.spread, volume: shape.volume });
      if (b) {
        submissions++;
        cells += b.cells.length;
        if (!out.write(`${JSON.stringify({ h: h.id, b })}\n`)) await new Promise((ok) => out.once('drain', ok));
      }
      bar.increment();
    }
  }
  await new Promise<void>((ok, fail) => out.end((error?: Error | null) => (error ? fail(error) : ok())));
  bar.stop();
  renameSync(partial, file);
  writeFileSync(meta, JSON.stringify({ submissions, cells }));
  return { file, submissions, cells, bytes: statSync(file).size, reused: false };
}

/** The data set's lines, in order (month by month, as helplines would send them). */
export async function* readLines(file: string): AsyncGenerator<Line> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line) yield JSON.parse(line) as Line;
}
