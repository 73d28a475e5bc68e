/** zod issues → the project's problem entries (path, message, rule), never echoing values. */
import type { z } from 'zod';
import type { Problem } from '../../domain/index.js';

export function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('/') || '(body)',
    message: issue.message,
    rule: issue.code,
  }));
}
