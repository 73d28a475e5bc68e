/** `Authorization: Bearer <key>` → a principal in `res.locals.principal`, or 401. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Authenticate, type Principal, unauthorized } from '../domain/index.js';

export function bearerKey(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Resolves the caller if a key is given; rejects a wrong key even where none is required. */
export function identify(authenticate: Authenticate): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = bearerKey(req);
    if (key === undefined) {
      if (req.get('authorization')) throw unauthorized('The Authorization header must be "Bearer <key>".');
      return next();
    }
    const principal = await authenticate(key);
    if (!principal) throw unauthorized('This API key is not valid (unknown, revoked or expired).');
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

export function requirePrincipal(res: Response): Principal {
  const principal = principalOf(res);
  if (!principal) throw unauthorized();
  return principal;
}
