/**
 * Validates a record from `helpline.submissions.v1` again: the topic can be written by any client,
 * so nothing is trusted because ingest would have checked it.
 */
import {
  type BusRecord,
  checkSubmissionRules,
  contentHash,
  HelplineIdSchema,
  type HelplineInfo,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY,
  type LoadItem,
  PeriodSchema,
  parseSubmissionMessage,
  submissionKey,
} from '../domain/index.js';

const UUID = /"submissionId"\s*:\s*"([0-9a-f-]{36})"/i;

export async function decodeRecord(
  record: BusRecord,
  findHelpline: (id: string) => Promise<HelplineInfo | undefined>,
  now: Date,
): Promise<LoadItem> {
  let named: { helplineId?: string; period?: string } = {};
  const reject = (reason: string, submissionId?: string): LoadItem => ({
    kind: 'reject',
    offset: record.offset,
    reason,
    ...(submissionId === undefined ? {} : { submissionId, ...named }),
  });
  const text = record.value?.toString('utf8') ?? '';
  const namedId = UUID.exec(text)?.[1]?.toLowerCase();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject('the record is not valid JSON');
  }
  if (typeof json === 'object' && json !== null) {
    const { helplineId, period } = json as { helplineId?: unknown; period?: unknown };
    named = {
      ...(HelplineIdSchema.safeParse(helplineId).success ? { helplineId: helplineId as string } : {}),
      ...(PeriodSchema.safeParse(period).success ? { period: period as string } : {}),
    };
  }
  const parsed = parseSubmissionMessage(json);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
      .join('; ');
    return reject(`the record does not match helpline.submission.v1: ${first}`, namedId);
  }
  const message = parsed.data;
  if (record.key !== submissionKey(message.helplineId, message.period)) {
    return reject(
      `the record key ${JSON.stringify(record.key)} is not helpline|period of its content`,
      message.submissionId,
    );
  }
  if (!(await findHelpline(message.helplineId))) {
    return reject(`unknown helpline ${message.helplineId}`, message.submissionId);
  }
  const body = { period: message.period, cells: message.cells, ...(message.totals ? { totals: message.totals } : {}) };
  if (contentHash(message.helplineId, body) !== message.contentHash) {
    return reject('the content hash does not match the cells', message.submissionId);
  }
  // The period rule uses the submission time: a month that was over when it was submitted stays valid.
  const submittedAt = new Date(message.submittedAt);
  if (submittedAt.getTime() > now.getTime() + 5 * 60_000) {
    return reject('the record claims to be submitted in the future', message.submissionId);
  }
  const problems = checkSubmissionRules(body, submittedAt);
  if (problems.length > 0) {
    return reject(problems.map((p) => p.message).join('; '), message.submissionId);
  }
  const key = record.headers[IDEMPOTENCY_HEADER];
  return {
    kind: 'load',
    offset: record.offset,
    message,
    ...(key !== undefined && IDEMPOTENCY_KEY.test(key) ? { idempotencyKey: key } : {}),
  };
}
