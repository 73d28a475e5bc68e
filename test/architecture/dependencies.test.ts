/**
 * Every import of the tree against the written-down architecture (rules.ts): stages import each
 * other only along the allowed arrows and only through `index.ts`, and the forbidden imports do not
 * exist. The graph is read from the sources (import / export … from / import()), no tool needed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, STAGES } from './rules.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', '.git', '.data', '.cache', 'scripts']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The stage a file belongs to: the one with the longest root that contains it; tests beside code are tests. */
function stageOf(file: string): string | undefined {
  if (file.endsWith('.test.ts')) return 'test';
  let best: string | undefined;
  for (const [name, stage] of Object.entries(STAGES)) {
    if (`${file}/`.startsWith(`${stage.root}/`) && (!best || stage.root.length > (STAGES[best]?.root.length ?? 0)))
      best = name;
  }
  return best;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

interface Edge {
  readonly file: string;
  readonly target: string;
  /** `stage:<name>` for a file of the tree, else the package (`express`, `node:http`). */
  readonly to: string;
  /** The imported file, for a file of the tree. */
  readonly path?: string;
}

function edgesOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = m[1] ?? m[2] ?? m[3];
    if (!target) continue;
    if (!target.startsWith('.')) {
      const pkg = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : (target.split('/')[0] as string);
      edges.push({ file, target, to: target.startsWith('node:') ? target : pkg });
      continue;
    }
    const abs = resolve(ROOT, dirname(file), target.replace(/\.js$/, '.ts'));
    const path = relative(ROOT, abs);
    if (!existsSync(abs)) continue; // text inside a test's script string, not a real import
    const stage = stageOf(path);
    edges.push({ file, target, to: stage ? `stage:${stage}` : `file:${path}`, path });
  }
  return edges;
}

/** Every broken rule of one edge, in words. */
function violations(edge: Edge): string[] {
  const fromStage = stageOf(edge.file);
  if (!fromStage) return [];
  const stage = STAGES[fromStage];
  if (!stage) return [];
  const out: string[] = [];
  for (const rule of FORBIDDEN) {
    if (rule.from.includes(fromStage) && rule.to.test(edge.to))
      out.push(`${edge.file} imports ${edge.target}: ${rule.why}`);
  }
  if (edge.to.startsWith('stage:')) {
    const toStage = edge.to.slice('stage:'.length);
    if (toStage !== fromStage) {
      if (!stage.may.includes('*') && !stage.may.includes(toStage))
        out.push(`${edge.file} imports ${edge.target}: ${fromStage} may not import ${toStage}`);
      else if (!stage.deep && edge.path !== `${STAGES[toStage]?.root}/index.ts`)
        out.push(`${edge.file} imports ${edge.target}: only ${STAGES[toStage]?.root}/index.ts is ${toStage}'s door`);
    }
  } else if (edge.to.startsWith('file:') && !stage.deep) {
    out.push(`${edge.file} imports ${edge.target}: a file outside every stage`);
  }
  return out;
}

describe('the architecture', () => {
  const files = sources(ROOT).map((f) => relative(ROOT, f));
  const edges = files.flatMap((file) => edgesOf(file, readFileSync(join(ROOT, file), 'utf8')));

  it('reads a real graph: every stage has files and its door', () => {
    for (const stage of Object.values(STAGES)) {
      if (stage.deep || stage.root === 'bin') continue;
      expect(existsSync(join(ROOT, stage.root, 'index.ts')), `${stage.root}/index.ts`).toBe(true);
    }
    expect(edges.filter((e) => e.to === 'stage:domain').length).toBeGreaterThan(50);
  });

  it('has no import outside the allowed arrows, around a door, or on the forbidden list', () => {
    expect(edges.flatMap(violations)).toEqual([]);
  });

  it('catches each forbidden import when one is written', () => {
    const attempt = (file: string, target: string) => edgesOf(file, `import x from '${target}';\n`).flatMap(violations);
    expect(attempt('warehouse/trends.ts', 'express')).toEqual([
      'warehouse/trends.ts imports express: the warehouse knows no HTTP (nor do the stages below the API)',
    ]);
    expect(attempt('dashboards/router.ts', '../warehouse/index.js').join('\n')).toContain(
      'charts go through the protected query service, never the warehouse',
    );
    expect(attempt('ingest/submit.ts', '../warehouse/index.js').join('\n')).toContain(
      'uploads reach the warehouse only through Kafka',
    );
    expect(attempt('api/app.ts', '../ingest/validate.js').join('\n')).toContain("ingest/index.ts is ingest's door");
    expect(attempt('warehouse/load.ts', '../api/index.js').join('\n')).toContain('warehouse may not import api');
  });
});
