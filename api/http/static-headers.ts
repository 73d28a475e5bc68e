/**
 * A middleware whose headers never depend on the request (helmet's, configured without
 * function-valued directives), run once: its headers are recorded and then set on every response
 * with one loop instead of a dozen chained middlewares per request.
 */
import type { RequestHandler } from 'express';

export function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const headers = new Map<string, string | number | readonly string[]>();
  const removed = new Set<string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, value);
      removed.delete(name.toLowerCase());
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name);
      removed.add(name.toLowerCase());
    },
  };
  let called = false;
  // Helmet answers synchronously; a middleware that does not is refused here, at start.
  middleware({} as never, recorder as never, () => {
    called = true;
  });
  if (!called) throw new Error('fixedHeaders: the middleware did not call next() synchronously');
  const entries = [...headers];
  const gone = [...removed];
  return (_req, res, next) => {
    for (const name of gone) res.removeHeader(name);
    for (const [name, value] of entries) res.setHeader(name, value);
    next();
  };
}
