/** HTTP written by hand on a real socket: for requests no well-behaved client would send. */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawOptions {
  /** Wait this long for an answer (default 5 s). */
  readonly timeoutMs?: number;
  /** Pieces written one after another with this pause between them. */
  readonly pauseMs?: number;
  /** After writing: `end` half-closes, `destroy` resets, `keep` leaves the socket open. */
  readonly after?: 'end' | 'destroy' | 'keep';
  /** Destroy the socket as soon as this many answer bytes arrived (a client that goes away). */
  readonly dropAfterBytes?: number;
}

/** Whether the bytes hold a whole response (its head and all of its body). */
function complete(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const headText = text.slice(0, end).toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(headText);
  if (length) return text.length - end - 4 >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/.test(headText)) return text.endsWith('\r\n0\r\n\r\n');
  return /^http\/1\.[01] (1\d\d|204|304)/.test(headText);
}

/** Parses the first response on the wire; undefined if nothing (or nothing parseable) came back. */
export function parseAnswer(raw: Buffer): RawAnswer | undefined {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = text.slice(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.slice(0, Number(headers['content-length']));
  return { status: Number(match[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const i = rest.indexOf('\r\n');
    if (i < 0) return out;
    const size = Number.parseInt(rest.slice(0, i), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(i + 2, i + 2 + size);
    rest = rest.slice(i + 4 + size);
  }
}

/** Writes the pieces to host:port and collects whatever comes back until the socket closes. */
export function rawRequest(port: number, pieces: readonly (string | Buffer)[], options: RawOptions = {}) {
  return new Promise<{ answer: RawAnswer | undefined; bytes: number; socket: Socket }>((ok) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (options.after !== 'keep') socket.destroy();
      ok({ answer: parseAnswer(Buffer.concat(chunks)), bytes: received, socket });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (options.dropAfterBytes !== undefined && received >= options.dropAfterBytes) {
        socket.destroy();
        finish();
      } else if (options.dropAfterBytes === undefined && complete(Buffer.concat(chunks))) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', async () => {
      for (const [i, piece] of pieces.entries()) {
        if (socket.destroyed) return;
        if (i > 0 && options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        socket.write(piece);
      }
      if (options.after === 'end') socket.end();
      else if (options.after === 'destroy') {
        socket.destroy();
        finish();
      }
    });
  });
}

/** A request head; the body and its framing are the caller's. */
export function head(method: string, path: string, headers: Readonly<Record<string, string>> = {}): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
