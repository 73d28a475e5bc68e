/**
 * The architecture, written down once: the stages, the arrows allowed between them, and the imports
 * that must never exist. `dependencies.test.ts` checks every import of the tree against it (README's
 * Layout says the same in words).
 *
 *   domain ← infra/kafka, api/http, transform, warehouse, demo
 *   domain, api/http ← ingest ← api ← dashboards
 *   domain, warehouse ← releases ← jobs
 *   domain, api/http, ingest, warehouse, releases ← portal (forms over the same acceptance as the API)
 *   domain, api/http, api, dashboards, portal (its paths' docs), warehouse, releases, jobs ← reader
 *   bin (entry points) wires them all; bench and test may look inside any stage.
 */

export interface Stage {
  /** Its folder; its only door is `<root>/index.ts`. */
  readonly root: string;
  /** Stages its files may import (through their doors). */
  readonly may: readonly string[];
  /** May import any file of any stage, not only doors (tools and tests, never code that ships as a stage). */
  readonly deep?: true;
}

/** The stages that ship (everything but the tools and tests). */
const SHIPPED = [
  'domain',
  'kafka',
  'http',
  'ingest',
  'transform',
  'warehouse',
  'releases',
  'jobs',
  'api',
  'dashboards',
  'portal',
  'reader',
  'demo',
  'bin',
] as const;

export const STAGES: Readonly<Record<string, Stage>> = {
  domain: { root: 'domain', may: [] },
  kafka: { root: 'infra/kafka', may: ['domain'] },
  http: { root: 'api/http', may: ['domain'] },
  ingest: { root: 'ingest', may: ['domain', 'http'] },
  transform: { root: 'transform', may: ['domain'] },
  warehouse: { root: 'warehouse', may: ['domain'] },
  releases: { root: 'releases', may: ['domain', 'warehouse'] },
  jobs: { root: 'jobs', may: ['domain', 'warehouse', 'releases'] },
  api: { root: 'api', may: ['domain', 'http', 'ingest'] },
  dashboards: { root: 'dashboards', may: ['domain', 'http', 'api'] },
  // The portal accepts uploads through ingest's validation and acceptance (the API's own path) and keeps
  // its people, sessions and requests in the warehouse file, as the API's admin routes do.
  portal: { root: 'portal', may: ['domain', 'http', 'ingest', 'warehouse', 'releases'] },
  // A read replica serves the api's and dashboards' public routes from the release files it loads into
  // an in-memory warehouse (the export job's files, the published register); it documents the portal's
  // paths (not its routes) so that its OpenAPI document is the writer's.
  reader: { root: 'reader', may: ['domain', 'http', 'api', 'dashboards', 'portal', 'warehouse', 'releases', 'jobs'] },
  demo: { root: 'demo', may: ['domain'] },
  bin: { root: 'bin', may: SHIPPED.filter((stage) => stage !== 'bin') },
  bench: { root: 'bench', may: ['*'], deep: true },
  test: { root: 'test', may: ['*'], deep: true },
};

/** Imports that must never exist, whatever the arrows say, each with the reason. */
export const FORBIDDEN: readonly { readonly from: readonly string[]; readonly to: RegExp; readonly why: string }[] = [
  {
    from: ['domain', 'transform', 'warehouse', 'releases', 'jobs', 'demo'],
    to: /^(express|express-rate-limit|helmet|fresh|busboy|node:http|node:https|swagger-ui-dist)$|^stage:(http|api|dashboards)$/,
    why: 'the warehouse knows no HTTP (nor do the stages below the API)',
  },
  {
    from: ['dashboards'],
    to: /^stage:(warehouse|releases|jobs|ingest|transform|portal|reader)$|^@duckdb\//,
    why: 'charts go through the protected query service, never the warehouse',
  },
  {
    from: ['ingest'],
    to: /^stage:(warehouse|releases|jobs|transform|portal|reader)$|^@duckdb\//,
    why: 'uploads reach the warehouse only through Kafka',
  },
  {
    from: SHIPPED.filter((stage) => stage !== 'kafka'),
    to: /^kafkajs$/,
    why: 'KafkaJS stays behind our bus interface, in infra/kafka',
  },
  {
    from: ['domain', 'kafka', 'http', 'ingest', 'transform', 'api', 'dashboards', 'portal', 'reader', 'demo', 'bin'],
    to: /^@duckdb\//,
    why: 'DuckDB is opened by the warehouse (and copied by the backup job) only',
  },
];
