/** What the command-line tools share: the server's URL, keys, and HTTP with retries. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_URL = process.env.HELPLINE_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export function adminKeyFrom(explicit: string | undefined): string {
  if (explicit) return explicit;
  if (process.env.ADMIN_KEY) return process.env.ADMIN_KEY;
  const file = join(process.env.DATA_DIR ?? '.data', 'demo-keys.json');
  if (existsSync(file)) {
    const admin = (JSON.parse(readFileSync(file, 'utf8')) as { admin?: string }).admin;
    if (admin) return admin;
  }
  throw new Error(
    'No admin key: pass --admin-key, set ADMIN_KEY, or run npm start once to create .data/demo-keys.json.',
  );
}

export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
  readonly attempts: number;
}

/** Retries what a retry can fix (network errors, 429, 5xx), honouring Retry-After, with backoff. */
export async function requestWithRetry(url: string, init: RequestInit, attempts = 6): Promise<HttpResult> {
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let body: unknown;
    let retryAfter: number | undefined;
    try {
      const response = await fetch(url, init);
      status = response.status;
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      retryAfter = Number(response.headers.get('retry-after')) || undefined;
      if (status !== 429 && status < 500) return { status, body, attempts: attempt };
    } catch (error) {
      body = { title: `cannot reach ${url}: ${(error as Error).message}` };
    }
    if (attempt >= attempts) return { status, body, attempts: attempt };
    await new Promise((r) => setTimeout(r, Math.min(retryAfter ? retryAfter * 1000 : delay, 30_000)));
    delay = Math.min(delay * 2, 16_000);
  }
}
