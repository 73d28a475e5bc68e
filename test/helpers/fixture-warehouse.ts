/** Crafted warehouses for the read-side suites: a real DuckDB file loaded through the warehouse's own batch load. */
import {
  type LoadItem,
  monthsBetween,
  type RegionCode,
  type SubmissionBody,
  submissionMessage,
} from '../../domain/index.js';
import { type PublishingWarehouse, withReleases } from '../../releases/index.js';
import { openWarehouse, type Warehouse } from '../../warehouse/index.js';

/** The months every crafted fixture reports. */
export const FIXTURE_MONTHS = monthsBetween('2024-01', '2024-12');

export interface FixtureHelpline {
  readonly id: string;
  readonly country: string;
  readonly region: RegionCode;
}

/** Loads the bodies as one batch, at the offsets after those the warehouse already stored. */
export async function loadBodies(
  wh: Warehouse,
  bodies: { helpline: string; body: SubmissionBody }[],
  at = '2025-01-01T00:00:00.000Z',
) {
  const stored = await wh.loadTarget.storedOffsets('fixture', [0]);
  let offset = stored.get(0) ?? 0n;
  const items: LoadItem[] = bodies.map(({ helpline, body }) => ({
    kind: 'load',
    offset: offset++,
    message: submissionMessage(helpline, body, at),
  }));
  await wh.loadTarget.applyBatch({ topic: 'fixture', partition: 0, items });
}

/** The helplines registered, and each one's `bodyOf` every month of FIXTURE_MONTHS loaded. */
export async function fixtureWarehouse(
  path: string,
  helplines: readonly FixtureHelpline[],
  bodyOf: (helpline: string, period: string) => SubmissionBody,
): Promise<PublishingWarehouse> {
  const wh = withReleases(await openWarehouse(path));
  for (const h of helplines) await wh.registry.addHelpline({ ...h, name: `${h.id} line` }, new Date('2024-01-01'));
  await loadBodies(
    wh,
    helplines.flatMap((h) => FIXTURE_MONTHS.map((period) => ({ helpline: h.id, body: bodyOf(h.id, period) }))),
  );
  return wh;
}
