/**
 * `Authorization: Bearer <key>` → a principal in `res.locals.principal`; a wrong key is 401 even
 * where none is required, and too many wrong keys from one address or for one key prefix are 429.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, type Authenticate, unauthorized } from '../../domain/index.js';
import { bearerKey } from './auth.js';
import type { FailedAuthLimiter } from './failed-auth.js';

const tooMany = (seconds: number) =>
  new AppError('too_many_failed_attempts', 'Too many failed sign-in attempts; wait for the time in Retry-After.', {
    status: 429,
    headers: { 'Retry-After': String(seconds) },
  });

export function identify(authenticate: Authenticate, limiter: FailedAuthLimiter): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip ?? 'unknown';
    const key = bearerKey(req);
    if (key === undefined) {
      if (!req.get('authorization')) return next();
      const wait = limiter.failed(address, undefined);
      if (wait !== undefined) throw tooMany(wait);
      throw unauthorized('The Authorization header must be "Bearer <key>".');
    }
    const blocked = limiter.blocked(address, key);
    if (blocked !== undefined) throw tooMany(blocked);
    const principal = await authenticate(key);
    if (!principal) {
      const wait = limiter.failed(address, key);
      if (wait !== undefined) throw tooMany(wait);
      throw unauthorized('This API key is not valid (unknown, revoked or expired).');
    }
    limiter.succeeded(key);
    res.locals.principal = principal;
    next();
  };
}
