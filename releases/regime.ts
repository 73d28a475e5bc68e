/**
 * One protection regime per month. A noise value beside the exact margins of a suppression
 * release undoes the noise's guarantee, and a suppression release publishes exact values of cells
 * that noise protected: so once a month is published by one method, a release by the other over
 * that month is refused — unless the secretariat names the override and a reason, which the new
 * release's manifest then carries for everyone to see.
 */
import { AppError, type RegimeOverride } from '../domain/index.js';
import type { Db } from '../warehouse/index.js';

export type ReleaseMode = 'suppression' | 'noise';

/** What a release that crossed regimes says about it in its manifest. */
export type { RegimeOverride };

export async function checkRegime(
  db: Db,
  mode: ReleaseMode,
  span: { from: string; to: string },
  override: { reason: string } | undefined,
): Promise<RegimeOverride | undefined> {
  const overlaps = await db.all<{ id: string; mode: ReleaseMode; span_from: string; span_to: string }>(
    `SELECT id, mode, span_from, span_to FROM releases
      WHERE mode <> $1 AND span_from <= $3 AND span_to >= $2 ORDER BY created_at`,
    [mode, span.from, span.to],
  );
  if (overlaps.length === 0) return undefined;
  const list = overlaps.map((r) => ({ id: r.id, mode: r.mode, from: r.span_from, to: r.span_to }));
  if (override) return { reason: override.reason, overlaps: list };
  const first = list[0] as (typeof list)[number];
  const other = first.mode;
  throw new AppError(
    'protection_regime',
    `Months of this release were already published with ${other} (release ${list.map((r) => `${r.id}: ${r.from} to ${r.to}`).join('; ')}); a ${mode} release over them would undo that protection. Nothing was published.`,
    {
      status: 409,
      problems: [
        {
          path: 'mode',
          rule: 'one_regime_per_month',
          message: `publishing ${mode} over months published with ${other} needs "regimeOverride": {"reason": "…"}; the reason is shown in the release's manifest`,
        },
      ],
    },
  );
}
