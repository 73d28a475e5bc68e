/**
 * A supervisor that cannot help gives up clearly: an app that fails at every start (here its
 * warehouse path is a folder) is restarted with backoff, then after five fast failures in a row
 * everything is stopped, broker included, with a message naming what failed and its last output.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/kafka/index.js';
import { waitFor } from '../helpers/runtime.js';
import { BARE_STACK, startStack } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'helpline-giveup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('giving up', () => {
  it('stops everything with a clear message after five fast failures of the app', async () => {
    mkdirSync(join(dir, 'warehouse.duckdb'));
    const s = await startStack(BARE_STACK, { dir });
    const brokerPid = await waitFor(
      'the broker to be up',
      async () => {
        try {
          return s.state().broker?.pid ?? undefined;
        } catch {
          return undefined;
        }
      },
      120_000,
    );
    const exit = await s.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const out = s.output();
    expect(out.match(/The app stopped unexpectedly \(exit code 1, before it was up\); restarting it\./g)).toHaveLength(
      4,
    );
    expect(out).toMatch(
      /The app failed 5 times in a row, each time before it was up or within 10 s of it; not restarting it\./,
    );
    expect(out).toMatch(/Its last output:\n[\s\S]*Start failed/);
    const state = s.state();
    expect(state.app).toMatchObject({ pid: null, starts: 5, failedStarts: 5 });
    expect(state.broker?.pid).toBeNull();
    expect(state.broker?.brokers).toHaveLength(1);
    expect(isAlive(brokerPid)).toBe(false);
  });
});
