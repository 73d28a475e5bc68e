/**
 * The people part of the admin API (admin key), for `npm run admin -- user …`: add a person and
 * get a one-time set-password link, list people, make a new link.
 */
import { type Request, Router } from 'express';
import { z } from 'zod';
import { documentPaths, json, parseBody, problem, requirePrincipal, SECURED } from '../api/http/index.js';
import { forbidden, NewUserSchema, notFound, UsernameSchema } from '../domain/index.js';
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
    const person = parseBody(NewUserSchema, req.body ?? {}, 'The person is not valid.');
    if (person.helplineId && !(await helplineExists(person.helplineId))) throw notFound('No such helpline.');
    const added = await people.add(person, clock(), 'admin-key');
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

const LinkSchema = z.object({ setPasswordUrl: z.string(), expiresAt: z.string() });
const UserSchema = z.record(z.string(), z.unknown()).meta({ description: 'A person (never a password hash)' });

export const peoplePaths = documentPaths(
  {
    method: 'get',
    path: '/v1/admin/users',
    summary: 'The people of the portal',
    security: SECURED,
    responses: {
      200: json(z.object({ users: z.array(UserSchema) })),
      401: problem('No valid key'),
      403: problem('Not the admin key'),
    },
  },
  {
    method: 'post',
    path: '/v1/admin/users',
    summary: 'Add a person: a one-time set-password link, shown only now',
    security: SECURED,
    request: { body: { content: { 'application/json': { schema: NewUserSchema } } } },
    responses: {
      201: json(LinkSchema.extend({ user: UserSchema, note: z.string() })),
      403: problem('Not the admin key'),
      404: problem('No such helpline'),
      422: problem('The person is not valid'),
    },
  },
  {
    method: 'post',
    path: '/v1/admin/users/{username}/link',
    summary: 'A new one-time set-password link for a person',
    security: SECURED,
    request: { params: z.object({ username: UsernameSchema }) },
    responses: {
      201: json(LinkSchema.extend({ user: UserSchema })),
      403: problem('Not the admin key'),
      404: problem('No such person'),
    },
  },
);
