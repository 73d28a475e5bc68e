/**
 * A crafted warehouse: four European helplines, one per country, in 2024. Luxembourg and Malta
 * split small totals of family and peer cases (3 + 8 and 9 + 7); Germany and France are large.
 * Withholding Luxembourg's 3 takes Malta's 8 and 7 as complements, which protects against an
 * outsider but not against Luxembourg's own helpline, which knows its part exactly.
 */
import type { SubmissionBody } from '../../domain/index.js';
import { fixtureWarehouse } from './fixture-warehouse.js';

export const SPLIT_HELPLINES = [
  { id: 'de-a', country: 'DE', region: 'europe' },
  { id: 'fr-a', country: 'FR', region: 'europe' },
  { id: 'lu-a', country: 'LU', region: 'europe' },
  { id: 'mt-a', country: 'MT', region: 'europe' },
] as const;

const HARMS = ['family.conflict', 'peer.friendship', 'education.school', 'mental_health.anxiety'] as const;
/** Cases per month, or per month listed, for each harm in HARMS order. */
const SCHEDULE: Record<string, readonly (number | Record<string, number>)[]> = {
  'de-a': [40, 30, 25, 50],
  'fr-a': [35, 28, 22, 45],
  'lu-a': [{ '2024-03': 1, '2024-07': 2 }, { '2024-02': 4, '2024-09': 5 }, 20, 30],
  'mt-a': [{ '2024-01': 4, '2024-06': 4 }, { '2024-04': 3, '2024-10': 4 }, 25, 35],
};

export function splitBody(helpline: string, period: string): SubmissionBody {
  const cells = HARMS.flatMap((harm, i) => {
    const plan = SCHEDULE[helpline]?.[i] ?? 0;
    const count = typeof plan === 'number' ? plan : (plan[period] ?? 0);
    return count > 0
      ? [{ harm, ageBand: '13-15' as const, gender: 'girl' as const, channel: 'chat' as const, count }]
      : [];
  });
  return { period, cells };
}

export const splitRegionWarehouse = (path: string) => fixtureWarehouse(path, SPLIT_HELPLINES, splitBody);
