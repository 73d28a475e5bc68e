/**
 * Routes of the helpline-facing upload API. Helplines see and write only their own submissions.
 */
import express, { type Request, type Response, Router } from 'express';
import {
  AppError,
  forbidden,
  invalidSubmission,
  notFound,
  type Principal,
  SubmissionBodySchema,
} from '../domain/index.js';
import { requirePrincipal } from './auth.js';
import { zodProblems } from './problems.js';
import { type SubmitDeps, submit } from './submit.js';

export interface SubmissionView {
  readonly submissionId: string;
  readonly helplineId: string;
  readonly period: string;
  readonly version: number | null;
  readonly status: string;
  readonly reason: string | null;
  readonly submittedAt: string;
  readonly loadedAt: string | null;
  readonly cells: number | null;
  readonly total: number | null;
}

export interface SubmissionsRouterDeps extends SubmitDeps {
  readonly history: {
    get(id: string): Promise<SubmissionView | undefined>;
    list(helplineId: string, period?: string): Promise<SubmissionView[]>;
  };
  readonly maxBodyBytes?: number;
}

function helplineOf(principal: Principal, req: Request): string {
  if (principal.role === 'helpline') return principal.helplineId;
  // The secretariat may submit on a helpline's behalf, naming it explicitly.
  const onBehalf = req.get('x-helpline-id');
  if (!onBehalf) throw forbidden('An admin key must name the helpline in the X-Helpline-Id header.');
  return onBehalf;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSubmissionsRouter(deps: SubmissionsRouterDeps): Router {
  const router = Router();
  const limit = deps.maxBodyBytes ?? 5 * 1024 * 1024;

  router.post(
    '/v1/submissions',
    express.json({ limit, type: ['application/json', 'application/*+json'] }),
    async (req: Request, res: Response) => {
      const principal = requirePrincipal(res);
      if (!req.is(['application/json', 'application/*+json'])) {
        throw new AppError('unsupported_media_type', 'Send the submission as application/json.', { status: 415 });
      }
      const helplineId = helplineOf(principal, req);
      const parsed = SubmissionBodySchema.safeParse(req.body);
      if (!parsed.success) {
        const problems = zodProblems(parsed.error);
        throw invalidSubmission(`The submission has ${problems.length} problem(s); nothing was accepted.`, problems);
      }
      const dryRun = req.query.dryRun === 'true';
      const receipt = await submit(deps, helplineId, parsed.data, { dryRun });
      const statusUrl = `/v1/submissions/${receipt.submissionId}`;
      res
        .status(dryRun ? 200 : receipt.duplicate ? 200 : 202)
        .location(statusUrl)
        .json({ ...receipt, statusUrl });
    },
  );

  router.get('/v1/submissions/:id', async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw notFound('No such submission.');
    const record = await deps.history.get(id.toLowerCase());
    if (!record) throw notFound('No such submission.');
    if (principal.role === 'helpline' && principal.helplineId !== record.helplineId) {
      throw forbidden('This submission belongs to another helpline.');
    }
    res.set('Cache-Control', 'no-store').json(record);
  });

  router.get('/v1/submissions', async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const helplineId = principal.role === 'helpline' ? principal.helplineId : req.get('x-helpline-id');
    if (!helplineId) throw forbidden('An admin key must name the helpline in the X-Helpline-Id header.');
    const period = typeof req.query.period === 'string' ? req.query.period : undefined;
    res.set('Cache-Control', 'no-store').json({ submissions: await deps.history.list(helplineId, period) });
  });

  return router;
}
