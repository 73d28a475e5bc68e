/**
 * The one SQL filter on `period`, with bound parameters. DuckDB plans a statement with its parameter
 * values known, so the filter still lets it skip the row groups of other months, as a constant list
 * would — and no period text is ever spliced into SQL.
 */
import type { Params } from './db.js';

export interface SqlFilter {
  readonly sql: string;
  readonly params: Params;
}

const MONTH = /^\d{4}-\d{2}$/;

/** `period IN ($first, …)` for these months (YYYY-MM, each once); `FALSE` when there are none. */
export function periodIn(periods: Iterable<string>, first = 1): SqlFilter {
  const list = [...new Set(periods)].filter((p) => MONTH.test(p));
  if (list.length === 0) return { sql: 'FALSE', params: [] };
  return { sql: `period IN (${list.map((_, i) => `$${first + i}`).join(', ')})`, params: list };
}

/** `period BETWEEN $first AND $first+1`: the months of a span, ends included. */
export function periodBetween(span: { readonly from: string; readonly to: string }, first = 1): SqlFilter {
  return { sql: `period BETWEEN $${first} AND $${first + 1}`, params: [span.from, span.to] };
}
