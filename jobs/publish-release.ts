/**
 * `publish-release`: freezes the protected tables as this month's release, once a month. A second
 * run in the same month changes nothing unless asked to (`force`), which makes a revision (.2).
 */
import type { NoiseSettings, ReleaseManifest } from '../releases/index.js';
import type { Job } from './runner.js';

export interface PublishDeps {
  readonly publish: (options: { now: Date; codeVersion: string; noise?: NoiseSettings }) => Promise<ReleaseManifest>;
  /** Scheduled releases in noise mode (differential privacy) rather than suppression. */
  readonly noise?: NoiseSettings;
  readonly list: () => Promise<readonly { id: string }[]>;
  readonly codeVersion: string;
}

export function publishReleaseJob(deps: PublishDeps): Job {
  return async ({ now, args }) => {
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const existing = (await deps.list()).find((r) => r.id === month || r.id.startsWith(`${month}.`));
    if (existing && args.force !== 'true') {
      return { figures: { release: existing.id }, skipped: `release ${existing.id} is already published this month` };
    }
    const m = await deps.publish({ now, codeVersion: deps.codeVersion, ...(deps.noise ? { noise: deps.noise } : {}) });
    return {
      figures: {
        release: m.id,
        mode: m.mode,
        span: m.span,
        cells: m.cells,
        withheld: m.withheld,
        helplines: m.helplines,
        checksum: m.checksum,
      },
    };
  };
}
