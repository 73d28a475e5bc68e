/** The scheduled jobs' names, and the admin requests and answers about jobs and reminder webhooks. */
import { z } from 'zod';

/** Every job the scheduler knows; `npm run job`, the admin API and the configuration use this list. */
export const JOB_NAMES = ['publish-release', 'completeness', 'reminders', 'export', 'checkpoint'] as const;
export const JobNameSchema = z.enum(JOB_NAMES);
export type JobName = z.infer<typeof JobNameSchema>;
export const TRIGGERS = ['schedule', 'manual', 'chained'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const JobRunSchema = z
  .object({
    runId: z.string(),
    job: JobNameSchema,
    trigger: z.enum(TRIGGERS),
    attempt: z.number().int(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    outcome: z.enum(['running', 'succeeded', 'failed', 'skipped']),
    figures: z.record(z.string(), z.unknown()).nullable().meta({ description: 'What the run did, by the job' }),
    error: z.string().nullable(),
  })
  .meta({ id: 'JobRun' });
export type JobRun = z.infer<typeof JobRunSchema>;

export const JobsAnswerSchema = z.object({
  jobs: z.array(z.object({ name: JobNameSchema, schedule: z.string().nullable() })),
  timeZone: z.string(),
  runs: z.array(JobRunSchema),
});

export const ReminderViewSchema = z
  .object({
    reminderId: z.string(),
    helplineId: z.string(),
    period: z.string(),
    kind: z.string(),
    dueBy: z.string(),
    delivery: z.string(),
    attempts: z.number().int(),
    deliveredAt: z.string().nullable(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'Reminder' });
export type ReminderView = z.infer<typeof ReminderViewSchema>;

export const WebhookAnswerSchema = z.object({ url: z.string(), secret: z.string() });

export const JobRequestSchema = z.strictObject({
  force: z.boolean().optional().meta({ description: 'publish-release: publish again this month; export: rewrite' }),
  release: z
    .string()
    .regex(/^\d{4}-\d{2}(\.\d+)?$/, 'a release id such as 2026-11')
    .optional()
    .meta({ description: 'export: only this release' }),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

export const WebhookSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL' })
    .max(2000)
    .meta({ description: 'Where reminders are POSTed (JSON, signed: X-Helpline-Signature)' }),
});
