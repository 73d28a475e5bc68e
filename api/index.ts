export { type ApiDeps, createApi } from './app.js';
export { problemMiddleware } from './problem.js';
export {
  answerTrends,
  PROTECTION,
  parseTrendsQuery,
  type TrendRow,
  type TrendsAnswer,
  type TrendsSource,
} from './trends-router.js';
