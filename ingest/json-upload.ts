/** The JSON body's outer shape; the fields themselves go through the shared validation. */
import { invalidSubmission, type Problem, personalDataKind, quotable } from '../domain/index.js';
import type { RawSubmission } from './validate.js';

const TOP = new Set(['period', 'cells', 'totals']);
const CELL = new Set(['harm', 'ageBand', 'gender', 'channel', 'count']);
export const MAX_CELLS = 20_000;

const unknownKey = (key: string, path: string, allowed: Set<string>): Problem => {
  const kind = personalDataKind(key);
  return {
    path: `${path}${quotable(key) ? key : '(field)'}`,
    ...(quotable(key) ? { column: key, value: key } : {}),
    rule: kind ? 'personal_data' : 'unknown_field',
    message: kind
      ? `${path || 'the body '}has a field whose name looks like ${kind}; personal data is not accepted`
      : `${path}${quotable(key) ? `"${key}"` : 'a field'} is not part of the contract; allowed: ${[...allowed].join(', ')} (no free text)`,
  };
};

export function parseJsonUpload(body: unknown): RawSubmission {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSubmission('The body must be a JSON object with period and cells.', [
      { path: '(body)', rule: 'type', message: 'the body must be an object: {"period": "2026-10", "cells": [...]}' },
    ]);
  }
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) if (!TOP.has(key)) problems.push(unknownKey(key, '', TOP));
  const { period, cells, totals } = body as { period?: unknown; cells?: unknown; totals?: unknown };
  if (period === undefined)
    problems.push({ path: 'period', column: 'period', rule: 'required', message: 'period is missing (YYYY-MM)' });
  if (!Array.isArray(cells)) {
    problems.push({ path: 'cells', column: 'cells', rule: 'required', message: 'cells must be a list of cells' });
  } else if (cells.length === 0) {
    problems.push({
      path: 'cells',
      column: 'cells',
      rule: 'empty',
      message: 'cells is empty; a submission holds at least one cell',
    });
  } else if (cells.length > MAX_CELLS) {
    problems.push({
      path: 'cells',
      column: 'cells',
      rule: 'too_many',
      message: `cells holds ${cells.length} cells; the limit is ${MAX_CELLS}`,
    });
  } else {
    cells.forEach((cell, i) => {
      if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) {
        problems.push({ path: `cells/${i}`, rule: 'type', message: `cells ${i} must be an object` });
        return;
      }
      for (const key of Object.keys(cell)) if (!CELL.has(key)) problems.push(unknownKey(key, `cells/${i}/`, CELL));
      for (const key of CELL) {
        if (!(key in cell))
          problems.push({
            path: `cells/${i}/${key}`,
            column: key,
            rule: 'required',
            message: `cells ${i}: ${key} is missing`,
          });
      }
    });
  }
  if (problems.length > 0)
    throw invalidSubmission(`The submission has ${problems.length} problem(s); nothing was accepted.`, problems);
  return {
    period,
    cells: (cells as Record<string, unknown>[]).map((values, i) => ({ values, path: `cells/${i}` })),
    ...(totals === undefined ? {} : { totals }),
    format: 'json',
  };
}
