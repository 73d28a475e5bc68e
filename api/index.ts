export { type ApiDeps, createApi } from './app.js';
export { createHttpServer, DEFAULT_LIMITS, listen, type ServerLimits } from './http/server.js';
export { problemMiddleware } from './problem.js';
export {
  answerFromRelease,
  answerLive,
  PINNED_CACHE_CONTROL,
  parseTrendsQuery,
  type ReleaseSource,
  setReleaseCaching,
  type TrendRow,
  type TrendsAnswer,
  type TrendsSource,
  UNPINNED_CACHE_CONTROL,
} from './trends-router.js';
