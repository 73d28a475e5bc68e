/**
 * The HTTP server around the Express app, with the limits a public server needs: headers must
 * arrive within a few seconds, a body that stalls or crawls is cut off with 408, and whatever Node's
 * HTTP parser refuses (bad chunked framing, oversized headers, garbage) is answered as problem+json
 * instead of Node's bare default — and never reaches the process as an unhandled error.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';

export interface ServerLimits {
  /** All headers must arrive within this time. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this time (a 5 MB file at 20 KB/s fits). */
  readonly requestTimeoutMs: number;
  /** A body that sends nothing for this long is cut off. */
  readonly bodyIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  bodyIdleTimeoutMs: 30_000,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

const problemBody = (status: number, code: string, title: string) =>
  JSON.stringify({ type: `https://helpline-analytics.org/problems/${code}`, title, status, code });

function problemBytes(status: number, code: string, title: string): string {
  const body = problemBody(status, code, title);
  return [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The answer to an error Node's parser or its timers raised, by error code. */
function answerFor(code: string | undefined): [number, string, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT')
    return [408, 'request_timeout', 'The request did not arrive in time; nothing was kept.'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'headers_too_large', 'The request headers are too large.'];
  return [400, 'malformed_request', 'The request is not valid HTTP; nothing was kept.'];
}

interface SocketWithMessage extends Socket {
  _httpMessage?: { headersSent?: boolean };
}

/** Writes a problem+json answer on the raw socket when no response has started, then closes it. */
function answerOnSocket(socket: SocketWithMessage, status: number, code: string, title: string): void {
  if (socket.writable && !socket._httpMessage?.headersSent) {
    socket.end(problemBytes(status, code, title));
  }
  socket.destroySoon?.();
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function createHttpServer(app: Express, logger: Logger, limits: ServerLimits = DEFAULT_LIMITS): Server {
  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // How often Node enforces the two timeouts above (its default, 30 s, lets half-open sockets pile up).
    connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 2))),
  });
  server.keepAliveTimeout = 5_000;
  server.on('request', (req, res) => {
    // A body that stops arriving: answer 408 and close. Once the body is in, no idle limit: a
    // handler may think for a while (a release takes tens of seconds) with the socket quiet.
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.complete) {
      req.setTimeout(limits.bodyIdleTimeoutMs, () => {
        logger.info({ path: req.url?.split('?')[0], method: req.method }, 'request body stalled');
        if (!res.headersSent) {
          res.writeHead(408, { 'Content-Type': 'application/problem+json', Connection: 'close' });
          res.end(problemBody(408, 'request_timeout', 'The request body stopped arriving; nothing was kept.'));
        }
        setTimeout(() => req.socket.destroy(), 1000).unref();
      });
      // Node destroys a timed-out socket nobody claims; a complete request is not stalled.
      res.on('timeout', () => {
        if (req.complete) req.socket.setTimeout(0);
      });
      req.once('end', () => req.socket.setTimeout(0));
    }
    app(req, res);
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, title] = answerFor(error.code);
    logger.info({ code: error.code, status }, 'malformed request refused');
    answerOnSocket(socket, status, code, title);
  });
  // A socket error after the request was handed to Express (a client gone mid-response) is routine.
  server.on('connection', (socket) => {
    socket.on('error', () => {});
  });
  return server;
}

/** Listens on the port (0 picks a free one) and resolves once it does. */
export function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok(server);
    });
  });
}

/**
 * Stops taking requests and lets those in flight finish (they may be writing receipts); after
 * `graceMs` the rest are cut.
 */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise<void>((ok) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      ok();
    });
    server.closeIdleConnections();
  });
}
