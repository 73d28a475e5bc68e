/**
 * Releases: frozen, named, citable snapshots of protected tables — the only numbers that leave the
 * system publicly. Reads the warehouse's facts (through its `db`), writes the release tables.
 *
 *   publish(now, params | noise)
 *     1. span and id (the last full month); the other method's months need a stated override
 *     2. cube: the plan's linked tables from one snapshot of the facts
 *     3. suppression (primary, secondary, audited off-thread) — or noise mode (ε, ledger)
 *     4. store cells and manifest in one transaction; the reader forgets its "newest"
 *   reader.query(release, trends query) → protected cells; reader.manifest(id) → the manifest
 *
 * In: a warehouse `Db`, a logger. Out: `Releases` (api, dashboards and jobs are handed it by bin/).
 */
import type { Logger } from 'pino';
import type { Db, Warehouse } from '../warehouse/index.js';
import { budgetReport, type NoiseSettings, publishNoiseRelease } from './noise.js';
import { listReleases, publishRelease, type ReleaseManifest, releaseSpanAndId } from './publish.js';
import { checkRegime } from './regime.js';
import { createReleaseReader } from './release-query.js';
import type { ProtectionParams } from './suppress.js';

export { auditIntervals, type Equation } from './audit.js';
export { buildCube, type Cube } from './cube.js';
export type { NoiseSettings } from './noise.js';
export {
  PUBLIC_STATE_FILE,
  type PublicState,
  PublicStateSchema,
  publicState,
  readPublicState,
  writePublicState,
} from './public-state.js';
export { type ReleaseManifest, type StoredCell, storedCells } from './publish.js';
export type { ReleaseReader } from './release-query.js';
export { DEFAULT_PROTECTION, type ProtectionParams } from './suppress.js';

export interface PublishOptions {
  readonly now: Date;
  readonly params?: Partial<ProtectionParams>;
  readonly codeVersion: string;
  readonly baseUrl?: string;
  /** Noise mode (differential privacy) instead of suppression. */
  readonly noise?: NoiseSettings;
  /** Publish over months the other method published, for this reason (shown in the manifest). */
  readonly regimeOverride?: { reason: string };
  /** Suppression mode: compute and audit, store nothing. */
  readonly preview?: boolean;
  /** Suppression mode: publish only if the cells match the confirmed preview's checksum. */
  readonly expectChecksum?: string;
}

export function createReleases(db: Db, options: { logger?: Pick<Logger, 'warn' | 'error'> } = {}) {
  const reader = createReleaseReader(db);
  let publishing: Promise<unknown> = Promise.resolve();
  return {
    /** One publication at a time: two would both take the same id. */
    publish(asked: PublishOptions): Promise<ReleaseManifest & { reused?: true }> {
      const { noise, regimeOverride: override, ...rest } = asked;
      const run = publishing.then(async () => {
        try {
          // 1.
          const span = await releaseSpanAndId(db, rest.now);
          const regimeOverride = await checkRegime(db, noise ? 'noise' : 'suppression', span, override);
          const given = { ...rest, ...(regimeOverride ? { regimeOverride } : {}) };
          // 2–4.
          if (!noise)
            return await publishRelease(db, { ...given, ...(options.logger ? { logger: options.logger } : {}) });
          const { manifest, reused } = await publishNoiseRelease(db, { ...given, noise });
          return reused ? { ...manifest, reused: true as const } : manifest;
        } finally {
          reader.forgetLatest();
        }
      });
      publishing = run.catch(() => {});
      return run;
    },
    list: () => listReleases(db),
    budget: (budgetPerMonth: string) => budgetReport(db, budgetPerMonth),
    reader,
  };
}

export type Releases = ReturnType<typeof createReleases>;

/** A warehouse with its publication side: what the runtime and the read-side tests work with. */
export type PublishingWarehouse = Warehouse & { readonly releases: Releases };

export function withReleases(warehouse: Warehouse, options: Parameters<typeof createReleases>[1] = {}) {
  return { ...warehouse, releases: createReleases(warehouse.db, options) } satisfies PublishingWarehouse;
}
