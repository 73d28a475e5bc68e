/** Releases: public list and manifests; publishing is the secretariat's (admin key). */
import { Router } from 'express';
import { z } from 'zod';
import {
  forbidden,
  notFound,
  type PrivacyBudget,
  PrivacyBudgetSchema,
  ReleaseAnswerSchema,
  type ReleaseManifest,
  ReleaseManifestSchema,
  ReleaseRequestSchema,
  ReleasesAnswerSchema,
} from '../domain/index.js';
import { binary, documentPaths, json, parseBody, problem, requirePrincipal, SECURED } from './http/index.js';
import { PINNED_CACHE_CONTROL } from './trends-router.js';

export interface ReleaseAdmin {
  publish(options: {
    now: Date;
    params?: { threshold?: number; sensitiveThreshold?: number; protectionLevel?: number };
    codeVersion: string;
    baseUrl?: string;
    noise?: { epsilon: string; split?: Record<string, string>; reconcile?: boolean; budgetPerMonth: string };
    regimeOverride?: { reason: string };
  }): Promise<ReleaseManifest & { reused?: true }>;
  /** The privacy-budget ledger (noise releases). */
  budget?(budgetPerMonth: string): Promise<PrivacyBudget>;
  list(): Promise<ReleaseManifest[]>;
  reader: { manifest(id: string): Promise<ReleaseManifest | undefined> };
  /** A release's export files (undefined until the export job has written them) and where they are. */
  exports?: { list(id: string): Promise<readonly ExportFile[] | undefined>; dir: string };
}

interface ExportFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

const EXPORT_TYPES: Record<string, string> = {
  '.parquet': 'application/vnd.apache.parquet',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Noise-mode defaults: the ε of a release and the budget each month may spend in all. */
export interface NoiseDefaults {
  readonly epsilon: string;
  readonly budgetPerMonth: string;
}

export function createReleasesRouter(
  releases: ReleaseAdmin,
  clock: () => Date,
  codeVersion: string,
  noise: NoiseDefaults = { epsilon: '1', budgetPerMonth: '4' },
): Router {
  const router = Router();
  router.get('/v1/privacy/budget', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await releases.budget?.(noise.budgetPerMonth));
  });
  router.get('/v1/releases', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json({ releases: await releases.list() });
  });
  router.get('/v1/releases/:id', async (req, res) => {
    const id = String(req.params.id);
    const manifest = /^\d{4}-\d{2}(\.\d+)?$/.test(id) ? await releases.reader.manifest(id) : undefined;
    if (!manifest) throw notFound(`There is no release ${/^[\w.-]{1,20}$/.test(id) ? id : ''}; see /v1/releases.`);
    const files = await releases.exports?.list(id);
    const exports = (files ?? []).map((f) => ({ ...f, url: `/v1/releases/${id}/files/${f.file}` }));
    // The manifest never changes; the export files appear once the export job has run.
    res.set('Cache-Control', files ? PINNED_CACHE_CONTROL : 'public, max-age=60').json({ ...manifest, exports });
  });
  router.get('/v1/releases/:id/files/*file', async (req, res) => {
    const id = String(req.params.id);
    const file = ([] as string[]).concat(req.params.file as string | string[]).join('/');
    const listed = /^\d{4}-\d{2}(\.\d+)?$/.test(id) ? await releases.exports?.list(id) : undefined;
    // Only the files the export lists (and its checksum file): no path is taken from the request.
    const known = listed?.find((f) => f.file === file) ?? (listed && file === 'SHA256SUMS' ? { file } : undefined);
    if (!known || !releases.exports)
      throw notFound(`Release ${/^[\w.-]{1,20}$/.test(id) ? id : ''} has no export file ${file.slice(0, 60)}.`);
    const ext = /\.[a-z]+$/.exec(known.file)?.[0] ?? '';
    res
      .type(EXPORT_TYPES[ext] ?? 'text/plain; charset=utf-8')
      .set('Cache-Control', PINNED_CACHE_CONTROL)
      .attachment(`${id}-${known.file.replace(/\//g, '-')}`)
      .sendFile(known.file, { root: `${releases.exports.dir}/${id}`, dotfiles: 'deny' });
  });
  router.post('/v1/admin/releases', async (req, res) => {
    if (requirePrincipal(res).role !== 'admin') throw forbidden('Publishing a release needs the admin key.');
    const { mode, epsilon, split, reconcile, regimeOverride, ...given } = parseBody(
      ReleaseRequestSchema,
      req.body ?? {},
      'The release request is not valid.',
    );
    const params = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<
      string,
      number
    >;
    const manifest = await releases.publish({
      now: clock(),
      params,
      codeVersion,
      baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
      ...(regimeOverride ? { regimeOverride } : {}),
      ...(mode === 'noise'
        ? {
            noise: {
              epsilon: epsilon ?? noise.epsilon,
              budgetPerMonth: noise.budgetPerMonth,
              ...(split ? { split } : {}),
              ...(reconcile ? { reconcile } : {}),
            },
          }
        : {}),
    });
    // The same request on the same data gives the same release: no new noise, no new charge.
    res
      .status(manifest.reused ? 200 : 201)
      .location(`/v1/releases/${manifest.id}`)
      .set('Cache-Control', 'no-store')
      .json(manifest);
  });
  return router;
}

const ReleaseId = z.object({ id: z.string() });

export const releasesPaths = documentPaths(
  {
    method: 'get',
    path: '/v1/releases',
    summary: 'Published releases',
    responses: { 200: json(ReleasesAnswerSchema) },
  },
  {
    method: 'get',
    path: '/v1/releases/{id}',
    summary: 'A release manifest and its export files',
    request: { params: ReleaseId },
    responses: { 200: json(ReleaseAnswerSchema), 404: problem('No such release') },
  },
  {
    method: 'get',
    path: '/v1/releases/{id}/files/{file}',
    summary: 'A file of the release export (Parquet, Arrow, CSV, HXL CSV, per-table CSV, manifest, SHA256SUMS)',
    request: { params: ReleaseId.extend({ file: z.string() }) },
    responses: { 200: binary('application/octet-stream', 'The file'), 404: problem('No such release or file') },
  },
  {
    method: 'post',
    path: '/v1/admin/releases',
    summary: 'Publish a protected release now',
    security: SECURED,
    request: { body: { content: { 'application/json': { schema: ReleaseRequestSchema } } } },
    responses: {
      200: json(ReleaseManifestSchema, 'This month was published already (the same release)'),
      201: json(ReleaseManifestSchema),
      409: problem('Nothing to release, or the audit refused it'),
    },
  },
  {
    method: 'get',
    path: '/v1/privacy/budget',
    summary: 'The privacy-budget ledger of noise releases: ε spent per release and table, the budget per month',
    responses: { 200: json(PrivacyBudgetSchema) },
  },
);
