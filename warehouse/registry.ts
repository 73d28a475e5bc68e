/**
 * Helplines and API keys. Keys are random 256-bit secrets, so a plain SHA-256 is a safe verifier;
 * only the hash is stored, and lookups go by hash (no secret is ever compared byte by byte).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type ApiKeyView, type HelplineInfo, keyPrefix, type Principal } from '../domain/index.js';
import type { Db, Tx } from './db.js';

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
export const newKey = (prefix: 'hk' | 'ak') => `${prefix}_${randomBytes(32).toString('base64url')}`;

function insertKey(
  tx: Tx,
  key: string,
  role: 'admin' | 'helpline',
  helplineId: string | null,
  now: Date,
  expiresAt: string | null,
  source: 'issued' | 'config' = 'issued',
) {
  return tx.run(
    `INSERT INTO api_keys (key_hash, role, helpline_id, created_at, expires_at, key_prefix, source)
     VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5::TIMESTAMPTZ, $6, $7)`,
    [hashKey(key), role, helplineId, now.toISOString(), expiresAt, keyPrefix(key), source],
  );
}

type KeyRow = {
  key_prefix: string | null;
  role: 'admin' | 'helpline';
  helpline_id: string | null;
  source: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
};

const iso = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS ${column}`;
const KEY_VIEW = `SELECT key_prefix, role, helpline_id, source, ${iso('created_at')}, ${iso('expires_at')}, ${iso('revoked_at')} FROM api_keys`;

function keyView(r: KeyRow, now: Date): ApiKeyView {
  return {
    prefix: r.key_prefix,
    role: r.role,
    helplineId: r.helpline_id,
    source: r.source === 'config' || r.source === 'issued' ? r.source : 'legacy',
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    active: r.revoked_at === null && (r.expires_at === null || new Date(r.expires_at) > now),
  };
}

export function createRegistry(db: Db) {
  return {
    async addHelpline(h: HelplineInfo, now: Date): Promise<{ key: string }> {
      const key = newKey('hk');
      await db.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO helplines (id, name, country, region, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ)',
          [h.id, h.name, h.country, h.region, now.toISOString()],
        );
        await insertKey(tx, key, 'helpline', h.id, now, null);
      });
      return { key };
    },

    /**
     * Many helplines in ONE transaction (the demo seed registers 150): a commit each cost ~80 ms
     * on this machine's disk, 12 s for the seed. All or none are registered.
     */
    async addHelplines(list: readonly HelplineInfo[], now: Date): Promise<Map<string, string>> {
      const keys = new Map(list.map((h) => [h.id, newKey('hk')] as const));
      await db.transaction(async (tx) => {
        for (const h of list) {
          await tx.run(
            'INSERT INTO helplines (id, name, country, region, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ)',
            [h.id, h.name, h.country, h.region, now.toISOString()],
          );
          await insertKey(tx, keys.get(h.id) as string, 'helpline', h.id, now, null);
        }
      });
      return keys;
    },

    /**
     * The admin key given by configuration (ADMIN_KEY): registered on first sight with an expiry
     * `maxAgeDays` later; every earlier configured key stops working, so changing ADMIN_KEY
     * retires the old one. Keys issued through the API are not touched. Idempotent.
     */
    async ensureAdminKey(key: string, now: Date, maxAgeDays = 365): Promise<{ expiresAt: string; expired: boolean }> {
      const hash = hashKey(key);
      const expires = new Date(now.getTime() + maxAgeDays * 86_400_000).toISOString();
      await db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO api_keys (key_hash, role, helpline_id, created_at, expires_at, key_prefix, source)
           VALUES ($1, 'admin', NULL, $2::TIMESTAMPTZ, $3::TIMESTAMPTZ, $4, 'config')
           ON CONFLICT (key_hash) DO NOTHING`,
          [hash, now.toISOString(), expires, keyPrefix(key)],
        );
        // Keys registered before sources were recorded came from configuration too.
        await tx.run(
          `UPDATE api_keys SET revoked_at = $2::TIMESTAMPTZ
            WHERE role = 'admin' AND (source = 'config' OR source IS NULL) AND key_hash <> $1 AND revoked_at IS NULL`,
          [hash, now.toISOString()],
        );
        await tx.run(
          `UPDATE api_keys SET source = 'config', key_prefix = $2,
                  expires_at = coalesce(expires_at, created_at + to_days(CAST($3 AS INTEGER)))
            WHERE key_hash = $1`,
          [hash, keyPrefix(key), maxAgeDays],
        );
      });
      const rows = await db.all<{ expires_at: string; revoked: boolean }>(
        `SELECT strftime(expires_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS expires_at, revoked_at IS NOT NULL AS revoked
           FROM api_keys WHERE key_hash = $1`,
        [hash],
      );
      const row = rows[0];
      const expiresAt = row?.expires_at ?? expires;
      return { expiresAt, expired: Boolean(row?.revoked) || new Date(expiresAt) <= now };
    },

    /** A new admin key that expires (rotation: issue one, then revoke the old by its prefix). */
    async issueAdminKey(now: Date, days: number): Promise<{ key: string; prefix: string; expiresAt: string }> {
      const key = newKey('ak');
      const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
      await db.transaction((tx) => insertKey(tx, key, 'admin', null, now, expiresAt, 'issued'));
      return { key, prefix: keyPrefix(key), expiresAt };
    },

    async listKeys(helplineId: string | undefined, now: Date): Promise<ApiKeyView[]> {
      const rows = await db.all<KeyRow>(
        `${KEY_VIEW} ${helplineId ? 'WHERE helpline_id = $1' : ''} ORDER BY created_at, key_prefix`,
        helplineId ? [helplineId] : [],
      );
      return rows.map((r) => keyView(r, now));
    },

    /**
     * Revokes now the keys named by prefix or by the key itself; refuses (returns 'last_admin')
     * to revoke the last working admin key, which would lock the secretariat out.
     */
    async revokeKey(
      by: { prefix: string } | { key: string },
      now: Date,
    ): Promise<{ revoked: ApiKeyView[] } | 'not_found' | 'last_admin'> {
      const where = 'prefix' in by ? 'key_prefix = $1' : 'key_hash = $1';
      const arg = 'prefix' in by ? by.prefix : hashKey(by.key);
      const active = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2::TIMESTAMPTZ)`;
      return db.transaction(async (tx) => {
        const targets = await tx.all<{ key_hash: string; role: string }>(
          `SELECT key_hash, role FROM api_keys WHERE ${where} AND ${active}`,
          [arg, now.toISOString()],
        );
        if (targets.length === 0) return 'not_found' as const;
        if (targets.some((t) => t.role === 'admin')) {
          const admins = await tx.all<{ n: bigint }>(
            `SELECT count(*) AS n FROM api_keys WHERE role = 'admin' AND ${active} AND NOT (${where})`,
            [arg, now.toISOString()],
          );
          if (Number(admins[0]?.n ?? 0n) === 0) return 'last_admin' as const;
        }
        await tx.run(`UPDATE api_keys SET revoked_at = $2::TIMESTAMPTZ WHERE ${where} AND ${active}`, [
          arg,
          now.toISOString(),
        ]);
        const rows = await tx.all<KeyRow>(`${KEY_VIEW} WHERE ${where}`, [arg]);
        return { revoked: rows.map((r) => keyView(r, now)) };
      });
    },

    async authenticate(key: string, now: Date): Promise<Principal | undefined> {
      const rows = await db.all<{ role: string; helpline_id: string | null }>(
        `SELECT role, helpline_id FROM api_keys
          WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2::TIMESTAMPTZ)`,
        [hashKey(key), now.toISOString()],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.role === 'admin') return { role: 'admin' };
      return row.helpline_id ? { role: 'helpline', helplineId: row.helpline_id } : undefined;
    },

    async findHelpline(id: string): Promise<HelplineInfo | undefined> {
      const rows = await db.all<{ id: string; name: string; country: string; region: string }>(
        'SELECT id, name, country, region FROM helplines WHERE id = $1',
        [id],
      );
      return rows[0];
    },

    /**
     * Issues a new key; the helpline's earlier keys keep working until `now + graceMs`, so an
     * automated uploader can switch over without a failed month — or stop now (`graceMs` 0), for
     * a key that leaked.
     */
    async rotateKey(
      helplineId: string,
      now: Date,
      graceMs: number,
    ): Promise<{ key: string; prefix: string; previousValidUntil: string }> {
      const key = newKey('hk');
      const until = new Date(now.getTime() + graceMs).toISOString();
      await db.transaction(async (tx) => {
        if (graceMs <= 0) {
          await tx.run(
            `UPDATE api_keys SET revoked_at = $2::TIMESTAMPTZ
              WHERE role = 'helpline' AND helpline_id = $1 AND revoked_at IS NULL`,
            [helplineId, now.toISOString()],
          );
        } else {
          await tx.run(
            `UPDATE api_keys SET expires_at = $2::TIMESTAMPTZ
              WHERE role = 'helpline' AND helpline_id = $1 AND (expires_at IS NULL OR expires_at > $2::TIMESTAMPTZ)`,
            [helplineId, until],
          );
        }
        await insertKey(tx, key, 'helpline', helplineId, now, null);
      });
      return { key, prefix: keyPrefix(key), previousValidUntil: graceMs <= 0 ? now.toISOString() : until };
    },

    async listHelplines(): Promise<HelplineInfo[]> {
      return db.all<{ id: string; name: string; country: string; region: string }>(
        'SELECT id, name, country, region FROM helplines ORDER BY id',
      );
    },

    async getMappings(helplineId: string): Promise<Record<string, Record<string, string>>> {
      const rows = await db.all<{ field: string; local_code: string; canonical: string }>(
        'SELECT field, local_code, canonical FROM helpline_mappings WHERE helpline_id = $1 ORDER BY field, local_code',
        [helplineId],
      );
      const out: Record<string, Record<string, string>> = {};
      for (const r of rows) out[r.field] = { ...out[r.field], [r.local_code]: r.canonical };
      return out;
    },

    /** Replaces the helpline's whole mapping (admin-approved). */
    async putMappings(helplineId: string, mappings: Record<string, Record<string, string>>, now: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM helpline_mappings WHERE helpline_id = $1', [helplineId]);
        for (const [field, codes] of Object.entries(mappings)) {
          for (const [local, canonical] of Object.entries(codes)) {
            await tx.run(
              `INSERT INTO helpline_mappings (helpline_id, field, local_code, canonical, approved_at)
               VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ)`,
              [helplineId, field, local, canonical, now.toISOString()],
            );
          }
        }
      });
    },

    async countHelplines(): Promise<number> {
      const rows = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM helplines');
      return Number(rows[0]?.n ?? 0n);
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
