/**
 * Helplines and API keys. Keys are random 256-bit secrets, so a plain SHA-256 is a safe verifier;
 * only the hash is stored, and lookups go by hash (no secret is ever compared byte by byte).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { HelplineInfo, Principal } from '../domain/index.js';
import type { Db } from './db.js';

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
export const newKey = (prefix: 'hk' | 'ak') => `${prefix}_${randomBytes(32).toString('base64url')}`;

export function createRegistry(db: Db) {
  return {
    async addHelpline(h: HelplineInfo, now: Date): Promise<{ key: string }> {
      const key = newKey('hk');
      await db.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO helplines (id, name, country, region, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ)',
          [h.id, h.name, h.country, h.region, now.toISOString()],
        );
        await tx.run(
          `INSERT INTO api_keys (key_hash, role, helpline_id, created_at) VALUES ($1, 'helpline', $2, $3::TIMESTAMPTZ)`,
          [hashKey(key), h.id, now.toISOString()],
        );
      });
      return { key };
    },

    /** Registers an admin key given by configuration (idempotent). */
    async ensureAdminKey(key: string, now: Date): Promise<void> {
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO api_keys (key_hash, role, helpline_id, created_at) VALUES ($1, 'admin', NULL, $2::TIMESTAMPTZ)
           ON CONFLICT (key_hash) DO NOTHING`,
          [hashKey(key), now.toISOString()],
        ),
      );
    },

    async authenticate(key: string, now: Date): Promise<Principal | undefined> {
      const rows = await db.all<{ role: string; helpline_id: string | null }>(
        `SELECT role, helpline_id FROM api_keys
          WHERE key_hash = $1 AND (expires_at IS NULL OR expires_at > $2::TIMESTAMPTZ)`,
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
     * automated uploader can switch over without a failed month.
     */
    async rotateKey(
      helplineId: string,
      now: Date,
      graceMs: number,
    ): Promise<{ key: string; previousValidUntil: string }> {
      const key = newKey('hk');
      const until = new Date(now.getTime() + graceMs).toISOString();
      await db.transaction(async (tx) => {
        await tx.run(
          `UPDATE api_keys SET expires_at = $2::TIMESTAMPTZ
            WHERE role = 'helpline' AND helpline_id = $1 AND (expires_at IS NULL OR expires_at > $2::TIMESTAMPTZ)`,
          [helplineId, until],
        );
        await tx.run(
          `INSERT INTO api_keys (key_hash, role, helpline_id, created_at) VALUES ($1, 'helpline', $2, $3::TIMESTAMPTZ)`,
          [hashKey(key), helplineId, now.toISOString()],
        );
      });
      return { key, previousValidUntil: until };
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
