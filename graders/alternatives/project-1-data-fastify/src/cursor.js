// Opaque keyset cursors: base64url(JSON {s: sort, k: sort key, i: id}) + "." + HMAC-SHA256 tag.
import { createHmac, timingSafeEqual } from 'node:crypto';

const key = () => `cursor:${process.env.JWT_SECRET ?? 'dev-secret'}`;
const tag = (payload) => createHmac('sha256', key()).update(payload).digest('base64url');

export function encodeCursor(sort, sortKey, id) {
  const payload = Buffer.from(JSON.stringify({ s: sort, k: sortKey, i: id })).toString('base64url');
  return `${payload}.${tag(payload)}`;
}

/** Returns { k, i } or null when the cursor is malformed, tampered with, or made for another sort. */
export function decodeCursor(cursor, sort) {
  if (cursor.length > 512) return null;
  const [payload, mac, extra] = cursor.split('.');
  if (!payload || !mac || extra !== undefined) return null;
  const expected = Buffer.from(tag(payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!value || value.s !== sort || typeof value.k !== 'string' || typeof value.i !== 'string') return null;
    return { k: value.k, i: value.i };
  } catch {
    return null;
  }
}
