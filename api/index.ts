export { type ApiDeps, createApi } from './app.js';
export {
  closeServer,
  createHttpServer,
  DEFAULT_LIMITS,
  listen,
  problemMiddleware,
  type ServerLimits,
} from './http/index.js';
export {
  answerFromRelease,
  answerLive,
  PINNED_CACHE_CONTROL,
  parseTrendsQuery,
  type ReleaseSource,
  setReleaseCaching,
  type TrendsSource,
  UNPINNED_CACHE_CONTROL,
} from './trends-router.js';
