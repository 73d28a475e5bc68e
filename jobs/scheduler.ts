/** node-cron drives the runner: each job on its configured schedule, in the configured time zone. */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { JobName } from '../domain/index.js';
import type { JobRunner } from './runner.js';

export type Schedules = Partial<Record<JobName, string>>;

export function startScheduler(runner: JobRunner, schedules: Schedules, timeZone: string, logger: Logger) {
  const tasks: ScheduledTask[] = [];
  for (const [job, expression] of Object.entries(schedules) as [JobName, string][]) {
    const task = cron.schedule(
      expression,
      () => {
        void runner
          .run(job, { trigger: 'schedule' })
          .catch((error: unknown) => logger.error({ err: error, job }, 'scheduled job crashed'));
      },
      { timezone: timeZone, name: job, noOverlap: true },
    );
    tasks.push(task);
  }
  logger.info({ schedules, timeZone }, 'job schedules started');
  return {
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
    },
  };
}
