/**
 * The privacy-budget ledger. The privacy unit is one child-case in one helpline-month; each noise
 * release spends its ε on every month it covers; a month's spending may not pass its budget.
 */
import type { Tx } from '../../warehouse/index.js';
import { add, compare, parseRational, type Rational, rational, sub } from './rational.js';

export interface Overspend {
  readonly month: string;
  readonly spent: Rational;
  readonly remaining: Rational;
}

/** ε already spent on each month of the span, from the ledger. */
export async function spentPerMonth(tx: Pick<Tx, 'all'>, months: readonly string[]): Promise<Map<string, Rational>> {
  const rows = await tx.all<{ epsilon: string; span_from: string; span_to: string }>(
    'SELECT epsilon, span_from, span_to FROM privacy_ledger',
  );
  const spent = new Map(months.map((m) => [m, rational(0n)]));
  for (const row of rows) {
    const eps = parseRational(row.epsilon);
    for (const m of months) {
      if (m >= row.span_from && m <= row.span_to) spent.set(m, add(spent.get(m) ?? rational(0n), eps));
    }
  }
  return spent;
}

/** The months a charge of `epsilon` would take over `budget`, with what each has left. */
export function overspent(spent: ReadonlyMap<string, Rational>, epsilon: Rational, budget: Rational): Overspend[] {
  const out: Overspend[] = [];
  for (const [month, used] of spent) {
    if (compare(add(used, epsilon), budget) > 0) {
      const left = sub(budget, used);
      out.push({ month, spent: used, remaining: left.num < 0n ? rational(0n) : left });
    }
  }
  return out;
}
