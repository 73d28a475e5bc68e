export {
  BEARER,
  binary,
  type DocumentPaths,
  documentPaths,
  html,
  json,
  problem,
  RELEASE_HEADERS,
  SECURED,
  text,
} from './api-doc.js';
export { bearerKey, principalOf, requirePrincipal } from './auth.js';
export { answerConditionalGets } from './conditional-get.js';
export { createFailedAuthLimiter, type FailedAuthLimiter, type FailedAuthPolicy } from './failed-auth.js';
export { identify } from './identify.js';
export { duplicateKeyError, duplicateKeys, strictJsonBody } from './json-body.js';
export { parseBody, parseQuery } from './parse.js';
export { problemMiddleware } from './problem.js';
export { closeServer, createHttpServer, DEFAULT_LIMITS, listen, type ServerLimits } from './server.js';
export { fixedHeaders } from './static-headers.js';
export { zodProblems } from './zod-problems.js';
