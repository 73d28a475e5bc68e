/**
 * The portal's HTTP plumbing: cookies, the session on each request, CSRF tokens, form parsing
 * into zod schemas, and HTML error pages.
 *
 * CSRF: a state-changing form carries a token. Signed in, it is the session's own token (a
 * synchroniser token kept server-side); signed out (sign-in, set-password), it is an HMAC of a
 * random pre-session cookie under a per-process key. A post from another origin is refused too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError, isAppError } from '../domain/index.js';
import { type FieldError, html, page } from './html.js';
import type { Session, Sessions } from './people.js';

export const SESSION_COOKIE = 'hl_session';
const PRE_COOKIE = 'hl_pre';

export function cookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (req.secure) parts.push('Secure');
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  res.append('Set-Cookie', parts.join('; '));
}

export const sessionOf = (res: Response): Session | undefined => res.locals.portalSession as Session | undefined;

export function requireSession(res: Response): Session {
  const session = sessionOf(res);
  if (!session) throw new AppError('signed_out', 'Sign in to continue.', { status: 401 });
  return session;
}

export function createHttpParts(sessions: Sessions, clock: () => Date) {
  const key = randomBytes(32);
  const preToken = (pre: string) => createHmac('sha256', key).update(pre).digest('base64url');

  /** Loads the session named by the cookie; a stale or unknown cookie is cleared. */
  const loadSession = async (req: Request, res: Response, next: NextFunction) => {
    const id = cookies(req).get(SESSION_COOKIE);
    if (id && /^[\w-]{20,100}$/.test(id)) {
      const session = await sessions.find(id, clock());
      if (session) res.locals.portalSession = session;
      else setCookie(req, res, SESSION_COOKIE, '', 0);
    } else if (id) setCookie(req, res, SESSION_COOKIE, '', 0);
    next();
  };

  /** The token this response's forms carry. */
  const formToken = (req: Request, res: Response): string => {
    const session = sessionOf(res);
    if (session) return session.csrf;
    let pre = cookies(req).get(PRE_COOKIE);
    if (!pre || !/^[\w-]{40,50}$/.test(pre)) {
      pre = randomBytes(32).toString('base64url');
      setCookie(req, res, PRE_COOKIE, pre);
    }
    return preToken(pre);
  };

  const sameToken = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };

  /** Refuses a state-changing request without this session's (or pre-session's) token. */
  const checkToken = (req: Request, res: Response, token: unknown): void => {
    const origin = req.get('origin');
    if (origin && origin !== 'null' && origin !== `${req.protocol}://${req.get('host')}`) {
      throw new AppError('csrf', 'This form was sent from another site; nothing was changed.', { status: 403 });
    }
    const session = sessionOf(res);
    const pre = cookies(req).get(PRE_COOKIE);
    const expected = session ? session.csrf : pre ? preToken(pre) : undefined;
    if (typeof token !== 'string' || !expected || !sameToken(token, expected)) {
      throw new AppError(
        'csrf',
        'This form has expired or did not come from this site; nothing was changed. Go back, reload the page and try again.',
        { status: 403 },
      );
    }
  };

  return { loadSession, formToken, checkToken };
}

export type HttpParts = ReturnType<typeof createHttpParts>;

/**
 * A form body through its schema: the CSRF token is checked first, then either the parsed value
 * or every problem as a field error (the id of the field it belongs to).
 */
export function parseForm<S extends z.ZodType>(
  parts: HttpParts,
  req: Request,
  res: Response,
  schema: S,
): { data: z.infer<S>; errors?: undefined } | { data?: undefined; errors: FieldError[] } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  parts.checkToken(req, res, body._csrf);
  const parsed = schema.safeParse(body);
  if (parsed.success) return { data: parsed.data };
  return {
    errors: parsed.error.issues.map((issue) => ({
      href: String(issue.path[0] ?? 'main'),
      message: issue.message.replace(/^./, (c) => c.toUpperCase()),
    })),
  };
}

/** Errors on portal pages become HTML pages; signed-out GETs go to the sign-in page. */
export function htmlErrors(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/portal') && !req.path.startsWith('/admin')) return next(error);
    const problem = isAppError(error)
      ? error
      : new AppError('internal', 'Something went wrong on our side; it has been logged.', {
          status: 500,
          cause: error,
        });
    if (problem.status >= 500) logger.error({ err: problem.cause ?? error, path: req.path }, 'portal request failed');
    else logger.info({ code: problem.code, status: problem.status, path: req.path }, 'portal request refused');
    if (res.headersSent) return;
    if (problem.status === 401 && req.method === 'GET') {
      const next = encodeURIComponent(req.originalUrl.slice(0, 200));
      res
        .status(401)
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Sign in to continue',
            html`<p>This page needs you to be signed in.</p><p><a class="button" href="/portal/sign-in?next=${next}">Sign in</a></p>`,
          ),
        );
      return;
    }
    const titles: Record<number, string> = {
      400: 'The request could not be used',
      401: 'Sign in to continue',
      403: 'Not allowed',
      404: 'Page not found',
      409: 'That could not be done now',
      413: 'The file is too large',
      429: 'Too many attempts',
    };
    res
      .status(problem.status)
      .set(problem.headers)
      .set('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        page(
          titles[problem.status] ?? (problem.status >= 500 ? 'Sorry, there is a problem with the service' : 'Problem'),
          html`<p>${problem.message}</p>
<p><a href="/portal">Back to the portal</a></p>`,
        ),
      );
  };
}
