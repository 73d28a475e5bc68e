export { type Db, openDb, WarehouseLockedError } from './db.js';
export { hashKey, newKey, type Registry } from './registry.js';
export type { AcceptedSubmission, SubmissionRecord, SubmissionStore } from './submissions.js';
export { openWarehouse, type Warehouse } from './warehouse.js';
