/**
 * People, their set-password links and their sessions.
 *
 * A set-password link carries a 256-bit random token, good once and for `LINK_HOURS`; a session
 * id is another such value in a cookie. Only SHA-256 hashes of either are stored, so a copy of
 * the warehouse file lets nobody in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError, type NewUser, type Role } from '../domain/index.js';
import type { Db } from '../warehouse/index.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const LINK_HOURS = 72;
/** A session ends after this long without a request… */
export const IDLE_MINUTES = 30;
/** …and this long after sign-in, whatever happens. */
export const ABSOLUTE_HOURS = 12;

export interface User {
  readonly username: string;
  readonly name: string;
  readonly role: Role;
  readonly helplineId: string | null;
  readonly createdAt: string;
  readonly disabled: boolean;
  readonly hasPassword: boolean;
}

export interface Session {
  readonly id: string;
  readonly user: User;
  readonly csrf: string;
  readonly createdAt: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
const iso = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS ${column}`;

type UserRow = {
  username: string;
  display_name: string;
  role: Role;
  helpline_id: string | null;
  created_at: string;
  disabled_at: string | null;
  password_hash: string | null;
};
const USER = `SELECT username, display_name, role, helpline_id, ${iso('created_at')}, ${iso('disabled_at')}, password_hash FROM portal_users`;
const toUser = (r: UserRow): User => ({
  username: r.username,
  name: r.display_name,
  role: r.role,
  helplineId: r.helpline_id,
  createdAt: r.created_at,
  disabled: r.disabled_at !== null,
  hasPassword: r.password_hash !== null,
});

export function createPeople(db: Db) {
  const issueLink = async (username: string, now: Date) => {
    const token = secret();
    const expiresAt = new Date(now.getTime() + LINK_HOURS * 3_600_000).toISOString();
    await db.transaction(async (tx) => {
      // A new link replaces any earlier one that was not used.
      await tx.run(
        'UPDATE portal_password_tokens SET used_at = $2::TIMESTAMPTZ WHERE username = $1 AND used_at IS NULL',
        [username, now.toISOString()],
      );
      await tx.run(
        `INSERT INTO portal_password_tokens (token_hash, username, created_at, expires_at)
         VALUES ($1, $2, $3::TIMESTAMPTZ, $4::TIMESTAMPTZ)`,
        [sha(token), username, now.toISOString(), expiresAt],
      );
    });
    return { token, expiresAt };
  };

  const people = {
    async add(user: NewUser, now: Date, by: string): Promise<{ user: User; token: string; expiresAt: string }> {
      if (await people.find(user.username)) {
        throw new AppError('conflict', `There is already a user called ${user.username}.`, {
          status: 409,
          problems: [{ path: 'username', column: 'username', rule: 'unique', message: 'this username is taken' }],
        });
      }
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO portal_users (username, display_name, role, helpline_id, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, $6)`,
          [user.username, user.name, user.role, user.helplineId ?? null, now.toISOString(), by],
        ),
      );
      const link = await issueLink(user.username, now);
      return { user: (await people.find(user.username)) as User, ...link };
    },

    /** A new one-time link (a forgotten password): the old link stops working. */
    resetLink: issueLink,

    async find(username: string): Promise<User | undefined> {
      const rows = await db.all<UserRow>(`${USER} WHERE username = $1`, [username]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async list(helplineId?: string): Promise<User[]> {
      const rows = await db.all<UserRow>(
        `${USER} ${helplineId ? 'WHERE helpline_id = $1' : ''} ORDER BY helpline_id NULLS FIRST, username`,
        helplineId ? [helplineId] : [],
      );
      return rows.map(toUser);
    },

    /** The user, when the password is theirs and the account is enabled. */
    async verify(username: string, password: string): Promise<User | undefined> {
      const rows = await db.all<UserRow>(`${USER} WHERE username = $1`, [username]);
      const row = rows[0];
      const ok = await verifyPassword(password, row?.password_hash);
      return ok && row && row.disabled_at === null ? toUser(row) : undefined;
    },

    /** The user a set-password link is for, while it is unused and unexpired. */
    async linkFor(token: string, now: Date): Promise<User | undefined> {
      const rows = await db.all<{ username: string }>(
        `SELECT username FROM portal_password_tokens
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2::TIMESTAMPTZ`,
        [sha(token), now.toISOString()],
      );
      const user = rows[0] ? await people.find(rows[0].username) : undefined;
      return user && !user.disabled ? user : undefined;
    },

    /** Sets the password through a link (used up) and ends every session of the user. */
    async setPassword(token: string, password: string, now: Date): Promise<User | undefined> {
      const user = await people.linkFor(token, now);
      if (!user) return undefined;
      const hash = await hashPassword(password);
      const done = await db.transaction(async (tx) => {
        const still = await tx.all<{ n: bigint }>(
          `SELECT count(*) AS n FROM portal_password_tokens WHERE token_hash = $1 AND used_at IS NULL`,
          [sha(token)],
        );
        if (Number(still[0]?.n ?? 0n) === 0) return false;
        await tx.run('UPDATE portal_password_tokens SET used_at = $2::TIMESTAMPTZ WHERE token_hash = $1', [
          sha(token),
          now.toISOString(),
        ]);
        await tx.run('UPDATE portal_users SET password_hash = $2 WHERE username = $1', [user.username, hash]);
        await tx.run('UPDATE portal_sessions SET ended_at = $2::TIMESTAMPTZ WHERE username = $1 AND ended_at IS NULL', [
          user.username,
          now.toISOString(),
        ]);
        return true;
      });
      return done ? user : undefined;
    },

    async disable(username: string, now: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run('UPDATE portal_users SET disabled_at = $2::TIMESTAMPTZ WHERE username = $1', [
          username,
          now.toISOString(),
        ]);
        await tx.run('UPDATE portal_sessions SET ended_at = $2::TIMESTAMPTZ WHERE username = $1 AND ended_at IS NULL', [
          username,
          now.toISOString(),
        ]);
      });
    },

    async count(): Promise<number> {
      const rows = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM portal_users');
      return Number(rows[0]?.n ?? 0n);
    },
  };
  return people;
}

export function createSessions(db: Db, people: ReturnType<typeof createPeople>) {
  return {
    /** A new session (a new id every sign-in: a planted id is never promoted). */
    async start(username: string, now: Date): Promise<{ id: string; csrf: string }> {
      const id = secret();
      const csrf = secret();
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO portal_sessions (session_hash, username, csrf, created_at, last_seen_at)
           VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $4::TIMESTAMPTZ)`,
          [sha(id), username, csrf, now.toISOString()],
        ),
      );
      return { id, csrf };
    },

    /** The live session for a cookie value; touching it keeps it from idling out. */
    async find(id: string, now: Date): Promise<Session | undefined> {
      const rows = await db.all<{
        username: string;
        csrf: string;
        created_at: string;
        last_seen_at: string;
        ended_at: string | null;
      }>(
        `SELECT username, csrf, ${iso('created_at')}, ${iso('last_seen_at')}, ${iso('ended_at')} FROM portal_sessions WHERE session_hash = $1`,
        [sha(id)],
      );
      const row = rows[0];
      if (!row || row.ended_at !== null) return undefined;
      const at = now.getTime();
      if (at - Date.parse(row.created_at) > ABSOLUTE_HOURS * 3_600_000) return undefined;
      if (at - Date.parse(row.last_seen_at) > IDLE_MINUTES * 60_000) return undefined;
      const user = await people.find(row.username);
      if (!user || user.disabled) return undefined;
      // One write a minute at most per session, not one per request.
      if (at - Date.parse(row.last_seen_at) > 60_000) {
        await db.transaction((tx) =>
          tx.run('UPDATE portal_sessions SET last_seen_at = $2::TIMESTAMPTZ WHERE session_hash = $1', [
            sha(id),
            now.toISOString(),
          ]),
        );
      }
      return { id, user, csrf: row.csrf, createdAt: row.created_at };
    },

    async end(id: string, now: Date): Promise<void> {
      await db.transaction((tx) =>
        tx.run('UPDATE portal_sessions SET ended_at = $2::TIMESTAMPTZ WHERE session_hash = $1', [
          sha(id),
          now.toISOString(),
        ]),
      );
    },

    /** "Sign out everywhere": every session of the user ends now. */
    async endAll(username: string, now: Date): Promise<number> {
      const rows = await db.all<{ n: bigint }>(
        'SELECT count(*) AS n FROM portal_sessions WHERE username = $1 AND ended_at IS NULL',
        [username],
      );
      await db.transaction((tx) =>
        tx.run('UPDATE portal_sessions SET ended_at = $2::TIMESTAMPTZ WHERE username = $1 AND ended_at IS NULL', [
          username,
          now.toISOString(),
        ]),
      );
      return Number(rows[0]?.n ?? 0n);
    },
  };
}

export type People = ReturnType<typeof createPeople>;
export type Sessions = ReturnType<typeof createSessions>;
