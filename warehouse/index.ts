export { FULL_AGGREGATE_QUERIES, recomputeAggregates } from './aggregates.js';
export { type Arrival, completenessReport, type DeadlinePolicy, type HelplineEntry } from './completeness.js';
export { type Db, openDb, WarehouseLockedError } from './db.js';
export * from './jobs/index.js';
export { type OwnCell, ownFigures } from './own-figures.js';
export type { NoiseSettings } from './protection/noise.js';
export type { ReleaseManifest } from './protection/publish.js';
export type { ReleaseReader } from './protection/release-query.js';
export { DEFAULT_PROTECTION, type ProtectionParams } from './protection/suppress.js';
export {
  PUBLIC_STATE_FILE,
  type PublicState,
  PublicStateSchema,
  publicState,
  readPublicState,
  writePublicState,
} from './public-state.js';
export { hashKey, newKey, type Registry } from './registry.js';
export type { AcceptedSubmission, SubmissionRecord, SubmissionStore } from './submissions.js';
export { ACCOUNT_TABLES, DATA_TABLES, openWarehouse, type Warehouse } from './warehouse.js';
