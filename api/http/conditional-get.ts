/**
 * Conditional GET that answers 304 whenever the ETag matches. Express's `req.fresh` (the `fresh`
 * package) treats a request's `Cache-Control: no-cache` as "never fresh" — yet that is what
 * browsers send on reload and Node's fetch with every conditional request, so they were sent the
 * same bytes again. `no-cache` asks for revalidation, and a matching ETag *is* the revalidation;
 * here it only bypasses the server's own answer cache (see the trends router).
 */
import type { Express, Request } from 'express';
import fresh from 'fresh';

export function answerConditionalGets(app: Express): void {
  Object.defineProperty(app.request, 'fresh', {
    configurable: true,
    enumerable: true,
    get(this: Request) {
      const res = this.res;
      if (!res || (this.method !== 'GET' && this.method !== 'HEAD')) return false;
      const status = res.statusCode;
      if (!((status >= 200 && status < 300) || status === 304)) return false;
      const { 'cache-control': _ignored, ...headers } = this.headers;
      return fresh(headers, { etag: res.get('ETag'), 'last-modified': res.get('Last-Modified') });
    },
  });
}
