export { type ApiDeps, createApi } from './app.js';
export { createHttpServer, DEFAULT_LIMITS, listen, problemMiddleware, type ServerLimits } from './http/index.js';
export {
  answerFromRelease,
  answerLive,
  parseTrendsQuery,
  type ReleaseSource,
  type TrendsSource,
} from './trends-router.js';
