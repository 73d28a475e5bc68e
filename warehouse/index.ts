export { FULL_AGGREGATE_QUERIES, recomputeAggregates } from './aggregates.js';
export { type Db, openDb, WarehouseLockedError } from './db.js';
export * from './jobs/index.js';
export type { ReleaseManifest } from './protection/publish.js';
export type { ReleaseReader } from './protection/release-query.js';
export { DEFAULT_PROTECTION, type ProtectionParams } from './protection/suppress.js';
export { hashKey, newKey, type Registry } from './registry.js';
export type { AcceptedSubmission, SubmissionRecord, SubmissionStore } from './submissions.js';
export { ACCOUNT_TABLES, DATA_TABLES, openWarehouse, type Warehouse } from './warehouse.js';
