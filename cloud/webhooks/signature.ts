// Webhook signatures: X-IOC-Signature: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>")), with
// X-IOC-Timestamp in unix seconds. Signing the timestamp with the body lets receivers refuse
// replays of an old delivery (Stripe's scheme).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-ioc-signature';
export const TIMESTAMP_HEADER = 'x-ioc-timestamp';
export const EVENT_HEADER = 'x-ioc-event';
export const DELIVERY_HEADER = 'x-ioc-delivery';

export function signPayload(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute, compare in constant time, refuse stale timestamps. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  options: { nowS?: number; toleranceS?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || !headers.signature) return false;
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowS - ts) > (options.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
