/**
 * Parse once at the edge: a query that fails its schema is 400, a body 422, every issue listed
 * with its path and rule and no submitted value echoed back.
 */
import type { z } from 'zod';
import { AppError } from '../../domain/index.js';
import { zodProblems } from './zod-problems.js';

function parseOr<S extends z.ZodType>(code: string, status: number, schema: S, value: unknown, message: string) {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError(code, message, { status, problems: zodProblems(parsed.error) });
  return parsed.data as z.output<S>;
}

/** Query parameters: 400 `invalid_parameter`. */
export const parseQuery = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  message = 'A query parameter is not valid.',
) => parseOr('invalid_parameter', 400, schema, value, message);

/** A JSON body: 422 `invalid_body`. */
export const parseBody = <S extends z.ZodType>(schema: S, value: unknown, message = 'The request body is not valid.') =>
  parseOr('invalid_body', 422, schema, value, message);
