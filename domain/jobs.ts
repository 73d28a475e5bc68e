/** Admin requests about scheduled jobs and reminder webhooks. */
import { z } from 'zod';

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
