/**
 * The scheduled work (node-cron) around the warehouse and its releases:
 *
 *   scheduler (cron, time zone) → runner (lock file per job, retries, job_runs) → the job:
 *     publish-release → export (chained) · completeness · reminders (signed webhooks) · checkpoint (backups)
 *
 * In: a warehouse with its releases, settings and clocks from bin/. Out: runs recorded in
 * `job_runs`, export files and backups on disk, reminder posts; each job also runs on request.
 */
import { join } from 'node:path';
import type { JobName } from '../domain/index.js';
import type { NoiseSettings, PublishingWarehouse } from '../releases/index.js';
import type { DeadlinePolicy } from '../warehouse/index.js';
import { checkpointJob } from './checkpoint.js';
import { completenessJob } from './completeness-report.js';
import { exportJob } from './export.js';
import { publishReleaseJob } from './publish-release.js';
import { remindersJob } from './reminders.js';
import type { Job } from './runner.js';

export { type ExportFile, exportRelease, listExport } from './export.js';
export { acquireLock } from './lock-file.js';
export { createJobRunner, type JobRunner, parseJobName } from './runner.js';
export { type Schedules, startScheduler } from './scheduler.js';
export { signature, verifySignature } from './webhook.js';

export interface JobSettings {
  readonly dataDir: string;
  readonly warehousePath: string;
  readonly policy: DeadlinePolicy;
  readonly reminderLeadDays: number;
  readonly backupsKept: number;
  readonly codeVersion: string;
  /** Real time, for webhook signatures (see reminders). */
  readonly wallClock: () => Date;
  /** Scheduled releases in noise mode. */
  readonly noise?: NoiseSettings;
  /** Tests shorten the pauses between webhook attempts. */
  readonly webhookRetryDelayMs?: number;
}

export function createJobs(warehouse: PublishingWarehouse, settings: JobSettings): Record<JobName, Job> {
  return {
    'publish-release': publishReleaseJob({
      publish: (o) => warehouse.releases.publish(o),
      list: () => warehouse.releases.list(),
      codeVersion: settings.codeVersion,
      ...(settings.noise ? { noise: settings.noise } : {}),
    }),
    completeness: completenessJob({
      completeness: (year, policy, now) => warehouse.completeness(year, policy, now),
      policy: settings.policy,
    }),
    reminders: remindersJob({
      db: warehouse.db,
      policy: settings.policy,
      leadDays: settings.reminderLeadDays,
      wallClock: settings.wallClock,
      ...(settings.webhookRetryDelayMs !== undefined ? { retryDelayMs: settings.webhookRetryDelayMs } : {}),
    }),
    export: exportJob({ db: warehouse.db, exportsDir: join(settings.dataDir, 'exports') }),
    checkpoint: checkpointJob({
      db: warehouse.db,
      warehousePath: settings.warehousePath,
      backupDir: join(settings.dataDir, 'backups'),
      keep: settings.backupsKept,
    }),
  };
}
export { createOpsStore, type OpsStore } from './ops-store.js';
