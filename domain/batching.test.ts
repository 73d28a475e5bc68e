import { describe, expect, it } from 'vitest';
import { createBatcher } from './batching.js';

/** A write the test finishes by hand, so what waits behind it can be seen. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((ok) => {
    open = ok;
  });
  return { opened, open };
}

describe('createBatcher', () => {
  it('answers each caller with its own result, in order, batch after batch', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, string>({
      run: async (items) => {
        batches.push([...items]);
        return items.map((n) => `r${n}`);
      },
    });
    const answers = await Promise.all([1, 2, 3].map((n) => b.add(n)));
    expect(answers).toEqual(['r1', 'r2', 'r3']);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await b.add(4)).toBe('r4');
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('fails every caller of a failed batch with its error, and the next batch still runs', async () => {
    let calls = 0;
    const b = createBatcher<number, number>({
      run: async (items) => {
        calls++;
        if (calls === 1) throw new Error('disk full');
        return items.map((n) => n * 10);
      },
    });
    const first = [b.add(1), b.add(2)];
    const settled = await Promise.allSettled(first);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value))).toEqual([
      'disk full',
      'disk full',
    ]);
    expect(await b.add(3)).toBe(30);
  });

  it('keeps one batch in flight: what arrives meanwhile waits, then goes together, capped by take', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const first = gate();
    const b = createBatcher<number>({
      take: (waiting) => Math.min(waiting.length, 2),
      run: async (items) => {
        inFlight++;
        most = Math.max(most, inFlight);
        batches.push([...items]);
        if (batches.length === 1) await first.opened;
        inFlight--;
      },
    });
    const all = [b.add(1)];
    await Promise.resolve();
    await Promise.resolve();
    for (const n of [2, 3, 4, 5, 6]) all.push(b.add(n));
    await new Promise((ok) => setTimeout(ok, 20));
    // The first write has not finished: nothing else ran, five callers wait.
    expect(batches).toEqual([[1]]);
    expect(b.waiting).toBe(5);
    first.open();
    await Promise.all(all);
    expect(batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect(most).toBe(1);
    expect(b.waiting).toBe(0);
  });

  it('takes at least one item even when take asks for none', async () => {
    const b = createBatcher<number, number>({ take: () => 0, run: async (items) => items.map((n) => n + 1) });
    expect(await Promise.all([b.add(1), b.add(2)])).toEqual([2, 3]);
  });
});
