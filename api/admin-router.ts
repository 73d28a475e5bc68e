/**
 * The secretariat's API (admin key): register helplines, rotate their keys, approve code mappings.
 * A helpline key is shown once, at creation or rotation, and stored only as a hash.
 */
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import {
  AdminKeyAnswerSchema,
  type ApiKeyView,
  AppError,
  findCountry,
  forbidden,
  HelplineAnswerSchema,
  HelplineIdSchema,
  type HelplineInfo,
  HelplineMappingsAnswerSchema,
  HelplinesAnswerSchema,
  KEY_GRACE_DAYS,
  KeysAnswerSchema,
  type Mappings,
  MappingsSchema,
  NewAdminKeySchema,
  NewHelplineAnswerSchema,
  NewHelplineSchema,
  notFound,
  RevokedAnswerSchema,
  RevokeKeySchema,
  RotatedKeyAnswerSchema,
  RotateKeySchema,
  UnlockAnswerSchema,
  UnlockSchema,
} from '../domain/index.js';
import { documentPaths, json, parseBody, problem, requirePrincipal, SECURED } from './http/index.js';

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

const HelplineId = z.object({ id: z.string() });
const body = (schema: z.ZodType, required?: false) => ({
  ...(required === false ? { required } : {}),
  content: { 'application/json': { schema } },
});
const admin = { security: SECURED } as const;

export const adminPaths = documentPaths(
  {
    ...admin,
    method: 'get',
    path: '/v1/admin/helplines',
    summary: 'List helplines',
    responses: { 200: json(HelplinesAnswerSchema), 403: problem('Not admin') },
  },
  {
    ...admin,
    method: 'post',
    path: '/v1/admin/helplines',
    summary: 'Register a helpline; its key is shown once',
    request: { body: body(NewHelplineSchema) },
    responses: { 201: json(NewHelplineAnswerSchema), 409: problem('Exists'), 422: problem('Invalid') },
  },
  {
    ...admin,
    method: 'get',
    path: '/v1/admin/helplines/{id}',
    summary: 'A helpline and its mappings',
    request: { params: HelplineId },
    responses: { 200: json(HelplineAnswerSchema), 404: problem('No such helpline') },
  },
  {
    ...admin,
    method: 'post',
    path: '/v1/admin/helplines/{id}/keys',
    summary: 'Rotate the key (old keys keep working for 7 days, or stop now with revokePrevious)',
    request: { params: HelplineId, body: body(RotateKeySchema, false) },
    responses: { 201: json(RotatedKeyAnswerSchema) },
  },
  {
    ...admin,
    method: 'get',
    path: '/v1/admin/helplines/{id}/keys',
    summary: "A helpline's keys: prefixes, expiry, revocation (never the keys)",
    request: { params: HelplineId },
    responses: { 200: json(KeysAnswerSchema), 404: problem('No such helpline') },
  },
  {
    ...admin,
    method: 'get',
    path: '/v1/admin/keys',
    summary: 'Every key: prefixes, roles, expiry, revocation (never the keys)',
    responses: { 200: json(KeysAnswerSchema) },
  },
  {
    ...admin,
    method: 'post',
    path: '/v1/admin/keys',
    summary: 'Issue an admin key that expires (rotate: issue, then revoke the old one)',
    request: { body: body(NewAdminKeySchema, false) },
    responses: { 201: json(AdminKeyAnswerSchema) },
  },
  {
    ...admin,
    method: 'post',
    path: '/v1/admin/keys/revoke',
    summary: 'Revoke a key now, by its prefix or by the key itself',
    request: { body: body(RevokeKeySchema) },
    responses: {
      200: json(RevokedAnswerSchema),
      404: problem('No working key matches'),
      409: problem('The last working admin key'),
    },
  },
  {
    ...admin,
    method: 'get',
    path: '/v1/admin/helplines/{id}/mappings',
    summary: 'Local code mappings',
    request: { params: HelplineId },
    responses: { 200: json(HelplineMappingsAnswerSchema) },
  },
  {
    ...admin,
    method: 'put',
    path: '/v1/admin/helplines/{id}/mappings',
    summary: 'Approve local code mappings',
    request: { params: HelplineId, body: body(MappingsSchema) },
    responses: { 200: json(HelplineMappingsAnswerSchema), 422: problem('Invalid') },
  },
  {
    ...admin,
    method: 'post',
    path: '/v1/admin/helplines/{id}/unlock',
    summary: 'Unlock one published month of a helpline for a correction',
    request: { params: HelplineId, body: body(UnlockSchema) },
    responses: { 200: json(UnlockAnswerSchema), 422: problem('Invalid') },
  },
);
