/**
 * One error middleware: every error leaves as RFC 9457 problem+json with the request id. No stack
 * traces and no submitted values ever leave or reach the logs.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, catalogue, isAppError, resolveLanguage, translator } from '../../domain/index.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function normalise(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = error as BodyParserError;
  if (e?.type === 'entity.parse.failed') {
    return new AppError('malformed_json', 'The request body is not valid JSON.', { status: 400 });
  }
  if (e?.type === 'entity.too.large') {
    return new AppError('payload_too_large', `The request body is larger than the limit of ${e.limit} bytes.`, {
      status: 413,
    });
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('unsupported_encoding', 'Send the body as UTF-8.', { status: 415 });
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('bad_request', 'The request could not be read.', { status: e.status });
  }
  return new AppError('internal', 'Something went wrong on our side; it has been logged.', {
    status: 500,
    cause: error,
  });
}

export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next) => {
    const problem = normalise(error);
    const requestId = String(res.locals.requestId ?? '');
    if (problem.status >= 500 && problem.code !== 'unavailable') {
      logger.error({ err: problem.cause ?? error, requestId, method: req.method, path: req.path }, 'request failed');
    } else {
      logger.info({ requestId, code: problem.code, status: problem.status, path: req.path }, 'request refused');
    }
    if (res.headersSent) return;
    // The title in the reader's language; the occurrence's own (English) message stays as detail.
    const { lang, fromHeader } = resolveLanguage(req.query?.lang, req.get('accept-language'));
    if (fromHeader) res.vary('Accept-Language');
    const key = `problem.${problem.code}`;
    const title = lang === 'en' ? problem.message : translator(lang).t(key in catalogue(lang) ? key : 'problem.other');
    res
      .status(problem.status)
      .set(problem.headers)
      .set('Content-Language', lang)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: `https://helpline-analytics.org/problems/${problem.code}`,
          title,
          ...(lang === 'en' ? {} : { detail: problem.message }),
          status: problem.status,
          code: problem.code,
          instance: req.originalUrl.split('?')[0],
          requestId,
          ...(problem.problems.length > 0 ? { errors: problem.problems } : {}),
        }),
      );
  };
}
