/**
 * Just enough JWT (HS256) to inspect the app's tokens and forge bad ones, with node:crypto only:
 * the grader must not trust the library the learner may have misused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
  signingInput: string;
}

export const base64url = (input: string | Buffer): string => Buffer.from(input).toString('base64url');

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Header and payload of a compact JWS, without verifying it; undefined when not a JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [rawHeader = '', rawPayload = '', signature = ''] = parts;
  const header = parseSegment(rawHeader);
  const payload = parseSegment(rawPayload);
  if (!header || !payload) return undefined;
  return { header, payload, signature, signingInput: `${rawHeader}.${rawPayload}` };
}

export function hs256(signingInput: string, secret: string): string {
  return createHmac('sha256', secret).update(signingInput).digest('base64url');
}

/** True when the token's HS256 signature matches `secret`. */
export function verifyHs256(token: DecodedJwt, secret: string): boolean {
  const expected = Buffer.from(hs256(token.signingInput, secret));
  const actual = Buffer.from(token.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A compact JWS with this header and payload, signed HS256 with `secret` (or unsigned). */
export function signJwt(payload: Record<string, unknown>, secret: string | undefined, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${secret === undefined ? '' : hs256(signingInput, secret)}`;
}
