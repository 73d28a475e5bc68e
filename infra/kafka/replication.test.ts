import { describe, expect, it } from 'vitest';
import { replicationFor } from './kafkajs-bus.js';

describe('topic replication from the cluster', () => {
  it('keeps three copies with two in sync on three or more brokers, fewer on a smaller cluster', () => {
    expect(replicationFor(1)).toEqual({ factor: 1, minInsyncReplicas: 1 });
    expect(replicationFor(2)).toEqual({ factor: 2, minInsyncReplicas: 1 });
    expect(replicationFor(3)).toEqual({ factor: 3, minInsyncReplicas: 2 });
    expect(replicationFor(7)).toEqual({ factor: 3, minInsyncReplicas: 2 });
  });

  it('takes what configuration sets, and refuses an in-sync minimum above the copies', () => {
    expect(replicationFor(5, { factor: 5 })).toEqual({ factor: 5, minInsyncReplicas: 2 });
    expect(replicationFor(3, { minInsyncReplicas: 3 })).toEqual({ factor: 3, minInsyncReplicas: 3 });
    expect(() => replicationFor(1, { minInsyncReplicas: 2 })).toThrow(/cannot exceed/);
  });
});
