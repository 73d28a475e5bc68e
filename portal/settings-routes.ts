/**
 * A helpline's own settings: who has an account. A helpline admin invites (a one-time
 * set-password link) and disables the helpline's own people; an officer sees the list.
 */
import { type Request, Router } from 'express';
import { z } from 'zod';
import { documentPaths } from '../api/http/index.js';
import {
  AppError,
  DisableUserFormSchema,
  isAppError,
  NewUserSchema,
  ROLE_LABELS,
  UsernameSchema,
} from '../domain/index.js';
import { formPost, pageGet } from './api-doc.js';
import { helplineSession } from './helpline-routes.js';
import { csrfField, dateTime, errorSummary, type FieldError, field, html, page } from './html.js';
import { type HttpParts, parseForm } from './http.js';
import { navFor } from './nav.js';
import type { People, Session } from './people.js';

const InviteFormSchema = z.strictObject({
  _csrf: z.string().min(16).max(200),
  username: UsernameSchema,
  name: z.string().trim().min(2, 'give the person’s name').max(120),
  role: z.enum(['officer', 'helpline_admin']),
});

export function createSettingsRoutes(deps: { parts: HttpParts; clock: () => Date; people: People }): Router {
  const { parts, clock, people } = deps;
  const router = Router();
  const settingsPage = async (
    req: Request,
    session: Session & { user: { helplineId: string } },
    extra: { errors?: FieldError[]; link?: { username: string; url: string; expiresAt: string } } = {},
  ) => {
    const admin = session.user.role === 'helpline_admin';
    const users = await people.list(session.user.helplineId);
    const errors = extra.errors ?? [];
    const errorFor = (id: string) => errors.find((e) => e.href === id)?.message;
    return page(
      'Settings: people',
      html`${errorSummary(errors)}
${extra.link ? html`<div class="notice success" role="status" tabindex="-1" data-focus><h2>${extra.link.username} invited</h2><p>Pass this one-time link on (it works once, until ${dateTime(extra.link.expiresAt)}):</p><p><code class="link">${extra.link.url}</code></p></div>` : ''}
<div class="scroll"><table><caption>People with an account at your helpline</caption><thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th>${admin ? html`<th scope="col"></th>` : ''}</tr></thead>
<tbody>${users.map(
        (u) =>
          html`<tr><td>${u.username}</td><td>${u.name}</td><td>${ROLE_LABELS[u.role]}</td><td>${u.disabled ? 'disabled' : u.hasPassword ? 'active' : 'invited'}</td>${
            admin
              ? html`<td>${u.disabled || u.username === session.user.username ? '' : html`<form method="post" action="/portal/settings/disable">${csrfField(session.csrf)}<input type="hidden" name="username" value="${u.username}"><button type="submit" class="secondary">Disable ${u.username}</button></form>`}</td>`
              : ''
          }</tr>`,
      )}</tbody></table></div>
${
  admin
    ? html`<h2>Invite a person</h2>
<form method="post" action="/portal/settings/invite" novalidate>${csrfField(session.csrf)}
${field({ id: 'username', label: 'Username', error: errorFor('username') })}
${field({ id: 'name', label: 'Name', error: errorFor('name') })}
<div class="field"><label for="role">Role</label><select id="role" name="role"><option value="officer">${ROLE_LABELS.officer}</option><option value="helpline_admin">${ROLE_LABELS.helpline_admin}</option></select></div>
<button type="submit">Invite and make a set-password link</button></form>`
    : html`<p>Your helpline admin (or the secretariat) invites and disables people.</p>`
}
<p>API keys, the reminder webhook and code mappings are set by the secretariat for now (<code>npm run admin</code>).</p>`,
      navFor(session, req, '/portal/settings'),
    );
  };
  const adminOnly = (session: Session) => {
    if (session.user.role !== 'helpline_admin')
      throw new AppError('forbidden', 'Only a helpline admin invites or disables people.', { status: 403 });
  };

  router.get('/portal/settings', async (req, res) => {
    res.send(await settingsPage(req, helplineSession(res)));
  });
  router.post('/portal/settings/invite', async (req, res) => {
    const session = helplineSession(res);
    adminOnly(session);
    const form = parseForm(parts, req, res, InviteFormSchema);
    if (form.errors) {
      res.status(422).send(await settingsPage(req, session, { errors: form.errors }));
      return;
    }
    const { _csrf, ...rest } = form.data;
    const user = NewUserSchema.parse({ ...rest, helplineId: session.user.helplineId });
    try {
      const added = await people.add(user, clock(), session.user.username);
      const url = `${req.protocol}://${req.get('host') ?? 'localhost'}/portal/set-password/${added.token}`;
      res
        .status(201)
        .send(await settingsPage(req, session, { link: { username: user.username, url, expiresAt: added.expiresAt } }));
    } catch (error) {
      if (isAppError(error) && error.status === 409) {
        res
          .status(409)
          .send(await settingsPage(req, session, { errors: [{ href: 'username', message: error.message }] }));
        return;
      }
      throw error;
    }
  });
  router.post('/portal/settings/disable', async (req, res) => {
    const session = helplineSession(res);
    adminOnly(session);
    const form = parseForm(parts, req, res, DisableUserFormSchema);
    if (form.errors) throw new AppError('invalid_form', 'The form could not be read.', { status: 422 });
    const target = await people.find(form.data.username);
    // Only the helpline's own people, never someone else's or the secretariat.
    if (!target || target.helplineId !== session.user.helplineId || target.username === session.user.username)
      throw new AppError('not_found', 'There is no such person at your helpline.', { status: 404 });
    await people.disable(target.username, clock());
    res.redirect(303, '/portal/settings');
  });
  return router;
}

export const settingsPaths = documentPaths(
  pageGet('/portal/settings', "The helpline's people"),
  formPost('/portal/settings/invite', 'Invite a person of the helpline (a one-time link)', InviteFormSchema),
  formPost('/portal/settings/disable', 'Disable a person of the helpline', DisableUserFormSchema),
);
