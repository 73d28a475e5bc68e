import type { Request } from 'express';
import type { Nav } from './html.js';
import type { Session } from './people.js';

export const navFor = (session: Session, _req: Request, current: string): Nav => ({
  who: `${session.user.name}${session.user.helplineId ? ` (${session.user.helplineId})` : ''}`,
  area: session.user.role === 'secretariat' ? 'admin' : 'portal',
  csrf: session.csrf,
  current,
});
