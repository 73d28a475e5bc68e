export { type ApiDeps, createApi } from './app.js';
export { createHttpServer, DEFAULT_LIMITS, listen, type ServerLimits } from './http/server.js';
export { problemMiddleware } from './problem.js';
export {
  answerFromRelease,
  answerLive,
  parseTrendsQuery,
  type ReleaseSource,
  type TrendRow,
  type TrendsAnswer,
  type TrendsSource,
} from './trends-router.js';
