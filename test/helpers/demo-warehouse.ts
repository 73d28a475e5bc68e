/**
 * The demo data set (the deterministic generator `npm start` seeds) in a real DuckDB file, loaded
 * through the warehouse's own batch load — the same tables the seed builds through HTTP and Kafka,
 * in about a minute instead of several.
 */
import { demoHelplines, demoSubmission, FIRST_DEMO_PERIOD, lastFullMonth, monthsBetween } from '../../demo/index.js';
import { type LoadItem, submissionMessage } from '../../domain/index.js';
import { type PublishingWarehouse, withReleases } from '../../releases/index.js';
import { openWarehouse } from '../../warehouse/index.js';

export async function demoWarehouse(path: string, now: Date): Promise<PublishingWarehouse> {
  const wh = withReleases(await openWarehouse(path));
  const helplines = demoHelplines();
  for (const h of helplines)
    await wh.registry.addHelpline({ id: h.id, name: h.name, country: h.country, region: h.region }, now);
  let offset = 0n;
  for (const period of monthsBetween(FIRST_DEMO_PERIOD, lastFullMonth(now))) {
    const at = new Date(`${period}-28T12:00:00Z`).toISOString();
    const items: LoadItem[] = helplines.flatMap((h) => {
      const body = demoSubmission(h, period);
      return body ? [{ kind: 'load' as const, offset: offset++, message: submissionMessage(h.id, body, at) }] : [];
    });
    await wh.loadTarget.applyBatch({ topic: 'demo', partition: 0, items });
  }
  return wh;
}
