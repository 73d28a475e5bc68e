/**
 * The submission contract v1: one helpline × one calendar month, complete. zod schemas here are the
 * single source of the types, the validation and (later) the OpenAPI document.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AGE_BAND_CODES, CHANNEL_CODES, GENDER_CODES } from './dimensions.js';
import type { Problem } from './errors.js';
import { HARM_TYPE_CODES, TAXONOMY_VERSION } from './taxonomy.js';

export const MAX_COUNT = 1_000_000;
export const FIRST_PERIOD = '2000-01';

export const PeriodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a period is a calendar month written YYYY-MM, e.g. 2026-10');

export const CountSchema = z
  .number({ error: 'a count is a whole number' })
  .int('a count is a whole number, not a fraction')
  .min(0, 'a count cannot be negative')
  .max(MAX_COUNT, `a count above ${MAX_COUNT.toLocaleString('en')} is not plausible for one month`);

export const CellSchema = z.strictObject({
  harm: z.enum(HARM_TYPE_CODES),
  ageBand: z.enum(AGE_BAND_CODES),
  gender: z.enum(GENDER_CODES),
  channel: z.enum(CHANNEL_CODES),
  count: CountSchema,
});
export type Cell = z.infer<typeof CellSchema>;

export const TotalsSchema = z.strictObject({
  /** All contacts that month, counselling or not; optional. */
  contacts: CountSchema.optional(),
});

export const SubmissionBodySchema = z.strictObject({
  period: PeriodSchema,
  cells: z.array(CellSchema).min(1, 'a submission holds at least one cell').max(20_000),
  totals: TotalsSchema.optional(),
});
export type SubmissionBody = z.infer<typeof SubmissionBodySchema>;

/** A multi-month upload (POST /v1/submissions/batch): a helpline's history in one body. */
export const MAX_MONTHS_PER_UPLOAD = 360;
export const ManyMonthsBodySchema = z.strictObject({
  months: z.array(SubmissionBodySchema).min(1).max(MAX_MONTHS_PER_UPLOAD),
});

export const HelplineIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a helpline id is 2–63 lowercase letters, digits or dashes');

/** What travels on `helpline.submissions.v1`; strict, so another client's extra field is a dead letter. */
export const SubmissionMessageSchema = z.strictObject({
  schema: z.literal('helpline.submission.v1'),
  submissionId: z.uuid(),
  helplineId: HelplineIdSchema,
  period: PeriodSchema,
  cells: z.array(CellSchema).min(1),
  totals: TotalsSchema.optional(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  submittedAt: z.iso.datetime(),
  /**
   * The taxonomy the harm codes belong to; a record of another version is not loaded silently.
   * Records written before the field existed carry the first taxonomy, so it may be absent.
   */
  taxonomyVersion: z.literal(TAXONOMY_VERSION, { error: `taxonomy version must be ${TAXONOMY_VERSION}` }).optional(),
});
export type SubmissionMessage = z.infer<typeof SubmissionMessageSchema>;

const ENVELOPE = SubmissionMessageSchema.omit({ cells: true });
const CELL_CODES = {
  harm: new Set<string>(HARM_TYPE_CODES),
  ageBand: new Set<string>(AGE_BAND_CODES),
  gender: new Set<string>(GENDER_CODES),
  channel: new Set<string>(CHANNEL_CODES),
};

/** The cell rules of `CellSchema`, checked without building zod issues: true only if zod would accept. */
function plainCells(cells: unknown): cells is Cell[] {
  if (!Array.isArray(cells) || cells.length === 0) return false;
  for (const cell of cells as unknown[]) {
    if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) return false;
    let keys = 0;
    for (const _ in cell) keys++;
    if (keys !== 5) return false;
    const { harm, ageBand, gender, channel, count } = cell as Record<string, unknown>;
    if (
      !(
        typeof harm === 'string' &&
        CELL_CODES.harm.has(harm) &&
        typeof ageBand === 'string' &&
        CELL_CODES.ageBand.has(ageBand) &&
        typeof gender === 'string' &&
        CELL_CODES.gender.has(gender) &&
        typeof channel === 'string' &&
        CELL_CODES.channel.has(channel) &&
        typeof count === 'number' &&
        Number.isInteger(count) &&
        count >= 0 &&
        count <= MAX_COUNT
      )
    )
      return false;
  }
  return true;
}

/**
 * `SubmissionMessageSchema.safeParse`, with the cells (nearly all of a record) checked by
 * `plainCells` against the same code lists: zod's per-cell parse was the consumer's largest cost.
 * Anything `plainCells` does not accept goes through the full schema, which words the problem.
 */
export function parseSubmissionMessage(json: unknown): ReturnType<typeof SubmissionMessageSchema.safeParse> {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const { cells, ...rest } = json as Record<string, unknown>;
    if (plainCells(cells)) {
      const envelope = ENVELOPE.safeParse(rest);
      if (envelope.success) return { success: true, data: { ...envelope.data, cells } };
    }
  }
  return SubmissionMessageSchema.safeParse(json);
}

export const submissionKey = (helplineId: string, period: string) => `${helplineId}|${period}`;

export const cellKey = (c: Pick<Cell, 'harm' | 'ageBand' | 'gender' | 'channel'>) =>
  `${c.harm}|${c.ageBand}|${c.gender}|${c.channel}`;

/** Same content ⇒ same hash, whatever the order of the cells: the idempotency key of a version. */
export function contentHash(helplineId: string, body: SubmissionBody): string {
  const cells = body.cells.map((c) => `${cellKey(c)}|${c.count}`).sort();
  const canonical = JSON.stringify([helplineId, body.period, cells, body.totals?.contacts ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Idempotency-Key: visible ASCII. It travels as the Kafka record's `idempotency-key` header, so the
 * consumer can keep the key's answer in the same transaction as the submission it names.
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** What a key is checked against on a retry: the same upload has the same content hash. */
export const idempotencyRequestHash = (contentHashValue: string) =>
  createHash('sha256').update(contentHashValue).digest('hex');

function monthIndex(period: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/** Rules that span cells or need the clock; shape rules are the schema's. */
export function checkSubmissionRules(
  body: SubmissionBody,
  now: Date,
  rowOf?: (cellIndex: number) => number,
): Problem[] {
  const problems: Problem[] = [];
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const p = monthIndex(body.period);
  if (p >= current) {
    problems.push({
      path: 'period',
      column: 'period',
      message: `period ${body.period} is not over yet; submit a month once it has ended`,
      rule: 'period_not_future',
    });
  }
  if (p < monthIndex(FIRST_PERIOD)) {
    problems.push({
      path: 'period',
      column: 'period',
      message: `period ${body.period} is before ${FIRST_PERIOD}`,
      rule: 'period_too_old',
    });
  }
  const contacts = body.totals?.contacts;
  const cases = body.cells.reduce((sum, c) => sum + c.count, 0);
  if (contacts !== undefined && cases > contacts) {
    problems.push({
      path: 'totals/contacts',
      column: 'totals.contacts',
      message: `the cells add up to ${cases} cases but totals.contacts says ${contacts} contacts in all; cases cannot exceed contacts`,
      rule: 'totals_consistent',
    });
  }
  const seen = new Map<string, number>();
  body.cells.forEach((cell, i) => {
    const key = cellKey(cell);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    const row = rowOf?.(i);
    const firstRow = rowOf?.(first);
    problems.push({
      path: `cells/${i}`,
      ...(row === undefined ? {} : { row }),
      message:
        row === undefined
          ? `cell ${i} repeats cell ${first} (same harm, age band, gender and channel)`
          : `row ${row} repeats row ${firstRow} (same harm, age band, gender and channel)`,
      rule: 'duplicate_cell',
    });
  });
  return problems;
}

/** The Kafka record of an accepted upload: the one shape ingest writes and transform reads. */
export function submissionMessage(
  helplineId: string,
  body: SubmissionBody,
  submittedAt: string,
  /** The content hash, when the caller has computed it already (it is not cheap). */
  hash: string = contentHash(helplineId, body),
): SubmissionMessage {
  return {
    schema: 'helpline.submission.v1',
    submissionId: randomUUID(),
    helplineId,
    period: body.period,
    cells: body.cells,
    ...(body.totals ? { totals: body.totals } : {}),
    contentHash: hash,
    submittedAt,
    taxonomyVersion: TAXONOMY_VERSION,
  };
}
