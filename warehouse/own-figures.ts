/**
 * One helpline's own loaded figures, unprotected: they are its own. Only ever asked for the
 * signed-in helpline's id (the portal takes it from the session).
 */
import type { Db } from './db.js';

export interface OwnCell {
  readonly period: string;
  readonly harmGroup: string;
  readonly ageBand: string;
  readonly gender: string;
  readonly channel: string;
  readonly count: number;
}

export async function ownFigures(db: Db, helplineId: string, year: number): Promise<OwnCell[]> {
  const rows = await db.all<{
    period: string;
    harm_group: string;
    age_band: string;
    gender: string;
    channel: string;
    n: bigint;
  }>(
    `SELECT period, harm_group, age_band, gender, channel, sum(count) AS n FROM facts
      WHERE helpline_id = $1 AND year = $2 GROUP BY ALL ORDER BY ALL`,
    [helplineId, year],
  );
  return rows.map((r) => ({
    period: r.period,
    harmGroup: r.harm_group,
    ageBand: r.age_band,
    gender: r.gender,
    channel: r.channel,
    count: Number(r.n),
  }));
}
