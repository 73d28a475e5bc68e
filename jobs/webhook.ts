/**
 * Signed webhook POSTs. The signature is HMAC-SHA256 over `<timestamp>.<body>` with the helpline's
 * secret (`X-Helpline-Signature: t=<unix seconds>,v1=<hex>`), so a receiver can check both origin and
 * freshness; `X-Reminder-Id` lets it drop a repeat if an acknowledgement was lost on the way back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What a receiver does: true when the header matches the body and is at most `toleranceS` old. */
export function verifySignature(secret: string, header: string, body: string, now: Date, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(now.getTime() / 1000 - t) > toleranceS || !parts.v1) return false;
  const expected = Buffer.from(signature(secret, t, body), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface PostResult {
  readonly ok: boolean;
  readonly status: number;
  readonly error?: string;
}

export async function postSigned(
  url: string,
  secret: string,
  payload: unknown,
  headers: Record<string, string>,
  now: Date,
  timeoutMs = 10_000,
): Promise<PostResult> {
  const body = JSON.stringify(payload);
  const t = Math.floor(now.getTime() / 1000);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'helpline-analytics-reminders/1',
        'x-helpline-signature': `t=${t},v1=${signature(secret, t, body)}`,
        ...headers,
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => {});
    return response.ok
      ? { ok: true, status: response.status }
      : { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: 0, error: (error as Error).message };
  }
}
