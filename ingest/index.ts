export { bearerKey, identify, principalOf, requirePrincipal } from './auth.js';
export { zodProblems } from './problems.js';
export { createSubmissionsRouter, type SubmissionsRouterDeps, type SubmissionView } from './submissions-router.js';
export { type Receipt, type ReceiptStore, type SubmitDeps, submit } from './submit.js';
