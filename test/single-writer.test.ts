/** DuckDB allows one process per file: a second process gets a clear message, not a corrupt file. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../warehouse/index.js';

const dir = mkdtempSync(join(tmpdir(), 'single-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('single writer', () => {
  it('refuses a second process with a message that says what to do', async () => {
    const path = join(dir, 'warehouse.duckdb');
    const wh = await openWarehouse(path);
    try {
      const script = `import { openWarehouse } from './warehouse/index.ts';
        try { await openWarehouse(${JSON.stringify(path)}); console.log('OPENED'); }
        catch (e) { console.log(e.code + ': ' + e.message); process.exit(3); }`;
      const result = await new Promise<{ code: number; out: string }>((ok) => {
        execFile('npx', ['tsx', '--input-type=module', '-e', script], { cwd: process.cwd() }, (error, stdout, stderr) =>
          ok({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
      expect(result.out).not.toContain('OPENED');
      expect(result.code).toBe(3);
      expect(result.out).toContain('warehouse_locked');
      expect(result.out).toMatch(/held by another process/);
    } finally {
      wh.close();
    }
  }, 60_000);
});
