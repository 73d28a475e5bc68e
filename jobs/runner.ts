/**
 * Runs jobs by name: one at a time per job (a lock file, so also across processes), each attempt
 * recorded in `job_runs` and the logs, failures retried with backoff and then reported.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError, JOB_NAMES, type JobName, type JobRun, type Trigger } from '../domain/index.js';
import type { Db } from '../warehouse/index.js';
import { acquireLock } from './lock-file.js';

export interface JobContext {
  readonly now: Date;
  readonly trigger: Trigger;
  readonly logger: Logger;
  readonly args: Readonly<Record<string, string>>;
}

/** Figures for the record; `skipped` when there was nothing to do (not a failure). */
export interface JobResult {
  readonly figures: Record<string, unknown>;
  readonly skipped?: string;
}

export type Job = (ctx: JobContext) => Promise<JobResult>;

export interface RunnerOptions {
  readonly db: Db;
  readonly jobs: Readonly<Record<JobName, Job>>;
  readonly lockDir: string;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** Attempts per run (first + retries) and the first retry's delay, doubled each time. */
  readonly retry?: { attempts: number; delayMs: number };
  /** Called once per finished run (metrics). */
  readonly onFinished?: (run: JobRun, seconds: number) => void;
  /** A job to run after another succeeds (the export after a release). */
  readonly followUps?: Partial<
    Record<JobName, (result: JobResult) => { job: JobName; args: Record<string, string> } | undefined>
  >;
}

export function parseJobName(name: string): JobName {
  if ((JOB_NAMES as readonly string[]).includes(name)) return name as JobName;
  throw new AppError('not_found', `There is no job "${name}". Jobs: ${JOB_NAMES.join(', ')}.`, { status: 404 });
}

export function createJobRunner(options: RunnerOptions) {
  const { db, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const retry = options.retry ?? { attempts: 3, delayMs: 30_000 };
  mkdirSync(options.lockDir, { recursive: true });
  let stopping = false;
  const inFlight = new Set<Promise<unknown>>();

  async function record(run: JobRun): Promise<void> {
    await db.transaction((tx) =>
      tx.run(
        `INSERT INTO job_runs (run_id, job, trigger, attempt, started_at, finished_at, outcome, figures, error)
         VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, NULLIF($6, '')::TIMESTAMPTZ, $7, NULLIF($8, ''), NULLIF($9, ''))
         ON CONFLICT (run_id) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome,
           figures = excluded.figures, error = excluded.error`,
        [
          run.runId,
          run.job,
          run.trigger,
          run.attempt,
          run.startedAt,
          // Parameters cannot be untyped NULLs: '' stands for none.
          run.finishedAt ?? '',
          run.outcome,
          run.figures ? JSON.stringify(run.figures) : '',
          run.error ?? '',
        ],
      ),
    );
  }

  async function attemptOnce(job: JobName, ctx: JobContext, attempt: number): Promise<JobRun> {
    const started = clock();
    const base = { runId: randomUUID(), job, trigger: ctx.trigger, attempt, startedAt: started.toISOString() };
    await record({ ...base, finishedAt: null, outcome: 'running', figures: null, error: null });
    const t0 = performance.now();
    let run: JobRun;
    try {
      const result = await options.jobs[job](ctx);
      run = {
        ...base,
        finishedAt: clock().toISOString(),
        outcome: result.skipped ? 'skipped' : 'succeeded',
        figures: result.skipped ? { ...result.figures, reason: result.skipped } : result.figures,
        error: null,
      };
      await record(run);
      const seconds = (performance.now() - t0) / 1000;
      logger.info({ job, runId: run.runId, outcome: run.outcome, figures: run.figures, seconds }, 'job finished');
      options.onFinished?.(run, seconds);
      const next = options.followUps?.[job]?.(result);
      if (next && run.outcome === 'succeeded') {
        void runJob(next.job, { trigger: 'chained', args: next.args }).catch((error: unknown) =>
          logger.error({ err: error, job: next.job }, 'chained job failed'),
        );
      }
      return run;
    } catch (error) {
      run = {
        ...base,
        finishedAt: clock().toISOString(),
        outcome: 'failed',
        figures: null,
        error: (error as Error).message ?? String(error),
      };
      await record(run);
      const seconds = (performance.now() - t0) / 1000;
      logger.warn({ job, runId: run.runId, attempt, err: error }, 'job attempt failed');
      options.onFinished?.(run, seconds);
      return run;
    }
  }

  async function runJob(
    job: JobName,
    request: { trigger?: Trigger; now?: Date; args?: Record<string, string> } = {},
  ): Promise<JobRun> {
    const trigger = request.trigger ?? 'manual';
    const lock = await acquireLock(join(options.lockDir, `${job}.lock`), clock());
    if (!lock.acquired) {
      const at = clock().toISOString();
      const run: JobRun = {
        runId: randomUUID(),
        job,
        trigger,
        attempt: 0,
        startedAt: at,
        finishedAt: at,
        outcome: 'skipped',
        figures: { reason: `already running (process ${lock.heldBy.pid} since ${lock.heldBy.since})` },
        error: null,
      };
      await record(run);
      logger.info({ job, heldBy: lock.heldBy }, 'job already running: skipped');
      return run;
    }
    try {
      let run: JobRun | undefined;
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        const ctx: JobContext = {
          now: request.now ?? clock(),
          trigger,
          logger: logger.child({ job }),
          args: request.args ?? {},
        };
        run = await attemptOnce(job, ctx, attempt);
        if (run.outcome !== 'failed' || stopping) break;
        if (attempt < retry.attempts) await new Promise((r) => setTimeout(r, retry.delayMs * 2 ** (attempt - 1)));
      }
      if (run?.outcome === 'failed') {
        logger.error({ job, attempts: run.attempt, error: run.error }, 'job failed after its retries');
      }
      return run as JobRun;
    } finally {
      await lock.release();
    }
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  }

  return {
    run: (job: JobName, request?: Parameters<typeof runJob>[1]) => track(runJob(job, request)),
    async recent(limit = 50, job?: JobName): Promise<JobRun[]> {
      const rows = await db.all<{
        run_id: string;
        job: JobName;
        trigger: Trigger;
        attempt: number;
        started_at: string;
        finished_at: string | null;
        outcome: JobRun['outcome'];
        figures: string | null;
        error: string | null;
      }>(
        `SELECT run_id, job, trigger, attempt,
                strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at,
                strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS finished_at,
                outcome, figures, error
           FROM job_runs WHERE $1 = '' OR job = $1 ORDER BY started_at DESC, attempt DESC LIMIT $2`,
        [job ?? '', limit],
      );
      return rows.map((r) => ({
        runId: r.run_id,
        job: r.job,
        trigger: r.trigger,
        attempt: r.attempt,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        outcome: r.outcome,
        figures: r.figures ? (JSON.parse(r.figures) as Record<string, unknown>) : null,
        error: r.error,
      }));
    },
    /** Waits for runs in flight (graceful shutdown); no retry starts after this. */
    async drain(): Promise<void> {
      stopping = true;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
