/**
 * The secretariat's handle on scheduled work (admin key): run a job now, see recent runs, set a
 * helpline's reminder webhook, read the reminder outbox. `npm run job -- <name>` calls this.
 */
import { type Response, Router } from 'express';
import { z } from 'zod';
import {
  forbidden,
  HelplineIdSchema,
  JobNameSchema,
  JobRequestSchema,
  JobRunSchema,
  JobsAnswerSchema,
  notFound,
  ReminderViewSchema,
  WebhookAnswerSchema,
  WebhookSchema,
} from '../domain/index.js';
import { documentPaths, json, parseBody, problem, requirePrincipal, SECURED } from './http/index.js';

export interface JobsAdmin {
  readonly names: readonly string[];
  readonly schedules: Readonly<Record<string, string>>;
  readonly timeZone: string;
  parse(name: string): string;
  run(name: string, args: Record<string, string>): Promise<{ outcome: string }>;
  recent(limit: number, job?: string): Promise<unknown[]>;
  setWebhook(helplineId: string, url: string, now: Date): Promise<{ url: string; secret: string }>;
  deleteWebhook(helplineId: string): Promise<boolean>;
  reminders(limit: number): Promise<unknown[]>;
  helplineExists(id: string): Promise<boolean>;
}

function requireAdmin(res: Response): void {
  if (requirePrincipal(res).role !== 'admin') throw forbidden('This needs the admin key.');
}

export function createJobsRouter(jobs: JobsAdmin, clock: () => Date): Router {
  const router = Router();
  router.get('/v1/admin/jobs', async (req, res) => {
    requireAdmin(res);
    const job = typeof req.query.job === 'string' ? jobs.parse(req.query.job) : undefined;
    res.set('Cache-Control', 'no-store').json({
      jobs: jobs.names.map((name) => ({ name, schedule: jobs.schedules[name] ?? null })),
      timeZone: jobs.timeZone,
      runs: await jobs.recent(100, job),
    });
  });
  router.post('/v1/admin/jobs/:name', async (req, res) => {
    requireAdmin(res);
    const name = jobs.parse(String(req.params.name));
    const request = parseBody(JobRequestSchema, req.body ?? {});
    const args: Record<string, string> = {};
    if (request.force) args.force = 'true';
    if (request.release) args.release = request.release;
    const run = await jobs.run(name, args);
    res
      .status(run.outcome === 'failed' ? 500 : 200)
      .set('Cache-Control', 'no-store')
      .json(run);
  });
  router.get('/v1/admin/reminders', async (_req, res) => {
    requireAdmin(res);
    res.set('Cache-Control', 'no-store').json({ reminders: await jobs.reminders(500) });
  });
  router.put('/v1/admin/helplines/:id/webhook', async (req, res) => {
    requireAdmin(res);
    const id = HelplineIdSchema.parse(String(req.params.id));
    if (!(await jobs.helplineExists(id))) throw notFound(`There is no helpline ${id}.`);
    const { url } = parseBody(WebhookSchema, req.body ?? {});
    res.set('Cache-Control', 'no-store').json(await jobs.setWebhook(id, url, clock()));
  });
  router.delete('/v1/admin/helplines/:id/webhook', async (req, res) => {
    requireAdmin(res);
    const id = HelplineIdSchema.parse(String(req.params.id));
    if (!(await jobs.deleteWebhook(id))) throw notFound(`Helpline ${id} has no webhook.`);
    res.status(204).end();
  });
  return router;
}

const HelplineId = z.object({ id: z.string() });

export const jobsPaths = documentPaths(
  {
    method: 'get',
    path: '/v1/admin/jobs',
    summary: 'Job schedules and recent runs',
    security: SECURED,
    request: { query: z.object({ job: JobNameSchema.optional() }) },
    responses: { 200: json(JobsAnswerSchema) },
  },
  {
    method: 'post',
    path: '/v1/admin/jobs/{name}',
    summary: `Run a job now (${JobNameSchema.options.join(', ')})`,
    security: SECURED,
    request: {
      params: z.object({ name: JobNameSchema }),
      body: { content: { 'application/json': { schema: JobRequestSchema } } },
    },
    responses: {
      200: json(JobRunSchema, 'The run (succeeded or skipped)'),
      500: json(JobRunSchema, 'The run failed after its retries'),
    },
  },
  {
    method: 'get',
    path: '/v1/admin/reminders',
    summary: 'The reminder outbox',
    security: SECURED,
    responses: { 200: json(z.object({ reminders: z.array(ReminderViewSchema) })) },
  },
  {
    method: 'put',
    path: '/v1/admin/helplines/{id}/webhook',
    summary: "Set a helpline's reminder webhook; answers its signing secret once",
    security: SECURED,
    request: { params: HelplineId, body: { content: { 'application/json': { schema: WebhookSchema } } } },
    responses: { 200: json(WebhookAnswerSchema), 404: problem('No such helpline') },
  },
  {
    method: 'delete',
    path: '/v1/admin/helplines/{id}/webhook',
    summary: "Remove a helpline's reminder webhook",
    security: SECURED,
    request: { params: HelplineId },
    responses: { 204: { description: 'Removed' }, 404: problem('No webhook') },
  },
);
