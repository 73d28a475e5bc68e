/** Human labels for codes, in the reader's language, from the catalogues (Luxembourg Guidelines wording). */
import { ROLLUPS, type Split, type Translator, translator } from '../domain/index.js';

const ROLLUP_CODES = new Set(ROLLUPS.map((r) => r.code));

export function labelFor(kind: Split | 'dimension', code: string, t: Translator = translator('en')): string {
  if (kind === 'dimension') return t.dimension(code);
  // A harm-group split may carry a rollup (OCSEA) as its code.
  if (kind === 'harmGroup' && ROLLUP_CODES.has(code)) return t.label('rollup', code);
  return t.label(kind, code);
}

/** A harm filter's name: a type code has a dot, a group or rollup has none. */
export const harmLabel = (code: string, t: Translator) => labelFor(code.includes('.') ? 'harm' : 'harmGroup', code, t);
