/** Releases: public list and manifests; publishing is the secretariat's (admin key). */
import { Router } from 'express';
import { AppError, forbidden, notFound, ReleaseRequestSchema } from '../domain/index.js';
import { requirePrincipal, zodProblems } from '../ingest/index.js';

export interface ReleaseAdmin {
  publish(options: {
    now: Date;
    params?: { threshold?: number; sensitiveThreshold?: number; protectionLevel?: number };
    codeVersion: string;
    baseUrl?: string;
  }): Promise<unknown>;
  list(): Promise<unknown[]>;
  reader: { manifest(id: string): Promise<unknown> };
}

export function createReleasesRouter(releases: ReleaseAdmin, clock: () => Date, codeVersion: string): Router {
  const router = Router();
  router.get('/v1/releases', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json({ releases: await releases.list() });
  });
  router.get('/v1/releases/:id', async (req, res) => {
    const id = String(req.params.id);
    const manifest = /^\d{4}-\d{2}(\.\d+)?$/.test(id) ? await releases.reader.manifest(id) : undefined;
    if (!manifest) throw notFound(`There is no release ${/^[\w.-]{1,20}$/.test(id) ? id : ''}; see /v1/releases.`);
    res.set('Cache-Control', 'public, max-age=86400, immutable').json(manifest);
  });
  router.post('/v1/admin/releases', async (req, res) => {
    if (requirePrincipal(res).role !== 'admin') throw forbidden('Publishing a release needs the admin key.');
    const parsed = ReleaseRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new AppError('invalid_body', 'The release request is not valid.', {
        status: 422,
        problems: zodProblems(parsed.error),
      });
    }
    const { mode: _mode, ...given } = parsed.data;
    const params = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<
      string,
      number
    >;
    const manifest = (await releases.publish({
      now: clock(),
      params,
      codeVersion,
      baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    })) as { id: string };
    res.status(201).location(`/v1/releases/${manifest.id}`).set('Cache-Control', 'no-store').json(manifest);
  });
  return router;
}
