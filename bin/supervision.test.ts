import { describe, expect, it } from 'vitest';
import { restartPolicy } from './supervision.js';

describe('restart policy', () => {
  const options = { fastMs: 10_000, maxFastFailures: 5, firstDelayMs: 1000, maxDelayMs: 30_000 };

  it('backs off on fast failures and gives up after five in a row', () => {
    const policy = restartPolicy(options);
    const decisions = [undefined, 2000, undefined, 500, undefined].map((up) => policy.next(up));
    expect(decisions.slice(0, 4).map((d) => (d.giveUp ? 'give up' : d.delayMs))).toEqual([1000, 2000, 4000, 8000]);
    expect(decisions[4]).toEqual({ giveUp: true, fastFailures: 5 });
  });

  it('starts over after a run that lasted, so occasional crashes never add up to giving up', () => {
    const policy = restartPolicy(options);
    for (let i = 0; i < 50; i++) {
      expect(policy.next(undefined)).toMatchObject({ giveUp: false, delayMs: 1000 });
      expect(policy.next(60_000)).toMatchObject({ giveUp: false, delayMs: 1000, fastFailures: 0 });
    }
  });

  it('caps the delay', () => {
    const policy = restartPolicy({ ...options, maxFastFailures: 100 });
    let last = 0;
    for (let i = 0; i < 20; i++) {
      const d = policy.next(undefined);
      if (!d.giveUp) last = d.delayMs;
    }
    expect(last).toBe(30_000);
  });
});
