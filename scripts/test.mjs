#!/usr/bin/env node
// `npm test`: type check, lint (incl. import cycles), then every suite against the real components.
// Each step runs even if an earlier one failed, so one run shows every problem; exit code is the worst.
import { spawnSync } from 'node:child_process';

const steps = [
  ['type check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint + import cycles', 'npx', ['biome', 'ci', '.']],
  ['test suites', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];
const failed = [];
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  process.stdout.write(`\n=== ${name} ===\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) failed.push(name);
  process.stdout.write(`=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} (${seconds} s) ===\n`);
}
if (failed.length > 0) {
  process.stdout.write(`\nFailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
