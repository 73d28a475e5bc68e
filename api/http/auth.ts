/** The caller's key and principal; resolving them is `api/http/identify.ts`'s job. */
import type { Request, Response } from 'express';
import { type Principal, unauthorized } from '../../domain/index.js';

export function bearerKey(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

export function requirePrincipal(res: Response): Principal {
  const principal = principalOf(res);
  if (!principal) throw unauthorized();
  return principal;
}
