/**
 * Never two brokers on one data folder, and nothing outlives its supervisor: a second `npm start`
 * on a running folder is refused (naming the first); a SIGKILLed supervisor takes its broker and
 * app with it (no exit handler runs on SIGKILL); the next start takes the folder over and comes up
 * with an uncorrupted broker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/kafka/index.js';
import { waitFor } from '../helpers/runtime.js';
import { BARE_STACK, brokerTrouble, type Stack, startStack, stopAndRemove } from '../helpers/stack.js';

const env = BARE_STACK;
let last: Stack | undefined;
afterAll(() => stopAndRemove(last));

describe('one broker per data folder', () => {
  it('refuses a second start, dies whole with its supervisor, and the next start takes over', async () => {
    const first = await startStack(env);
    last = first;
    await first.waitForOutput(/Press Ctrl-C to stop/);
    const running = first.state();

    const second = await startStack(env, { dir: first.dir });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.output()).toMatch(/A Kafka broker \(pid \d+, port \d+\) is already running/);
    expect(first.state()).toEqual(running);
    expect(await first.ready()).toBe(true);

    process.kill(running.pid, 'SIGKILL');
    const app = running.app.pid ?? 0;
    const broker = running.broker?.pid ?? 0;
    await waitFor(
      'the app and the broker to die with their supervisor',
      async () => (!isAlive(app) && !isAlive(broker) ? true : undefined),
      90_000,
    );

    const third = await startStack(env, { dir: first.dir });
    last = third;
    await third.waitForOutput(/Press Ctrl-C to stop/);
    expect(await third.ready()).toBe(true);
    expect(third.state().app.failedStarts).toBe(0);
    expect(brokerTrouble(third.brokerLog())).toEqual([]);
    expect(await third.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});
