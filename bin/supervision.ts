/**
 * What `npm start`'s supervisor and its app child tell each other, and when the supervisor gives up.
 *
 *   app → supervisor (IPC):  listening {url} once the server answers; running {url} after the demo
 *   supervisor → app:        nothing; the IPC channel closing means the supervisor is gone
 */
import { z } from 'zod';

export const AppMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('listening'), url: z.string() }),
  z.object({ type: z.literal('running'), url: z.string() }),
]);
export type AppMessage = z.infer<typeof AppMessageSchema>;

/** Set by the supervisor for its app child: how many times it restarted the app so far. */
export const RESTARTS_ENV = 'HELPLINE_APP_RESTARTS';

export interface RestartPolicyOptions {
  /** A child that dies before it is up, or within this long of being up, failed fast. */
  readonly fastMs: number;
  /** Consecutive fast failures before the supervisor gives up. */
  readonly maxFastFailures: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  fastMs: 10_000,
  maxFastFailures: 5,
  firstDelayMs: 1000,
  maxDelayMs: 30_000,
};

export type RestartDecision =
  | { readonly giveUp: false; readonly delayMs: number; readonly fastFailures: number }
  | { readonly giveUp: true; readonly fastFailures: number };

/** Backoff that doubles with each consecutive fast failure and starts over after a good run. */
export function restartPolicy(options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {
  let fastFailures = 0;
  return {
    /** After an unexpected exit: `upForMs` is how long the child had been up (undefined: never). */
    next(upForMs: number | undefined): RestartDecision {
      const fast = upForMs === undefined || upForMs < options.fastMs;
      fastFailures = fast ? fastFailures + 1 : 0;
      if (fastFailures >= options.maxFastFailures) return { giveUp: true, fastFailures };
      const delayMs = fast
        ? Math.min(options.firstDelayMs * 2 ** (fastFailures - 1), options.maxDelayMs)
        : options.firstDelayMs;
      return { giveUp: false, delayMs, fastFailures };
    },
  };
}
