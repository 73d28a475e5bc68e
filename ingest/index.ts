export { type Acceptance, type AcceptDeps, acceptSubmission, lockedProblem } from './accept.js';
export { bearerKey, principalOf, requirePrincipal } from './auth.js';
export { MAX_ROWS, parseCsvUpload } from './csv-upload.js';
export { createIdempotency, type Idempotency } from './idempotency.js';
export { duplicateKeyError, duplicateKeys, strictJsonBody } from './json-keys.js';
export { parseJsonUpload } from './json-upload.js';
export { readMultipartFile, type UploadedFile } from './multipart.js';
export { personalDataKind } from './personal-data.js';
export { zodProblems } from './problems.js';
export {
  createSubmissionsRouter,
  type SubmissionStore,
  type SubmissionsRouterDeps,
  type SubmissionView,
  TEMPLATE_CSV,
} from './submissions-router.js';
export { type Receipt, type ReceiptStore, type SubmitDeps, submit } from './submit.js';
export { type CodeMapping, validateRaw } from './validate.js';
