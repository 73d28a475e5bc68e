/**
 * The multi-month upload: a helpline joining the network brings years of history at once, and the
 * demo seed sends each helpline's history the same way.
 *
 *   one JSON body {"months": [{period, cells, totals?}, …]} or one CSV file with many periods
 *     1. every month validated with the single-month rules (rows, fields, codes, duplicates, the
 *        clock), every problem of every month listed: one bad month rejects the whole upload
 *     2. one look-up of the helpline's months (newest versions, locks, usual levels), not one per month
 *     3. months identical to their newest version are answered as duplicates (no new version)
 *     4. every other month becomes its own Kafka record (key helpline|period, its own submission
 *        id and version), all of them handed to the producer as ONE send: one produce request
 *
 * Kafka offers no atomic write across partitions without transactions, so "all or nothing" holds
 * for validation and for the answer: a produce that fails or times out is answered 503 for the
 * whole upload, and sending the same upload again is idempotent by content (a month that did land
 * is then "unchanged": never a second version, never counted twice).
 */
import {
  AppError,
  contentHash,
  invalidSubmission,
  MAX_MONTHS_PER_UPLOAD,
  type ManyMonthsReceipt,
  type Problem,
  quotable,
  type Receipt,
  type SubmissionBody,
  submissionKey,
  submissionMessage,
  unavailable,
} from '../domain/index.js';
import { parseJsonUpload } from './json-upload.js';
import type { SubmitDeps } from './submit.js';
import { type CodeMapping, validateRaw } from './validate.js';

/** Thirty years of months in one upload. */
export const MAX_MONTHS = MAX_MONTHS_PER_UPLOAD;

/** What the warehouse knows of a helpline's months, read once per upload. */
export interface HelplineMonths {
  /** Newest accepted-or-loaded version of each asked month. */
  readonly newest: ReadonlyMap<
    string,
    {
      readonly submissionId: string;
      readonly status: string;
      readonly version: number | null;
      readonly submittedAt: string;
      readonly contentHash: string;
    }
  >;
  /** The current (loaded) version of each asked month. */
  readonly current: ReadonlyMap<string, { readonly submissionId: string; readonly version: number }>;
  /** Cases of every loaded month of the helpline (for the usual-level warning). */
  readonly totals: ReadonlyMap<string, number>;
  /** The release that locks each asked month, if any. */
  readonly locks: ReadonlyMap<string, string>;
}

export interface MonthsStore {
  helplineMonths(helplineId: string, periods: readonly string[]): Promise<HelplineMonths>;
}

const withMonth = (i: number, period: unknown, p: Problem): Problem => ({
  ...p,
  path: `months/${i}/${p.path}`,
  message: `months ${i}${typeof period === 'string' && quotable(period) ? ` (${period})` : ''}: ${p.message}`,
});

/** `{"months": [...]}`: the outer shape, then each month through the single-month parser and rules. */
export function validateJsonMonths(body: unknown, mapping: CodeMapping, now: Date): SubmissionBody[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSubmission('The body must be a JSON object {"months": [...]}.', [
      {
        path: '(body)',
        rule: 'type',
        message: 'the body must be an object: {"months": [{"period": …, "cells": […]}]}',
      },
    ]);
  }
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'months') {
      problems.push({
        path: quotable(key) ? key : '(field)',
        rule: 'unknown_field',
        ...(quotable(key) ? { column: key, value: key } : {}),
        message: `${quotable(key) ? `"${key}"` : 'a field'} is not part of a multi-month upload; allowed: months`,
      });
    }
  }
  const months = (body as { months?: unknown }).months;
  if (!Array.isArray(months) || months.length === 0 || months.length > MAX_MONTHS) {
    problems.push({
      path: 'months',
      column: 'months',
      rule: !Array.isArray(months) ? 'required' : months.length === 0 ? 'empty' : 'too_many',
      message: !Array.isArray(months)
        ? 'months must be a list of months, each {"period", "cells", "totals"?}'
        : months.length === 0
          ? 'months is empty; send at least one month'
          : `months holds ${months.length} months; the limit is ${MAX_MONTHS} per upload`,
    });
  }
  if (problems.length > 0)
    throw invalidSubmission(`The upload has ${problems.length} problem(s); nothing was accepted.`, problems);
  const bodies: SubmissionBody[] = [];
  const seen = new Map<string, number>();
  (months as unknown[]).forEach((month, i) => {
    const period = (month as { period?: unknown } | null)?.period;
    let raw: ReturnType<typeof parseJsonUpload>;
    try {
      raw = parseJsonUpload(month);
    } catch (error) {
      if (!(error instanceof AppError) || error.problems.length === 0) throw error;
      problems.push(...error.problems.map((p) => withMonth(i, period, p)));
      return;
    }
    const validated = validateRaw(raw, mapping, now);
    if (!validated.body) {
      problems.push(...validated.problems.map((p) => withMonth(i, period, p)));
      return;
    }
    const first = seen.get(validated.body.period);
    if (first !== undefined) {
      problems.push({
        path: `months/${i}/period`,
        column: 'period',
        rule: 'duplicate_period',
        message: `months ${i} repeats the period ${validated.body.period} of months ${first}; send each month once`,
      });
      return;
    }
    seen.set(validated.body.period, i);
    bodies.push(validated.body);
  });
  if (problems.length > 0)
    throw invalidSubmission(`The upload has ${problems.length} problem(s); nothing was accepted.`, problems);
  return bodies;
}

/** The answer before the router adds each month's status URL (domain's ManyMonthsReceiptSchema). */
export type MonthsReceipt = Omit<ManyMonthsReceipt, 'submissions'> & { readonly submissions: readonly Receipt[] };

function usualLevel(totals: ReadonlyMap<string, number>, sorted: readonly string[], before: string) {
  // The 12 loaded months just before `before` (`sorted` ascending).
  let hi = sorted.length;
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < before) lo = mid + 1;
    else hi = mid;
  }
  const recent = sorted.slice(Math.max(0, lo - 12), lo);
  const sum = recent.reduce((s, p) => s + (totals.get(p) ?? 0), 0);
  return { months: recent.length, total: recent.length ? sum / recent.length : 0 };
}

/** Steps 2–4 of the upload; `bodies` are validated already. */
export async function submitMonths(
  deps: SubmitDeps & { readonly months: MonthsStore },
  helplineId: string,
  bodies: readonly SubmissionBody[],
  options: { dryRun?: boolean } = {},
): Promise<MonthsReceipt> {
  const dryRun = options.dryRun === true;
  // 2.
  const known = await deps.months.helplineMonths(
    helplineId,
    bodies.map((b) => b.period),
  );
  const locked = bodies.flatMap((b) => {
    const release = known.locks.get(b.period);
    return release
      ? [
          {
            path: `period/${b.period}`,
            column: 'period',
            rule: 'period_locked',
            message: `${b.period} was published in release ${release}; ask the secretariat to unlock it for a correction (the correction then appears in the next release)`,
          },
        ]
      : [];
  });
  if (locked.length > 0) {
    throw invalidSubmission(
      `${locked.length} month(s) of the upload are part of a published release; nothing was accepted.`,
      locked,
    );
  }
  // The usual level of each month counts the months before it in this upload too.
  const totals = new Map(known.totals);
  for (const b of bodies)
    totals.set(
      b.period,
      b.cells.reduce((s, c) => s + c.count, 0),
    );
  const sorted = [...totals.keys()].sort();
  const submittedAt = deps.clock().toISOString();
  const receipts: Receipt[] = [];
  const messages: { key: string; value: string; headers: Record<string, string> }[] = [];
  const accepted: { submissionId: string; period: string; contentHash: string }[] = [];
  for (const body of bodies) {
    const hash = contentHash(helplineId, body);
    const cases = totals.get(body.period) ?? 0;
    const base = { helplineId, period: body.period, cells: body.cells.length, cases, dryRun };
    // 3.
    const newest = known.newest.get(body.period);
    if (newest && newest.contentHash === hash) {
      receipts.push({
        ...base,
        submissionId: newest.submissionId,
        status: newest.status,
        version: newest.version,
        submittedAt: newest.submittedAt,
        duplicate: true,
        replaces: null,
        warnings: [],
      });
      continue;
    }
    const usual = usualLevel(totals, sorted, body.period);
    const warnings =
      usual.months >= 3 && usual.total >= 20 && (cases > usual.total * 5 || cases < usual.total / 5)
        ? [
            `${body.period} has ${cases.toLocaleString('en')} cases; your usual month over the ${usual.months} months before it is about ${Math.round(usual.total).toLocaleString('en')}. Please check it is complete and correct.`,
          ]
        : [];
    const message = submissionMessage(helplineId, body, submittedAt, hash);
    receipts.push({
      ...base,
      submissionId: message.submissionId,
      status: dryRun ? 'validated' : 'accepted',
      version: null,
      submittedAt,
      duplicate: false,
      replaces: known.current.get(body.period) ?? null,
      warnings,
    });
    messages.push({
      key: submissionKey(helplineId, body.period),
      value: JSON.stringify(message),
      headers: { schema: message.schema },
    });
    accepted.push({ submissionId: message.submissionId, period: body.period, contentHash: hash });
  }
  const summary = {
    helplineId,
    months: bodies.length,
    accepted: accepted.length,
    duplicates: bodies.length - accepted.length,
    cells: bodies.reduce((s, b) => s + b.cells.length, 0),
    dryRun,
    submissions: receipts,
  };
  if (dryRun || messages.length === 0) return summary;
  // 4. One send: the producer never splits it, so the months travel in one produce request.
  try {
    await deps.producer.send(deps.topics.submissions, messages);
  } catch (error) {
    deps.logger.warn({ err: error, helplineId, months: messages.length }, 'Kafka did not take the multi-month upload');
    throw unavailable(
      'The submission queue is unavailable; the upload was not accepted. Send it again shortly (months that did arrive are recognised, never counted twice).',
      10,
      error,
    );
  }
  // Receipts are written behind Kafka's acknowledgement (answered from memory meanwhile).
  for (const a of accepted) {
    deps.receipts
      .recordAccepted({ ...a, helplineId, submittedAt })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, submissionId: a.submissionId }, 'receipt not written; the load will record it'),
      );
  }
  deps.logger.info(
    { helplineId, months: bodies.length, accepted: accepted.length, cells: summary.cells },
    'multi-month upload accepted',
  );
  return summary;
}
