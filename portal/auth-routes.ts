/**
 * Signing in and out, setting a password through a one-time link, the account page.
 *
 *   sign-in: CSRF (pre-session) → limits (account, address) → scrypt verify → end any session
 *            the browser had → NEW session id in the cookie → where the person works
 */
import { type Request, type Response, Router } from 'express';
import { documentPaths } from '../api/http/index.js';
import { AppError, ROLE_LABELS, SetPasswordFormSchema, SignInFormSchema } from '../domain/index.js';
import { formPost, pageGet } from './api-doc.js';
import { csrfField, errorSummary, type FieldError, field, html, page } from './html.js';
import { cookies, type HttpParts, parseForm, requireSession, SESSION_COOKIE, sessionOf, setCookie } from './http.js';
import { navFor } from './nav.js';
import { ABSOLUTE_HOURS, IDLE_MINUTES, type People, type Sessions } from './people.js';
import type { SignInLimits } from './sign-in-limits.js';

export interface AuthDeps {
  readonly people: People;
  readonly sessions: Sessions;
  readonly limits: SignInLimits;
  readonly parts: HttpParts;
  readonly clock: () => Date;
}

const homeOf = (role: string) => (role === 'secretariat' ? '/admin' : '/portal');

/** Only a path on this site: never an open redirect. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(portal|admin)(\/[\w\-./?=&%]*)?$/.test(next) && !next.includes('//')
    ? next
    : undefined;

function signInPage(
  token: string,
  options: { errors?: FieldError[]; username?: string; next?: string; notice?: string },
) {
  const errors = options.errors ?? [];
  const errorFor = (id: string) => errors.find((e) => e.href === id)?.message;
  return page(
    'Sign in',
    html`${errorSummary(errors)}
${options.notice ? html`<div class="notice" role="status">${options.notice}</div>` : ''}
<form method="post" action="/portal/sign-in" novalidate>
  ${csrfField(token)}
  ${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ''}
  ${field({ id: 'username', label: 'Username', value: options.username ?? '', autocomplete: 'username', error: errorFor('username'), required: true })}
  ${field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', error: errorFor('password'), required: true })}
  <button type="submit">Sign in</button>
</form>
<p class="hint">Forgotten your password? Ask your secretariat contact for a new set-password link.</p>`,
  );
}

export function createAuthRoutes(deps: AuthDeps): Router {
  const { people, sessions, limits, parts, clock } = deps;
  const router = Router();

  router.get('/portal/sign-in', (req, res) => {
    const signedIn = sessionOf(res);
    if (signedIn) {
      res.redirect(303, homeOf(signedIn.user.role));
      return;
    }
    const next = safeNext(req.query.next);
    res.send(
      signInPage(parts.formToken(req, res), {
        ...(next ? { next } : {}),
        ...(req.query.done === 'password' ? { notice: 'Your password is set. Sign in with it now.' } : {}),
        ...(req.query.done === 'out' ? { notice: 'You are signed out.' } : {}),
      }),
    );
  });

  router.post('/portal/sign-in', async (req: Request, res: Response) => {
    const next = safeNext((req.body as Record<string, unknown> | undefined)?.next);
    const { next: _n, ...body } = (req.body ?? {}) as Record<string, unknown>;
    req.body = body;
    const form = parseForm(parts, req, res, SignInFormSchema);
    const token = parts.formToken(req, res);
    const username = typeof body.username === 'string' ? body.username.trim().toLowerCase().slice(0, 40) : '';
    if (form.errors) {
      res.status(422).send(signInPage(token, { errors: form.errors, username, ...(next ? { next } : {}) }));
      return;
    }
    const address = req.ip ?? 'unknown';
    const blocked = limits.blocked(form.data.username, address);
    if (blocked) {
      const minutes = Math.max(1, Math.ceil(blocked.seconds / 60));
      res
        .status(429)
        .set('Retry-After', String(blocked.seconds))
        .send(
          signInPage(token, {
            username,
            errors: [
              {
                href: 'username',
                message:
                  blocked.by === 'account'
                    ? `Too many failed sign-ins for this account. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask the secretariat for a new set-password link.`
                    : `Too many failed sign-ins from this network. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
              },
            ],
          }),
        );
      return;
    }
    const user = await people.verify(form.data.username, form.data.password);
    if (!user) {
      limits.failed(form.data.username, address);
      res.status(401).send(
        signInPage(token, {
          username,
          ...(next ? { next } : {}),
          errors: [
            { href: 'username', message: 'The username or password is not right (or the account is disabled).' },
          ],
        }),
      );
      return;
    }
    limits.succeeded(user.username);
    // A session the browser already had (perhaps planted) ends; the new one has a new id.
    const old = cookies(req).get(SESSION_COOKIE);
    if (old) await sessions.end(old, clock());
    const started = await sessions.start(user.username, clock());
    setCookie(req, res, SESSION_COOKIE, started.id);
    const home = homeOf(user.role);
    res.redirect(303, next?.startsWith(home) ? next : home);
  });

  router.post('/portal/sign-out', async (req, res) => {
    const session = sessionOf(res);
    parts.checkToken(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    if (session) await sessions.end(session.id, clock());
    setCookie(req, res, SESSION_COOKIE, '', 0);
    res.redirect(303, '/portal/sign-in?done=out');
  });

  router.post('/portal/sign-out-everywhere', async (req, res) => {
    const session = requireSession(res);
    parts.checkToken(req, res, (req.body as Record<string, unknown> | undefined)?._csrf);
    await sessions.endAll(session.user.username, clock());
    setCookie(req, res, SESSION_COOKIE, '', 0);
    res.redirect(303, '/portal/sign-in?done=out');
  });

  const setPasswordPage = (token: string, link: string, name: string, errors: FieldError[] = []) => {
    const errorFor = (id: string) => errors.find((e) => e.href === id)?.message;
    return page(
      'Set your password',
      html`${errorSummary(errors)}
<p>Hello ${name}. Choose a password of at least 12 characters: a few unrelated words make a good one.</p>
<form method="post" action="/portal/set-password/${link}" novalidate>
  ${csrfField(token)}
  ${field({ id: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: 'At least 12 characters.', error: errorFor('password'), required: true })}
  ${field({ id: 'confirm', label: 'The same password again', type: 'password', autocomplete: 'new-password', error: errorFor('confirm'), required: true })}
  <button type="submit">Set password</button>
</form>`,
    );
  };
  const linkParam = (req: Request) => {
    const link = String(req.params.token);
    if (!/^[\w-]{40,50}$/.test(link))
      throw new AppError('not_found', 'This set-password link is not valid.', { status: 404 });
    return link;
  };
  const expired = () =>
    new AppError(
      'link_expired',
      'This set-password link has expired or was used already. Ask the secretariat (or your helpline admin) for a new one.',
      { status: 410 },
    );

  router.get('/portal/set-password/:token', async (req, res) => {
    const link = linkParam(req);
    const user = await people.linkFor(link, clock());
    if (!user) throw expired();
    res.send(setPasswordPage(parts.formToken(req, res), link, user.name));
  });

  router.post('/portal/set-password/:token', async (req, res) => {
    const link = linkParam(req);
    const user = await people.linkFor(link, clock());
    if (!user) throw expired();
    const form = parseForm(parts, req, res, SetPasswordFormSchema);
    if (form.errors) {
      res.status(422).send(setPasswordPage(parts.formToken(req, res), link, user.name, form.errors));
      return;
    }
    if (!(await people.setPassword(link, form.data.password, clock()))) throw expired();
    res.redirect(303, '/portal/sign-in?done=password');
  });

  router.get('/portal/account', (req, res) => {
    const session = requireSession(res);
    const { user } = session;
    res.send(
      page(
        'Your account',
        html`<dl class="facts">
  <dt>Name</dt><dd>${user.name}</dd>
  <dt>Username</dt><dd>${user.username}</dd>
  <dt>Role</dt><dd>${ROLE_LABELS[user.role]}</dd>
  ${user.helplineId ? html`<dt>Helpline</dt><dd>${user.helplineId}</dd>` : ''}
</dl>
<p>You are signed out after ${IDLE_MINUTES} minutes without activity, and ${ABSOLUTE_HOURS} hours after signing in.</p>
<form method="post" action="/portal/sign-out-everywhere">${csrfField(session.csrf)}
  <button type="submit" class="secondary">Sign out everywhere</button>
  <p class="hint">Ends every session of yours, on every device, including this one.</p>
</form>`,
        navFor(session, req, '/portal/account'),
      ),
    );
  });

  return router;
}

export const authPaths = documentPaths(
  pageGet('/portal/sign-in', 'Sign-in page'),
  formPost('/portal/sign-in', 'Sign in (username, password; limited per account and address)', SignInFormSchema),
  formPost('/portal/sign-out', 'Sign out of this session'),
  formPost('/portal/sign-out-everywhere', "Sign out of every one of this person's sessions"),
  pageGet('/portal/set-password/{token}', 'Set-password page of a one-time link'),
  formPost('/portal/set-password/{token}', 'Set the password (the link then no longer works)', SetPasswordFormSchema),
  pageGet('/portal/account', 'Account page: who is signed in, sessions'),
);
