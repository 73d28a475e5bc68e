export { MAX_ROWS, parseCsvUpload } from './csv-upload.js';
export { parseJsonUpload } from './json-upload.js';
export {
  createSubmissionsRouter,
  type SubmissionStore,
  type SubmissionsRouterDeps,
  type SubmissionView,
  TEMPLATE_CSV,
} from './submissions-router.js';
export { type Receipt, type ReceiptStore, type SubmitDeps, submit } from './submit.js';
export { type CodeMapping, validateRaw } from './validate.js';
