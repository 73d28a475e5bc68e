/**
 * The secretariat's API (admin key): register helplines, rotate their keys, approve code mappings.
 * A helpline key is shown once, at creation or rotation, and stored only as a hash.
 */
import { type Request, type Response, Router } from 'express';
import {
  type ApiKeyView,
  AppError,
  findCountry,
  forbidden,
  HelplineIdSchema,
  type HelplineInfo,
  KEY_GRACE_DAYS,
  type Mappings,
  MappingsSchema,
  NewAdminKeySchema,
  NewHelplineSchema,
  notFound,
  RevokeKeySchema,
  RotateKeySchema,
  UnlockSchema,
} from '../domain/index.js';
import { parseBody, requirePrincipal } from './http/index.js';

export interface AdminRegistry {
  addHelpline(h: HelplineInfo, now: Date): Promise<{ key: string }>;
  findHelpline(id: string): Promise<HelplineInfo | undefined>;
  listHelplines(): Promise<HelplineInfo[]>;
  rotateKey(
    id: string,
    now: Date,
    graceMs: number,
  ): Promise<{ key: string; prefix: string; previousValidUntil: string }>;
  listKeys(helplineId: string | undefined, now: Date): Promise<ApiKeyView[]>;
  issueAdminKey(now: Date, days: number): Promise<{ key: string; prefix: string; expiresAt: string }>;
  revokeKey(
    by: { prefix: string } | { key: string },
    now: Date,
  ): Promise<{ revoked: ApiKeyView[] } | 'not_found' | 'last_admin'>;
  getMappings(id: string): Promise<Record<string, Record<string, string>>>;
  putMappings(id: string, mappings: Mappings, now: Date): Promise<void>;
}

export interface PeriodUnlocker {
  unlock(helplineId: string, period: string, now: Date): Promise<void>;
}

function requireAdmin(res: Response): void {
  if (requirePrincipal(res).role !== 'admin') throw forbidden('This needs the admin key.');
}

async function existing(registry: AdminRegistry, req: Request): Promise<HelplineInfo> {
  const id = String(req.params.id);
  const helpline = HelplineIdSchema.safeParse(id).success ? await registry.findHelpline(id) : undefined;
  if (!helpline) throw notFound('No such helpline.');
  return helpline;
}

export function createAdminRouter(registry: AdminRegistry, unlocker: PeriodUnlocker, clock: () => Date): Router {
  const router = Router();
  router.use('/v1/admin', (_req, res, next) => {
    requireAdmin(res);
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/v1/admin/helplines', async (_req, res) => {
    res.json({ helplines: await registry.listHelplines() });
  });

  router.post('/v1/admin/helplines', async (req, res) => {
    const body = parseBody(NewHelplineSchema, req.body);
    const country = findCountry(body.country);
    if (!country) throw notFound('Unknown country.');
    if (body.region && body.region !== country.region) {
      throw new AppError('invalid_body', `${country.name} belongs to region ${country.region}.`, {
        status: 422,
        problems: [
          { path: 'region', rule: 'region_matches_country', message: `${country.name} is in ${country.region}` },
        ],
      });
    }
    if (await registry.findHelpline(body.id)) {
      throw new AppError('conflict', `A helpline with id ${body.id} already exists.`, { status: 409 });
    }
    const helpline: HelplineInfo = { id: body.id, name: body.name, country: body.country, region: country.region };
    const { key } = await registry.addHelpline(helpline, clock());
    res.status(201).location(`/v1/admin/helplines/${helpline.id}`).json({
      helpline,
      key,
      note: 'Keep this key safe: it is shown only now and stored only as a hash.',
    });
  });

  router.get('/v1/admin/helplines/:id', async (req, res) => {
    const helpline = await existing(registry, req);
    res.json({ helpline, mappings: await registry.getMappings(helpline.id) });
  });

  router.post('/v1/admin/helplines/:id/keys', async (req, res) => {
    const helpline = await existing(registry, req);
    const { revokePrevious } = parseBody(RotateKeySchema, req.body ?? {});
    const rotated = await registry.rotateKey(helpline.id, clock(), revokePrevious ? 0 : KEY_GRACE_DAYS * 86_400_000);
    res.status(201).json({
      helplineId: helpline.id,
      key: rotated.key,
      prefix: rotated.prefix,
      previousKeysValidUntil: rotated.previousValidUntil,
      note: revokePrevious
        ? 'Earlier keys stopped working now. This key is shown only now.'
        : `Earlier keys keep working for ${KEY_GRACE_DAYS} days. This key is shown only now.`,
    });
  });

  router.get('/v1/admin/helplines/:id/keys', async (req, res) => {
    const helpline = await existing(registry, req);
    res.json({ keys: await registry.listKeys(helpline.id, clock()) });
  });

  router.get('/v1/admin/keys', async (_req, res) => {
    res.json({ keys: await registry.listKeys(undefined, clock()) });
  });

  router.post('/v1/admin/keys', async (req, res) => {
    const { expiresInDays } = parseBody(NewAdminKeySchema, req.body ?? {});
    const issued = await registry.issueAdminKey(clock(), expiresInDays);
    res.status(201).json({
      ...issued,
      note: 'A new admin key, shown only now. To rotate, revoke the old one by its prefix once this one is in use.',
    });
  });

  router.post('/v1/admin/keys/revoke', async (req, res) => {
    const by = parseBody(RevokeKeySchema, req.body);
    const outcome = await registry.revokeKey(by, clock());
    if (outcome === 'not_found') throw notFound('No working key matches.');
    if (outcome === 'last_admin') {
      throw new AppError('last_admin_key', 'This is the last working admin key; issue another before revoking it.', {
        status: 409,
      });
    }
    res.json({ ...outcome, note: 'Revoked now: requests with this key are refused from this moment.' });
  });

  router.get('/v1/admin/helplines/:id/mappings', async (req, res) => {
    const helpline = await existing(registry, req);
    res.json({ helplineId: helpline.id, mappings: await registry.getMappings(helpline.id) });
  });

  router.put('/v1/admin/helplines/:id/mappings', async (req, res) => {
    const helpline = await existing(registry, req);
    const mappings = parseBody(MappingsSchema, req.body);
    await registry.putMappings(helpline.id, mappings, clock());
    res.json({ helplineId: helpline.id, mappings: await registry.getMappings(helpline.id) });
  });

  router.post('/v1/admin/helplines/:id/unlock', async (req, res) => {
    const helpline = await existing(registry, req);
    const { period } = parseBody(UnlockSchema, req.body);
    await unlocker.unlock(helpline.id, period, clock());
    res.json({
      helplineId: helpline.id,
      period,
      unlocked: true,
      note: 'A correction may now be uploaded; it appears in the next release.',
    });
  });

  return router;
}
