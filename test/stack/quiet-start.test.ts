/**
 * A fresh `npm start` (new data folder, broker formatted, demo seeded: a smaller demo of 12
 * helplines since 2023) prints no KafkaJS line and its consumer never rebalances, from start to the
 * URL: on a quiet machine, and beside CPU-heavy processes (one busy loop per core) — a server
 * shares its machine, and the consumer must hold its place in the group whatever else runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack, stopAndRemove } from '../helpers/stack.js';

let stack: Stack | undefined;
let hogs: ChildProcess[] = [];
afterEach(async () => {
  for (const hog of hogs) if (hog.pid && hog.exitCode === null) process.kill(hog.pid, 'SIGKILL');
  hogs = [];
  await stopAndRemove(stack);
  stack = undefined;
});

/** KafkaJS's own lines, however they would be printed (its console logger, or our JSON records). */
const KAFKAJS = /kafkajs|"kafka":|\[(Connection|Consumer|Producer|Runner|BrokerPool|Cluster|ConsumerGroup)\]/i;
const REBALANCE = /re-joining the group|rebalanc|not aware of this member/i;

async function firstStart(load: boolean) {
  if (load) {
    hogs = cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  const started = Date.now();
  const s = await startStack({ SEED_DEMO: 'true', DEMO_HELPLINES: '12', DEMO_FROM: '2023-01', JOBS: 'off' });
  stack = s;
  await s.waitForOutput(/Press Ctrl-C to stop/, 600_000);
  const seconds = (Date.now() - started) / 1000;
  const terminal = s.output().split('\n');
  const log = s.appLog().split('\n');
  const kafkaLog = log.filter((l) => /"kafka":/.test(l));
  const figures = {
    load: load ? `${hogs.length} busy loops` : 'none',
    seconds,
    terminalLines: terminal.length,
    terminalKafkaJsLines: terminal.filter((l) => KAFKAJS.test(l)),
    terminalLogRecords: terminal.filter((l) => l.trimStart().startsWith('{')),
    joins: log.filter((l) => l.includes('consumer joined the group')).length,
    rebalanceLines: log.filter((l) => REBALANCE.test(l)),
    kafkaJsErrorLinesInLogFile: kafkaLog.filter((l) => l.includes('"level":50')).length,
    eosWarnings: log.filter((l) => l.includes('Limiting retries for the idempotent producer')).length,
    kafkaJsLinesInLogFile: kafkaLog.length,
  };
  process.stdout.write(
    `first start: ${JSON.stringify({ ...figures, rebalanceLines: figures.rebalanceLines.length })}\n`,
  );
  return figures;
}

describe('a quiet first start', () => {
  const expectQuiet = (f: Awaited<ReturnType<typeof firstStart>>) => {
    expect(f.terminalKafkaJsLines).toEqual([]);
    expect(f.terminalLogRecords).toEqual([]);
    expect(f.joins).toBe(1);
    expect(f.rebalanceLines).toEqual([]);
  };

  it('on a quiet machine: no KafkaJS line on the terminal, one join, no rebalance', async () => {
    const f = await firstStart(false);
    expectQuiet(f);
    expect(f.eosWarnings).toBe(0);
  });

  it('beside a busy loop on every core: the same', async () => {
    expectQuiet(await firstStart(true));
  });
});
