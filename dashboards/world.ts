/**
 * The world map's shapes: Natural Earth 1:110m countries (world-atlas) with each shape's id turned
 * from ISO 3166-1 numeric into the alpha-2 code the data uses, Antarctica left out.
 */
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

interface Topology {
  type: 'Topology';
  objects: { countries: { type: 'GeometryCollection'; geometries: { id?: string; properties: { name: string } }[] } };
  arcs: unknown[];
  bbox?: number[];
  transform?: unknown;
}

// Shapes Natural Earth draws without an ISO numeric code.
const BY_NAME: Record<string, string> = { Kosovo: 'XK' };
const ANTARCTICA = '010';

let world: Topology | undefined;

/** Read once; the object is shared by every map spec (never mutated after this). */
export function worldTopology(): Topology {
  if (world) return world;
  const raw = createRequire(import.meta.url)('world-atlas/countries-110m.json') as Topology;
  const geometries = raw.objects.countries.geometries
    .filter((g) => g.id !== ANTARCTICA)
    .map((g) => ({
      ...g,
      id: (g.id && countries.numericToAlpha2(g.id)) || BY_NAME[g.properties.name] || `NE:${g.properties.name}`,
    }));
  world = { ...raw, objects: { countries: { ...raw.objects.countries, geometries } } };
  return world;
}
