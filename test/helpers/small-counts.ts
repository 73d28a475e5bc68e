/** A warehouse full of small counts (a real DuckDB file, loaded through the warehouse's own batch load). */
import { poisson, seededRng } from '../../demo/random.js';
import { HARM_TYPE_CODES, type SubmissionBody } from '../../domain/index.js';
import { fixtureWarehouse } from './fixture-warehouse.js';

export const SMALL_HELPLINES = [
  { id: 'de-a', country: 'DE', region: 'europe' },
  { id: 'de-b', country: 'DE', region: 'europe' },
  { id: 'lu-a', country: 'LU', region: 'europe' },
  { id: 'mt-a', country: 'MT', region: 'europe' },
  { id: 'ke-a', country: 'KE', region: 'africa' },
  { id: 'ke-b', country: 'KE', region: 'africa' },
  { id: 'ug-a', country: 'UG', region: 'africa' },
  { id: 'pe-a', country: 'PE', region: 'americas_caribbean' },
] as const;
const TYPES = HARM_TYPE_CODES.filter((_, i) => i % 3 === 0);

export function smallBody(helpline: string, period: string, seed = 'small'): SubmissionBody {
  const rng = seededRng(seed, helpline, period);
  const cells = TYPES.flatMap((harm) => {
    const count = poisson(rng, 0.4 + rng() * 6);
    return count > 0
      ? [
          {
            harm,
            ageBand: '13-15' as const,
            gender: rng() < 0.6 ? ('girl' as const) : ('boy' as const),
            channel: 'chat' as const,
            count,
          },
        ]
      : [];
  });
  return {
    period,
    cells: cells.length
      ? cells
      : [{ harm: 'family.conflict', ageBand: '13-15', gender: 'girl', channel: 'chat', count: 1 }],
  };
}

export const smallCountsWarehouse = (
  path: string,
  transform?: (helpline: string, body: SubmissionBody) => SubmissionBody,
) =>
  fixtureWarehouse(path, SMALL_HELPLINES, (helpline, period) => {
    const body = smallBody(helpline, period);
    return transform ? transform(helpline, body) : body;
  });
