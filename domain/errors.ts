/**
 * The one error shape of the project: a stable `code`, the HTTP `status` it maps to, and whether a
 * retry can help (`retriable`), so the consumer knows to dead-letter or to restart.
 */
export interface Problem {
  /** JSON pointer-ish path of the offending input, e.g. `cells/3/count` or a CSV `row 4, count`. */
  readonly path: string;
  readonly message: string;
  readonly rule?: string;
  readonly row?: number;
  readonly column?: string;
  /** The offending value, only when it is code-like and cannot be personal data. */
  readonly value?: string;
  /** Closest valid codes, for an unknown code. */
  readonly suggestions?: readonly string[];
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retriable: boolean;
  readonly problems: readonly Problem[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    message: string,
    options: {
      status?: number;
      retriable?: boolean;
      problems?: readonly Problem[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retriable = options.retriable ?? false;
    this.problems = options.problems ?? [];
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export const badRequest = (message: string, problems: readonly Problem[] = []) =>
  new AppError('bad_request', message, { status: 400, problems });
export const invalidSubmission = (message: string, problems: readonly Problem[]) =>
  new AppError('invalid_submission', message, { status: 422, problems });
export const unauthorized = (message = 'A valid API key is required (Authorization: Bearer <key>).') =>
  new AppError('unauthorized', message, { status: 401 });
export const forbidden = (message: string) => new AppError('forbidden', message, { status: 403 });
export const notFound = (message: string) => new AppError('not_found', message, { status: 404 });
export const unavailable = (message: string, retryAfterSeconds: number, cause?: unknown) =>
  new AppError('unavailable', message, {
    status: 503,
    retriable: true,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    cause,
  });
