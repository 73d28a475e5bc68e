export { type Acceptance, type AcceptDeps, acceptSubmission, lockedProblem } from './accept.js';
export { MAX_ROWS, parseCsvUpload } from './csv-upload.js';
export { createIdempotency, type Idempotency } from './idempotency.js';
export { parseJsonUpload } from './json-upload.js';
export { readMultipartFile, type UploadedFile } from './multipart.js';
export {
  createSubmissionsRouter,
  type SubmissionStore,
  type SubmissionsRouterDeps,
  submissionsPaths,
  TEMPLATE_CSV,
} from './submissions-router.js';
export { type ReceiptStore, type SubmitDeps, submit } from './submit.js';
export { type CodeMapping, validateRaw } from './validate.js';
