/** Human labels for codes, from the shared code lists (Luxembourg Guidelines wording). */
import {
  AGE_BANDS,
  CHANNELS,
  COUNTRIES,
  GENDERS,
  HARM_GROUPS,
  HARM_TYPES,
  REGIONS,
  ROLLUPS,
  type Split,
} from '../domain/index.js';

const DIMENSION_LABELS: Record<Split, string> = {
  region: 'region',
  country: 'country',
  harmGroup: 'harm group',
  harm: 'harm type',
  ageBand: 'age band',
  gender: 'gender',
  channel: 'channel',
};

const byCode = (list: readonly { code: string; label?: string; name?: string }[]) =>
  new Map(list.map((d) => [d.code, d.label ?? d.name ?? d.code]));

const TABLES: Record<Split, Map<string, string>> = {
  region: byCode(REGIONS),
  country: byCode(COUNTRIES),
  harmGroup: byCode([...HARM_GROUPS, ...ROLLUPS]),
  harm: byCode(HARM_TYPES),
  ageBand: byCode(AGE_BANDS),
  gender: byCode(GENDERS),
  channel: byCode(CHANNELS),
};

export function labelFor(kind: Split | 'dimension', code: string): string {
  if (kind === 'dimension') return DIMENSION_LABELS[code as Split] ?? code;
  return TABLES[kind].get(code) ?? code;
}
