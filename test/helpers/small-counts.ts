/** A warehouse full of small counts (a real DuckDB file, loaded through the warehouse's own batch load). */
import { poisson, seededRng } from '../../demo/random.js';
import {
  HARM_TYPE_CODES,
  type LoadItem,
  monthsBetween,
  type SubmissionBody,
  submissionMessage,
} from '../../domain/index.js';
import { withReleases } from '../../releases/index.js';
import { openWarehouse, type Warehouse } from '../../warehouse/index.js';

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
export const SMALL_MONTHS = monthsBetween('2024-01', '2024-12');
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

export async function loadBodies(
  wh: Warehouse,
  bodies: { helpline: string; body: SubmissionBody }[],
  at = '2025-01-01T00:00:00.000Z',
) {
  const stored = await wh.loadTarget.storedOffsets('small', [0]);
  let offset = stored.get(0) ?? 0n;
  const items: LoadItem[] = bodies.map(({ helpline, body }) => ({
    kind: 'load',
    offset: offset++,
    message: submissionMessage(helpline, body, at),
  }));
  await wh.loadTarget.applyBatch({ topic: 'small', partition: 0, items });
}

export async function smallCountsWarehouse(
  path: string,
  transform?: (helpline: string, body: SubmissionBody) => SubmissionBody,
) {
  const wh = withReleases(await openWarehouse(path));
  for (const h of SMALL_HELPLINES)
    await wh.registry.addHelpline({ ...h, name: `${h.id} line` }, new Date('2024-01-01'));
  const bodies = SMALL_HELPLINES.flatMap((h) =>
    SMALL_MONTHS.map((period) => {
      const body = smallBody(h.id, period);
      return { helpline: h.id as string, body: transform ? transform(h.id, body) : body };
    }),
  );
  await loadBodies(wh, bodies);
  return wh;
}
