/**
 * The warehouse: one DuckDB file, its schema, exactly-once loads with their Kafka offsets,
 * aggregates, accounts and submissions, the live trends query. In: load batches (transform),
 * admin writes (api). Out: `Warehouse` and its `db` for the stages that build on it (releases, jobs).
 */
export { FULL_AGGREGATE_QUERIES, recomputeAggregates } from './aggregates.js';
export {
  type Arrival,
  completenessInputs,
  completenessReport,
  type DeadlinePolicy,
  type HelplineEntry,
  type MonthStatus,
} from './completeness.js';
export { type Db, type DbOptions, openDb, type Tx, WarehouseLockedError } from './db.js';
export { type OwnCell, ownFigures } from './own-figures.js';
export { periodBetween, periodIn, type SqlFilter } from './period-filter.js';
export { hashKey, newKey, type Registry } from './registry.js';
export type { AcceptedSubmission, SubmissionRecord, SubmissionStore } from './submissions.js';
export { lowerBound, upperBound } from './trends.js';
export { ACCOUNT_TABLES, DATA_TABLES, openWarehouse, type Warehouse } from './warehouse.js';
