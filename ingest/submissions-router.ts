/**
 * The helpline-facing upload API. Helplines see and write only their own submissions.
 *
 *   POST /v1/submissions  (application/json | text/csv | multipart/form-data file field)
 *     1. read the body within the limits (413), by content type (415 otherwise)
 *     2. parse the outer shape (CSV header / JSON keys), then validate every cell (422, all problems)
 *     3. Idempotency-Key: a retry returns the first answer
 *     4. submit (Kafka) → 202 receipt, or 200 for a duplicate / dry run
 */
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import {
  documentPaths,
  duplicateKeyError,
  duplicateKeys,
  json,
  problem,
  requirePrincipal,
  SECURED,
  strictJsonBody,
  text,
} from '../api/http/index.js';
import {
  AppError,
  forbidden,
  HelplineIdSchema,
  invalidSubmission,
  ManyMonthsBodySchema,
  ManyMonthsReceiptSchema,
  notFound,
  PeriodSchema,
  type Principal,
  ReceiptAnswerSchema,
  type SubmissionBody,
  SubmissionBodySchema,
  SubmissionDetailSchema,
  type SubmissionView,
  SubmissionViewSchema,
} from '../domain/index.js';
import { acceptSubmission } from './accept.js';
import { MAX_ROWS_MANY_MONTHS, parseCsvUpload } from './csv-upload.js';
import { createIdempotency, type Idempotency } from './idempotency.js';
import { parseJsonUpload } from './json-upload.js';
import { type MonthsStore, submitMonths, validateJsonMonths } from './multi-month.js';
import { readMultipartFile } from './multipart.js';
import { type ReceiptStore, type SubmitDeps, submit } from './submit.js';
import { type CodeMapping, type RawSubmission, validateRaw } from './validate.js';

export interface SubmissionStore extends ReceiptStore, MonthsStore {
  get(id: string): Promise<SubmissionView | undefined>;
  list(helplineId: string, period?: string): Promise<SubmissionView[]>;
  cells(id: string): Promise<{ harm: string; ageBand: string; gender: string; channel: string; count: number }[]>;
  findIdempotent(helplineId: string, key: string): Promise<{ requestHash: string; submissionId: string } | undefined>;
  rememberIdempotent(helplineId: string, key: string, requestHash: string, submissionId: string): Promise<void>;
  lockedBy(helplineId: string, period: string): Promise<string | undefined>;
  unlock(helplineId: string, period: string, now: Date): Promise<void>;
}

export interface SubmissionsRouterDeps extends Omit<SubmitDeps, 'receipts'> {
  readonly store: SubmissionStore;
  readonly mappings: (helplineId: string) => Promise<CodeMapping>;
  readonly maxBodyBytes?: number;
  /** The body limit of a multi-month upload. */
  readonly maxManyMonthsBytes?: number;
  /** Idempotency-Key answers across crashes (the runtime's knows when the consumer caught up). */
  readonly idempotency?: Idempotency;
}

export const TEMPLATE_CSV =
  'period,harm,age_band,gender,channel,count\r\n2026-10,online.sextortion,13-15,girl,chat,12\r\n';

const JSON_TYPES = ['application/json', 'application/*+json'];
const CSV_TYPES = ['text/csv', 'application/csv', 'text/comma-separated-values'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function helplineOf(principal: Principal, req: Request): string {
  if (principal.role === 'helpline') return principal.helplineId;
  // The secretariat may act for a helpline, naming it explicitly.
  const onBehalf = req.get('x-helpline-id');
  if (!onBehalf || !HelplineIdSchema.safeParse(onBehalf).success) {
    throw forbidden('An admin key must name the helpline in the X-Helpline-Id header.');
  }
  return onBehalf;
}

/** An uploaded JSON file, parsed strictly: malformed JSON and repeated keys are refused. */
function jsonFile(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('malformed_json', 'The uploaded file is not valid JSON.', { status: 400 });
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) throw duplicateKeyError(duplicates);
  return parsed;
}

async function readUpload(req: Request, limit: number): Promise<RawSubmission> {
  if (req.is(JSON_TYPES)) return parseJsonUpload(req.body);
  if (req.is(CSV_TYPES)) return parseCsvUpload(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  if (req.is('multipart/form-data')) {
    const file = await readMultipartFile(req, limit);
    const asJson = /json/i.test(file.mimeType) || /\.json$/i.test(file.filename);
    if (!asJson) return parseCsvUpload(file.bytes);
    return parseJsonUpload(jsonFile(file.bytes));
  }
  throw new AppError(
    'unsupported_media_type',
    'Send the month as application/json, text/csv, or a multipart/form-data file field named "file".',
    { status: 415 },
  );
}

/** A multi-month upload (POST /v1/submissions/batch): JSON {"months": [...]}, or a CSV of many periods. */
async function readMonths(req: Request, limit: number, mapping: CodeMapping, now: Date): Promise<SubmissionBody[]> {
  const fromCsv = (bytes: Buffer) => {
    const validated = validateRaw(parseCsvUpload(bytes, MAX_ROWS_MANY_MONTHS), mapping, now, { manyPeriods: true });
    if (!validated.bodies) {
      throw invalidSubmission(
        `The file has ${validated.problems.length} problem(s); nothing was accepted.`,
        validated.problems,
      );
    }
    return [...validated.bodies];
  };
  if (req.is(JSON_TYPES)) return validateJsonMonths(req.body, mapping, now);
  if (req.is(CSV_TYPES)) return fromCsv(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  if (req.is('multipart/form-data')) {
    const file = await readMultipartFile(req, limit);
    const asJson = /json/i.test(file.mimeType) || /\.json$/i.test(file.filename);
    if (!asJson) return fromCsv(file.bytes);
    return validateJsonMonths(jsonFile(file.bytes), mapping, now);
  }
  throw new AppError(
    'unsupported_media_type',
    'Send the months as application/json {"months": [...]}, text/csv with a period on every row, or a multipart/form-data file field named "file".',
    { status: 415 },
  );
}

export function createSubmissionsRouter(deps: SubmissionsRouterDeps): Router {
  const router = Router();
  const limit = deps.maxBodyBytes ?? 5 * 1024 * 1024;
  const manyLimit = deps.maxManyMonthsBytes ?? 64 * 1024 * 1024;
  /** Authenticates before reading a possibly large body, then reads it (strict JSON, or CSV bytes) up to `max`. */
  const uploadBody = (max: number): RequestHandler[] => [
    (_req, res, next) => {
      requirePrincipal(res);
      next();
    },
    ...strictJsonBody(max),
    express.raw({ limit: max, type: CSV_TYPES }),
  ];
  const submitDeps: SubmitDeps = { ...deps, receipts: deps.store };
  const idempotency = deps.idempotency ?? createIdempotency({ store: deps.store, clock: deps.clock });

  router.get('/v1/templates/submission.csv', (_req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="submission-template.csv"')
      .set('Cache-Control', 'public, max-age=3600')
      .send(TEMPLATE_CSV);
  });

  router.post('/v1/submissions', ...uploadBody(limit), async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const helplineId = helplineOf(principal, req);
    // 1–2.
    const raw = await readUpload(req, limit);
    const validated = validateRaw(raw, await deps.mappings(helplineId), deps.clock());
    if (!validated.body) {
      throw invalidSubmission(
        `The ${raw.format === 'csv' ? 'file' : 'submission'} has ${validated.problems.length} problem(s); nothing was accepted.`,
        validated.problems,
      );
    }
    const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
    // 3–4.
    const accepted = await acceptSubmission(
      { ...submitDeps, locks: deps.store, idempotency },
      helplineId,
      validated.body,
      {
        dryRun,
        idempotencyKey: req.get('idempotency-key'),
      },
    );
    if (accepted.kind === 'answered') {
      const record = await deps.store.get(accepted.submissionId);
      if (record) {
        const statusUrl = `/v1/submissions/${record.submissionId}`;
        res
          .status(200)
          .location(statusUrl)
          .json({ ...record, duplicate: true, statusUrl });
        return;
      }
    }
    const receipt =
      accepted.kind === 'receipt' ? accepted.receipt : await submit(submitDeps, helplineId, validated.body, { dryRun });
    const statusUrl = `/v1/submissions/${receipt.submissionId}`;
    res
      .status(dryRun || receipt.duplicate ? 200 : 202)
      .location(statusUrl)
      .set('Cache-Control', 'no-store')
      .json({ ...receipt, statusUrl });
  });

  router.post('/v1/submissions/batch', ...uploadBody(manyLimit), async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const helplineId = helplineOf(principal, req);
    if (req.get('idempotency-key') !== undefined) {
      throw new AppError(
        'idempotency_key_unsupported',
        'A multi-month upload is idempotent by content, month by month: send it again as it is, without an Idempotency-Key.',
        { status: 400 },
      );
    }
    const now = deps.clock();
    const bodies = await readMonths(req, manyLimit, await deps.mappings(helplineId), now);
    const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
    const receipt = await submitMonths({ ...submitDeps, months: deps.store }, helplineId, bodies, { dryRun });
    res
      .status(dryRun || receipt.accepted === 0 ? 200 : 202)
      .set('Cache-Control', 'no-store')
      .json({
        ...receipt,
        submissions: receipt.submissions.map((r) => ({ ...r, statusUrl: `/v1/submissions/${r.submissionId}` })),
      });
  });

  router.get('/v1/submissions/:id', async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw notFound('No such submission.');
    const record = await deps.store.get(id.toLowerCase());
    if (!record) throw notFound('No such submission.');
    if (principal.role === 'helpline' && principal.helplineId !== record.helplineId) {
      throw forbidden('This submission belongs to another helpline.');
    }
    res.set('Cache-Control', 'no-store').json({ ...record, cellValues: await deps.store.cells(record.submissionId) });
  });

  router.get('/v1/submissions', async (req: Request, res: Response) => {
    const principal = requirePrincipal(res);
    const helplineId = helplineOf(principal, req);
    const period = req.query.period;
    if (period !== undefined && (typeof period !== 'string' || !PeriodSchema.safeParse(period).success)) {
      throw new AppError('invalid_parameter', 'period must be a month written YYYY-MM.', {
        status: 400,
        problems: [{ path: 'period', rule: 'period_format', message: 'period must be a month written YYYY-MM' }],
      });
    }
    res.set('Cache-Control', 'no-store').json({ submissions: await deps.store.list(helplineId, period) });
  });

  return router;
}

export const submissionsPaths = documentPaths(
  {
    method: 'post',
    path: '/v1/submissions',
    summary: 'Submit one helpline-month (JSON, CSV or a form file)',
    security: SECURED,
    request: {
      query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: {
        content: {
          'application/json': { schema: SubmissionBodySchema },
          'text/csv': { schema: z.string().meta({ description: 'Header period,harm,age_band,gender,channel,count' }) },
          'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) },
        },
      },
    },
    responses: {
      200: json(ReceiptAnswerSchema, 'Duplicate of the current version, or a dry run'),
      202: json(ReceiptAnswerSchema, 'Accepted: Kafka holds it'),
      400: problem('Malformed JSON'),
      401: problem('No valid key'),
      413: problem('Too large'),
      415: problem('Unsupported content type'),
      422: problem('Rejected whole, every problem listed'),
      503: problem('Queue unavailable; retry after Retry-After'),
    },
  },
  {
    method: 'post',
    path: '/v1/submissions/batch',
    summary: 'Submit many helpline-months at once (a history): each month its own versioned submission',
    description:
      'All or nothing: every month is validated with the single-month rules and every problem of every month is listed (422); each accepted month becomes its own Kafka record and version. Idempotent by content, month by month (no Idempotency-Key). CSV: one file with a period on every row.',
    security: SECURED,
    request: {
      query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
      body: {
        content: {
          'application/json': { schema: ManyMonthsBodySchema },
          'text/csv': {
            schema: z.string().meta({ description: 'Header period,harm,age_band,gender,channel,count; many periods' }),
          },
          'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) },
        },
      },
    },
    responses: {
      200: json(ManyMonthsReceiptSchema, 'Every month a duplicate of its newest version, or a dry run'),
      202: json(ManyMonthsReceiptSchema, 'Accepted: Kafka holds every new month'),
      400: problem('Malformed JSON, or an Idempotency-Key'),
      401: problem('No valid key'),
      413: problem('Too large'),
      415: problem('Unsupported content type'),
      422: problem('Rejected whole, every problem of every month listed'),
      503: problem('Queue unavailable; send the same upload again after Retry-After'),
    },
  },
  {
    method: 'get',
    path: '/v1/submissions',
    summary: "The helpline's own submissions",
    security: SECURED,
    request: { query: z.object({ period: z.string().optional() }) },
    responses: { 200: json(z.object({ submissions: z.array(SubmissionViewSchema) })), 401: problem('No valid key') },
  },
  {
    method: 'get',
    path: '/v1/submissions/{id}',
    summary: 'Status and cells of a submission',
    security: SECURED,
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: json(SubmissionDetailSchema),
      403: problem('Another helpline'),
      404: problem('No such submission'),
    },
  },
  {
    method: 'get',
    path: '/v1/templates/submission.csv',
    summary: 'CSV template',
    responses: { 200: text('text/csv', 'Header and an example row') },
  },
);
