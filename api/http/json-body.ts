/**
 * JSON.parse keeps the last of two equal keys silently, so a body that names a key twice
 * (`{"period": "2003-02", "period": "2003-03"}`) must be refused, naming the key and where it is.
 * jsonc-parser's scanner finds them; JSON.parse still does the parsing.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { visit } from 'jsonc-parser';
import { AppError, type Problem, quotable } from '../../domain/index.js';

const MAX_REPORTED = 50;

/**
 * True when some object of the text may name a key twice: one pass over the characters, sets of keys
 * per open object. jsonc-parser's visitor (which words the problems) cost 90–360 ms for a 1.8 MB
 * multi-month body, against 7–34 ms for JSON.parse, so it only runs when this says so. Exact for
 * valid JSON; for anything it cannot follow it answers true and the full check decides.
 */
export function mayHaveDuplicateKeys(text: string): boolean {
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      if (j >= n) return true;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        let key: string;
        try {
          key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        } catch {
          return true;
        }
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      open.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = (open[open.length - 1] ?? null) !== null;
  }
  return false;
}

/** Every key an object of the text names a second time, with its JSON path and line:column. */
export function duplicateKeys(text: string): Problem[] {
  if (!mayHaveDuplicateKeys(text)) return [];
  const problems: Problem[] = [];
  const open: Set<string>[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        open.push(new Set());
      },
      onObjectEnd: () => {
        open.pop();
      },
      onObjectProperty: (key, _offset, _length, line, column, pathOf) => {
        const seen = open[open.length - 1];
        if (!seen) return;
        if (!seen.has(key)) {
          seen.add(key);
          return;
        }
        if (problems.length >= MAX_REPORTED) return;
        const where = pathOf().join('/');
        const name = quotable(key) ? `"${key}"` : 'a key';
        problems.push({
          path: `${where ? `${where}/` : ''}${quotable(key) ? key : '(key)'}`,
          ...(quotable(key) ? { column: key } : {}),
          rule: 'duplicate_key',
          message: `${where ? where : 'the body'} names ${name} twice (line ${line + 1}, column ${column + 1}); each key may appear once`,
        });
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return problems;
}

export const duplicateKeyError = (problems: Problem[]) =>
  new AppError(
    'duplicate_key',
    `The JSON names ${problems.length === 1 ? 'a key' : 'keys'} twice; nothing was accepted.`,
    {
      status: 422,
      problems,
    },
  );

const KEY = 'jsonDuplicateKeys';

/** express.json, plus the duplicate-key check on the raw bytes it parsed. */
export function strictJsonBody(limit: number | string): RequestHandler[] {
  return [
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      verify: (_req, res, buf) => {
        const problems = duplicateKeys(buf.toString('utf8'));
        if (problems.length > 0) (res as Response).locals[KEY] = problems;
      },
    }),
    (_req: Request, res: Response, next: NextFunction) => {
      const problems = res.locals[KEY] as Problem[] | undefined;
      if (problems) next(duplicateKeyError(problems));
      else next();
    },
  ];
}
