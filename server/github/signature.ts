/**
 * GitHub webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
 * Compared in constant time; any of several secrets (the link's own, the platform-wide one) may match.
 */
import crypto from 'node:crypto';

export function signPayload(secret: string, body: Buffer | string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(secrets: readonly string[], body: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const received = Buffer.from(header, 'utf8');
  let matched = false;
  // Every secret is tried (no early exit), so the time taken does not say which one matched.
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = Buffer.from(signPayload(secret, body), 'utf8');
    if (expected.length === received.length && crypto.timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
