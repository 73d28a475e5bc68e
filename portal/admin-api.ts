/**
 * The people part of the admin API (admin key), for `npm run admin -- user …`: add a person and
 * get a one-time set-password link, list people, make a new link.
 */
import { type Request, Router } from 'express';
import { AppError, forbidden, NewUserSchema, notFound, UsernameSchema } from '../domain/index.js';
import { requirePrincipal, zodProblems } from '../ingest/index.js';
import type { People } from './people.js';

export function createPeopleApi(
  people: People,
  helplineExists: (id: string) => Promise<boolean>,
  clock: () => Date,
): Router {
  const router = Router();
  const linkUrl = (req: Request, token: string) =>
    `${req.protocol}://${req.get('host') ?? 'localhost'}/portal/set-password/${token}`;
  router.use('/v1/admin/users', (_req, res, next) => {
    if (requirePrincipal(res).role !== 'admin') throw forbidden('This needs the admin key.');
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get('/v1/admin/users', async (_req, res) => {
    res.json({ users: await people.list() });
  });
  router.post('/v1/admin/users', async (req, res) => {
    const parsed = NewUserSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new AppError('invalid_body', 'The person is not valid.', {
        status: 422,
        problems: zodProblems(parsed.error),
      });
    }
    if (parsed.data.helplineId && !(await helplineExists(parsed.data.helplineId))) throw notFound('No such helpline.');
    const added = await people.add(parsed.data, clock(), 'admin-key');
    res.status(201).json({
      user: added.user,
      setPasswordUrl: linkUrl(req, added.token),
      expiresAt: added.expiresAt,
      note: 'Pass this link on to the person: it works once, until it expires. It is shown only now.',
    });
  });
  router.post('/v1/admin/users/:username/link', async (req, res) => {
    const username = UsernameSchema.safeParse(req.params.username);
    const user = username.success ? await people.find(username.data) : undefined;
    if (!user) throw notFound('No such person.');
    const link = await people.resetLink(user.username, clock());
    res.status(201).json({ user, setPasswordUrl: linkUrl(req, link.token), expiresAt: link.expiresAt });
  });
  return router;
}
