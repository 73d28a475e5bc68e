/**
 * The portal's tables, in the warehouse file beside the registry (one DuckDB file, one process).
 * Secrets are stored only as hashes: password hashes (scrypt), session ids and set-password
 * tokens as SHA-256 of 256-bit random values.
 */
export const PORTAL_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS portal_users (
     username VARCHAR PRIMARY KEY,
     display_name VARCHAR NOT NULL,
     role VARCHAR NOT NULL CHECK (role IN ('officer', 'helpline_admin', 'secretariat')),
     helpline_id VARCHAR,
     password_hash VARCHAR,
     created_at TIMESTAMPTZ NOT NULL,
     created_by VARCHAR,
     disabled_at TIMESTAMPTZ
   )`,
  `CREATE TABLE IF NOT EXISTS portal_password_tokens (
     token_hash VARCHAR PRIMARY KEY,
     username VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL,
     used_at TIMESTAMPTZ
   )`,
  `CREATE TABLE IF NOT EXISTS portal_sessions (
     session_hash VARCHAR PRIMARY KEY,
     username VARCHAR NOT NULL,
     csrf VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     last_seen_at TIMESTAMPTZ NOT NULL,
     ended_at TIMESTAMPTZ
   )`,
  `CREATE TABLE IF NOT EXISTS portal_unlock_requests (
     request_id VARCHAR PRIMARY KEY,
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     reason VARCHAR NOT NULL,
     requested_by VARCHAR NOT NULL,
     requested_at TIMESTAMPTZ NOT NULL,
     decision VARCHAR CHECK (decision IN ('approve', 'decline')),
     decided_by VARCHAR,
     decided_at TIMESTAMPTZ,
     note VARCHAR
   )`,
  // Who sent a version through the portal (the API's uploads are by key, not by person).
  `CREATE TABLE IF NOT EXISTS portal_uploads (
     submission_id VARCHAR PRIMARY KEY,
     helpline_id VARCHAR NOT NULL,
     username VARCHAR NOT NULL,
     file_kind VARCHAR NOT NULL,
     uploaded_at TIMESTAMPTZ NOT NULL
   )`,
  // A month typed into the grid, kept until it is sent.
  `CREATE TABLE IF NOT EXISTS portal_drafts (
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     cells VARCHAR NOT NULL,
     updated_by VARCHAR NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (helpline_id, period)
   )`,
];
