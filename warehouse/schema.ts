/**
 * Warehouse tables. `facts` holds only the newest version of each helpline-month; `submissions`
 * keeps every version; `kafka_offsets` is written in the same transaction as the facts, so the
 * consumer resumes exactly where the data ends.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS helplines (
     id VARCHAR PRIMARY KEY,
     name VARCHAR NOT NULL,
     country VARCHAR NOT NULL,
     region VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS api_keys (
     key_hash VARCHAR PRIMARY KEY,
     role VARCHAR NOT NULL CHECK (role IN ('admin', 'helpline')),
     helpline_id VARCHAR,
     created_at TIMESTAMPTZ NOT NULL,
     expires_at TIMESTAMPTZ
   )`,
  `CREATE TABLE IF NOT EXISTS submissions (
     submission_id VARCHAR PRIMARY KEY,
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     version INTEGER,
     content_hash VARCHAR NOT NULL,
     submitted_at TIMESTAMPTZ NOT NULL,
     status VARCHAR NOT NULL,
     reason VARCHAR,
     cells INTEGER,
     total BIGINT,
     kafka_partition INTEGER,
     kafka_offset BIGINT,
     loaded_at TIMESTAMPTZ
   )`,
  `CREATE TABLE IF NOT EXISTS current_versions (
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     submission_id VARCHAR NOT NULL,
     version INTEGER NOT NULL,
     content_hash VARCHAR NOT NULL,
     submitted_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (helpline_id, period)
   )`,
  `CREATE TABLE IF NOT EXISTS facts (
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     year SMALLINT NOT NULL,
     month TINYINT NOT NULL,
     country VARCHAR NOT NULL,
     region VARCHAR NOT NULL,
     harm VARCHAR NOT NULL,
     harm_group VARCHAR NOT NULL,
     age_band VARCHAR NOT NULL,
     gender VARCHAR NOT NULL,
     channel VARCHAR NOT NULL,
     count INTEGER NOT NULL,
     submission_id VARCHAR NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS kafka_offsets (
     topic VARCHAR NOT NULL,
     partition INTEGER NOT NULL,
     next_offset BIGINT NOT NULL,
     PRIMARY KEY (topic, partition)
   )`,
];

/** Tables added for helpline accounts (issue 3); CREATE IF NOT EXISTS keeps older files working. */
export const ACCOUNT_SQL: readonly string[] = [
  // Keys: a public prefix to name one (list, revoke), revocation that takes effect at once, and
  // where an admin key came from (ADMIN_KEY, or issued with an expiry through the admin API).
  'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS key_prefix VARCHAR',
  'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS revoked_at TIMESTAMPTZ',
  'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS source VARCHAR',
  `CREATE TABLE IF NOT EXISTS helpline_mappings (
     helpline_id VARCHAR NOT NULL,
     field VARCHAR NOT NULL,
     local_code VARCHAR NOT NULL,
     canonical VARCHAR NOT NULL,
     approved_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (helpline_id, field, local_code)
   )`,
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     helpline_id VARCHAR NOT NULL,
     idempotency_key VARCHAR NOT NULL,
     request_hash VARCHAR NOT NULL,
     submission_id VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (helpline_id, idempotency_key)
   )`,
  `CREATE TABLE IF NOT EXISTS submission_contents (
     submission_id VARCHAR NOT NULL,
     cells VARCHAR NOT NULL
   )`,
  // Version cells as rows, from before submission_contents: still read for old submissions.
  `CREATE TABLE IF NOT EXISTS submission_cells (
     submission_id VARCHAR NOT NULL,
     harm VARCHAR NOT NULL,
     age_band VARCHAR NOT NULL,
     gender VARCHAR NOT NULL,
     channel VARCHAR NOT NULL,
     count INTEGER NOT NULL
   )`,
];

/**
 * Aggregates kept up to date by each load for the helpline-months it touched (by country and
 * month), so trend queries never scan every fact. `recomputeAggregates` builds the same from scratch.
 */
export const AGGREGATE_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS agg_harm_month (
     period VARCHAR NOT NULL, year SMALLINT NOT NULL, country VARCHAR NOT NULL, region VARCHAR NOT NULL,
     harm VARCHAR NOT NULL, harm_group VARCHAR NOT NULL, cases BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS agg_dims_month (
     period VARCHAR NOT NULL, year SMALLINT NOT NULL, country VARCHAR NOT NULL, region VARCHAR NOT NULL,
     harm_group VARCHAR NOT NULL, age_band VARCHAR NOT NULL, gender VARCHAR NOT NULL, channel VARCHAR NOT NULL,
     cases BIGINT NOT NULL)`,
];

/** Frozen, citable releases: only these tables are ever read by public routes. */
export const RELEASE_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS releases (
     id VARCHAR PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, span_from VARCHAR NOT NULL, span_to VARCHAR NOT NULL,
     mode VARCHAR NOT NULL, manifest VARCHAR NOT NULL, audit VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS release_cells (
     release_id VARCHAR NOT NULL, geo VARCHAR NOT NULL, harm VARCHAR NOT NULL, period VARCHAR NOT NULL,
     dim VARCHAR NOT NULL, value BIGINT, suppressed BOOLEAN NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS release_reporting (
     release_id VARCHAR NOT NULL, geo VARCHAR NOT NULL, period VARCHAR NOT NULL, helplines INTEGER NOT NULL)`,
];

/** A published month is locked; the secretariat unlocks one helpline-month for a correction. */
export const LOCK_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS period_unlocks (
     helpline_id VARCHAR NOT NULL, period VARCHAR NOT NULL, unlocked_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (helpline_id, period))`,
];

/** Scheduled operations: every job run, the reminder outbox, and where reminders are posted. */
export const OPS_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS job_runs (
     run_id VARCHAR PRIMARY KEY,
     job VARCHAR NOT NULL,
     trigger VARCHAR NOT NULL,
     attempt INTEGER NOT NULL,
     started_at TIMESTAMPTZ NOT NULL,
     finished_at TIMESTAMPTZ,
     outcome VARCHAR NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped')),
     figures VARCHAR,
     error VARCHAR
   )`,
  `CREATE TABLE IF NOT EXISTS helpline_webhooks (
     helpline_id VARCHAR PRIMARY KEY,
     url VARCHAR NOT NULL,
     secret VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reminders (
     reminder_id VARCHAR PRIMARY KEY,
     helpline_id VARCHAR NOT NULL,
     period VARCHAR NOT NULL,
     kind VARCHAR NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
     due_by TIMESTAMPTZ NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     delivery VARCHAR NOT NULL CHECK (delivery IN ('no_webhook', 'pending', 'delivered', 'failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TIMESTAMPTZ,
     delivered_at TIMESTAMPTZ,
     last_error VARCHAR
   )`,
];

/** The privacy-budget ledger and noise draws of noise-mode releases (releases/privacy). */
export const LEDGER_SQL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS privacy_ledger (
     release_id VARCHAR NOT NULL,
     table_id VARCHAR NOT NULL,
     epsilon VARCHAR NOT NULL,
     span_from VARCHAR NOT NULL,
     span_to VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (release_id, table_id)
   )`,
  `CREATE TABLE IF NOT EXISTS noise_draws (
     release_id VARCHAR NOT NULL, geo VARCHAR NOT NULL, harm VARCHAR NOT NULL, period VARCHAR NOT NULL,
     dim VARCHAR NOT NULL, noise BIGINT NOT NULL)`,
];
