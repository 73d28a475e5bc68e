/**
 * Validation shared by CSV and JSON uploads: every field of every cell is checked against the
 * contract's zod schemas, and every problem is reported (row or path, column, rule, plain words),
 * so a data officer can fix the whole file in one go.
 */
import {
  AGE_BAND_CODES,
  CHANNEL_CODES,
  CountSchema,
  checkSubmissionRules,
  GENDER_CODES,
  HARM_TYPE_CODES,
  MAX_COUNT,
  PeriodSchema,
  type Problem,
  personalDataKind,
  quotable,
  type SubmissionBody,
} from '../domain/index.js';
import { suggest } from './suggest.js';

export type CodeField = 'harm' | 'ageBand' | 'gender' | 'channel';
/** A helpline's own codes → canonical codes, per field (admin-approved). */
export type CodeMapping = Partial<Record<CodeField, Readonly<Record<string, string>>>>;

export interface RawCell {
  readonly values: Readonly<Record<string, unknown>>;
  /** CSV line number (the header is line 1). */
  readonly row?: number;
  /** JSON path of the cell, e.g. `cells/3`. */
  readonly path: string;
}

export interface RawSubmission {
  /** JSON: the top-level period. CSV: undefined (each row carries its own). */
  readonly period?: unknown;
  readonly cells: readonly RawCell[];
  readonly totals?: unknown;
  readonly format: 'csv' | 'json';
}

const CODES: Record<CodeField, readonly string[]> = {
  harm: HARM_TYPE_CODES,
  ageBand: AGE_BAND_CODES,
  gender: GENDER_CODES,
  channel: CHANNEL_CODES,
};

export const CSV_COLUMN: Record<CodeField | 'count' | 'period', string> = {
  period: 'period',
  harm: 'harm',
  ageBand: 'age_band',
  gender: 'gender',
  channel: 'channel',
  count: 'count',
};

/** The same closed lists the zod enums are built from, as sets: one lookup per field of every cell. */
const VALID: Record<CodeField, ReadonlySet<string>> = {
  harm: new Set(HARM_TYPE_CODES),
  ageBand: new Set(AGE_BAND_CODES),
  gender: new Set(GENDER_CODES),
  channel: new Set(CHANNEL_CODES),
};

const FIELD_WORDS: Record<CodeField, string> = {
  harm: 'harm type',
  ageBand: 'age band',
  gender: 'gender',
  channel: 'channel',
};

function where(cell: RawCell, field: keyof typeof CSV_COLUMN, format: 'csv' | 'json') {
  const column = format === 'csv' ? CSV_COLUMN[field] : field;
  return {
    path: format === 'csv' ? `row ${cell.row}/${column}` : `${cell.path}/${field}`,
    column,
    ...(cell.row === undefined ? {} : { row: cell.row }),
  };
}

const lead = (cell: RawCell) => (cell.row === undefined ? `${cell.path.replace('/', ' ')}: ` : `row ${cell.row}: `);

/** A string that is not a valid code: personal data is named as such, never quoted. */
export function badValueProblem(
  value: unknown,
  base: { path: string; column: string; row?: number },
  prefix: string,
  what: string,
  codes: readonly string[],
): Problem {
  if (typeof value !== 'string') {
    return {
      ...base,
      rule: 'type',
      message: `${prefix}${base.column} must be a code (text), not ${value === null ? 'null' : typeof value}`,
    };
  }
  if (value.trim() === '')
    return { ...base, rule: 'required', message: `${prefix}${base.column} is empty; give a ${what} code` };
  const kind = personalDataKind(value);
  if (kind) {
    return {
      ...base,
      rule: 'personal_data',
      message: `${prefix}${base.column} looks like ${kind}. Personal data is not accepted: send only the codes listed at /v1/meta/dimensions (the value is not shown or stored)`,
    };
  }
  const suggestions = suggest(value, codes);
  return {
    ...base,
    rule: 'unknown_code',
    ...(quotable(value) ? { value } : {}),
    ...(suggestions.length ? { suggestions } : {}),
    message: `${prefix}${quotable(value) ? `"${value}"` : 'the value'} is not a valid ${what} code${
      suggestions.length
        ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
        : '; see /v1/meta/dimensions'
    }`,
  };
}

function countProblem(
  value: unknown,
  base: { path: string; column: string; row?: number },
  prefix: string,
  format: 'csv' | 'json',
) {
  let n: unknown = value;
  if (format === 'csv' && typeof value === 'string') {
    const t = value.trim();
    if (t === '') return { ...base, rule: 'required', message: `${prefix}count is empty; write 0 for none` };
    if (!/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) {
      const kind = personalDataKind(t);
      if (kind)
        return {
          ...base,
          rule: 'personal_data',
          message: `${prefix}count looks like ${kind}. Personal data is not accepted (the value is not shown or stored)`,
        };
      return {
        ...base,
        rule: 'not_a_number',
        ...(quotable(t) ? { value: t } : {}),
        message: `${prefix}count must be a whole number written with digits only (no spaces, separators or text)`,
      };
    }
    n = Number(t);
  }
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return { ...base, rule: 'not_a_number', message: `${prefix}count must be a whole number` };
  }
  // The schema's rules, checked directly on the hot path; the schema words the message otherwise.
  if (Number.isInteger(n) && n >= 0 && n <= MAX_COUNT) return { count: n };
  const parsed = CountSchema.safeParse(n);
  if (parsed.success) return { count: parsed.data };
  const rule = !Number.isInteger(n) ? 'fractional' : n < 0 ? 'negative' : n > MAX_COUNT ? 'too_large' : 'invalid';
  return {
    ...base,
    rule,
    ...(quotable(String(n)) ? { value: String(n) } : {}),
    message: `${prefix}${parsed.error.issues[0]?.message ?? 'invalid count'}`,
  };
}

export interface Validated {
  readonly body?: SubmissionBody;
  /** With `manyPeriods`: one body per month, in the order the months first appear. */
  readonly bodies?: readonly SubmissionBody[];
  readonly problems: Problem[];
  readonly rowOf: (cellIndex: number) => number | undefined;
}

export interface ValidateOptions {
  /** A CSV file may hold many months (a multi-month upload): each month becomes its own body. */
  readonly manyPeriods?: boolean;
}

export function validateRaw(
  raw: RawSubmission,
  mapping: CodeMapping,
  now: Date,
  options: ValidateOptions = {},
): Validated {
  const problems: Problem[] = [];
  const cells: SubmissionBody['cells'] = [];
  /** Each cell's period (CSV), parallel to `cells`. */
  const cellPeriods: string[] = [];
  const periods = new Map<string, number>();

  // 1. The period: top-level for JSON, per row for CSV (and then one period per file).
  const checkPeriod = (value: unknown, base: { path: string; column: string; row?: number }, prefix: string) => {
    if (typeof value === 'string' && PeriodSchema.safeParse(value.trim()).success) return value.trim();
    if (typeof value === 'string' && personalDataKind(value) && !/^\d{4}-\d{2}$/.test(value.trim())) {
      problems.push({
        ...base,
        rule: 'personal_data',
        message: `${prefix}period looks like ${personalDataKind(value)}; personal data is not accepted. Write the month as YYYY-MM`,
      });
      return undefined;
    }
    problems.push({
      ...base,
      rule: 'period_format',
      ...(typeof value === 'string' && quotable(value) ? { value } : {}),
      message: `${prefix}period must be a calendar month written YYYY-MM, e.g. 2026-10`,
    });
    return undefined;
  };
  if (raw.format === 'json') {
    const period = checkPeriod(raw.period, { path: 'period', column: 'period' }, '');
    if (period) periods.set(period, 0);
  }

  // 2. Each cell, each field.
  raw.cells.forEach((cell) => {
    const prefix = lead(cell);
    let ok = true;
    let cellPeriod: string | undefined;
    if (raw.format === 'csv') {
      const period = checkPeriod(cell.values.period, where(cell, 'period', 'csv'), prefix);
      if (period && !periods.has(period)) periods.set(period, cell.row ?? 0);
      if (!period) ok = false;
      cellPeriod = period;
    }
    const codes: Partial<Record<CodeField, string>> = {};
    for (const field of ['harm', 'ageBand', 'gender', 'channel'] as const) {
      const value = cell.values[field];
      const text = typeof value === 'string' ? value.trim() : value;
      const mapped = typeof text === 'string' ? (mapping[field]?.[text] ?? text) : text;
      if (typeof mapped === 'string' && VALID[field].has(mapped)) codes[field] = mapped;
      else {
        ok = false;
        problems.push(badValueProblem(value, where(cell, field, raw.format), prefix, FIELD_WORDS[field], CODES[field]));
      }
    }
    const count = countProblem(cell.values.count, where(cell, 'count', raw.format), prefix, raw.format);
    if ('rule' in count) {
      ok = false;
      problems.push(count as Problem);
    }
    if (ok && 'count' in count && codes.harm && codes.ageBand && codes.gender && codes.channel) {
      cells.push({
        harm: codes.harm as never,
        ageBand: codes.ageBand as never,
        gender: codes.gender as never,
        channel: codes.channel as never,
        count: count.count,
      });
      if (cellPeriod) cellPeriods.push(cellPeriod);
    }
  });

  if (periods.size > 1 && !options.manyPeriods) {
    const list = [...periods.entries()].map(([p, row]) => (row ? `${p} (first on row ${row})` : p));
    problems.push({
      path: 'period',
      column: 'period',
      rule: 'one_period',
      message: `the file holds ${periods.size} periods (${list.join(', ')}); send one file per month`,
    });
  }

  // 3. Totals (JSON only).
  let totals: SubmissionBody['totals'];
  if (raw.totals !== undefined) {
    if (typeof raw.totals !== 'object' || raw.totals === null || Array.isArray(raw.totals)) {
      problems.push({
        path: 'totals',
        column: 'totals',
        rule: 'type',
        message: 'totals must be an object such as {"contacts": 1200}',
      });
    } else {
      for (const key of Object.keys(raw.totals)) {
        if (key !== 'contacts') {
          problems.push({
            path: `totals/${quotable(key) ? key : '(field)'}`,
            column: 'totals',
            rule: 'unknown_field',
            message: `totals has an unknown field${quotable(key) ? ` "${key}"` : ''}; only "contacts" is allowed`,
          });
        }
      }
      const contacts = (raw.totals as { contacts?: unknown }).contacts;
      if (contacts !== undefined) {
        const c = countProblem(
          contacts,
          { path: 'totals/contacts', column: 'totals.contacts' },
          'totals.contacts: ',
          'json',
        );
        if ('rule' in c) problems.push(c as Problem);
        else totals = { contacts: c.count };
      }
    }
  }

  const rowOf = (i: number) => raw.cells[i]?.row;
  if (options.manyPeriods && raw.format === 'csv') {
    if (problems.length > 0 || periods.size === 0 || cells.length !== raw.cells.length) return { problems, rowOf };
    return manyMonths(raw, cells, cellPeriods, now);
  }
  const period = periods.size === 1 ? [...periods.keys()][0] : undefined;
  if (problems.length > 0 || !period || cells.length !== raw.cells.length) return { problems, rowOf };

  const body: SubmissionBody = { period, cells, ...(totals ? { totals } : {}) };
  // 4. Rules across cells and with the clock (duplicates, future, totals).
  const ruleProblems = checkSubmissionRules(body, now, raw.format === 'csv' ? (i) => rowOf(i) ?? i : undefined);
  if (ruleProblems.length > 0) return { problems: ruleProblems, rowOf };
  return { body, problems: [], rowOf };
}

const MAX_CELLS_PER_MONTH = 20_000;

/** A CSV of many months, every cell valid: split by month, then each month's rules (rows kept). */
function manyMonths(
  raw: RawSubmission,
  cells: SubmissionBody['cells'],
  cellPeriods: readonly string[],
  now: Date,
): Validated {
  const groups = new Map<string, { cells: SubmissionBody['cells']; rows: (number | undefined)[] }>();
  cells.forEach((cell, i) => {
    const period = cellPeriods[i] as string;
    let group = groups.get(period);
    if (!group) {
      group = { cells: [], rows: [] };
      groups.set(period, group);
    }
    group.cells.push(cell);
    group.rows.push(raw.cells[i]?.row);
  });
  const problems: Problem[] = [];
  const bodies: SubmissionBody[] = [];
  for (const [period, group] of groups) {
    if (group.cells.length > MAX_CELLS_PER_MONTH) {
      problems.push({
        path: 'period',
        column: 'period',
        rule: 'too_many',
        message: `${period} has ${group.cells.length} rows; the limit is ${MAX_CELLS_PER_MONTH} per month`,
      });
      continue;
    }
    const body: SubmissionBody = { period, cells: group.cells };
    problems.push(...checkSubmissionRules(body, now, (i) => group.rows[i] ?? i));
    bodies.push(body);
  }
  const rowOf = (i: number) => raw.cells[i]?.row;
  return problems.length > 0 ? { problems, rowOf } : { bodies, problems: [], rowOf };
}
