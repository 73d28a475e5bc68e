/**
 * vega, vega-lite and vega-embed served from node_modules: pages load nothing from other hosts.
 * Their `exports` maps hide the browser bundles, so we find each package folder from its entry.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (basename(dir) !== name.split('/').pop() && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'vega.min.js': join(packageDir('vega'), 'build', 'vega.min.js'),
  'vega-lite.min.js': join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'),
  'vega-embed.min.js': join(packageDir('vega-embed'), 'build', 'vega-embed.min.js'),
};

/** Read once at start: these files never change while the process runs. */
export function loadVendorFiles(): Map<string, Buffer> {
  return new Map(Object.entries(VENDOR_FILES).map(([name, path]) => [name, readFileSync(path)]));
}
