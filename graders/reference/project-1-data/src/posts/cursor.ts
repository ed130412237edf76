import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isUUID } from 'class-validator';
import { ValidationFailedException } from '../common/validation-failed.exception';
import { POST_SORTS, PostSort } from './dto/list-posts.query';

/** Where a page starts: right after the post with this sort key and id. */
export interface CursorPosition {
  sort: PostSort;
  /** The sort key of the last post of the previous page: created_at with microseconds, or the title. */
  key: string;
  id: string;
}

const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Opaque keyset cursors: base64url(JSON) + "." + an HMAC of it, so a client can neither read
 * meaning into one nor forge one. Anything that does not verify is a 400 naming `cursor`.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`posts-cursor:${secret}`).digest();
  }

  encode(position: CursorPosition): string {
    const payload = Buffer.from(JSON.stringify({ s: position.sort, k: position.key, i: position.id })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string, sort: PostSort): CursorPosition {
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0 || !this.verify(payload, signature)) {
      throw invalidCursor('cursor is not one this API issued');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor('cursor is not one this API issued');
    }
    const { s, k, i } = (parsed ?? {}) as { s?: unknown; k?: unknown; i?: unknown };
    if (!POST_SORTS.includes(s as PostSort) || typeof k !== 'string' || typeof i !== 'string' || !isUUID(i)) {
      throw invalidCursor('cursor is not one this API issued');
    }
    if (s !== sort) throw invalidCursor(`cursor was made for sort=${String(s)}, not sort=${sort}`);
    if ((s as PostSort).endsWith('createdAt') && !EXACT_TIMESTAMP.test(k)) throw invalidCursor('cursor is not one this API issued');
    return { sort: s as PostSort, key: k, id: i };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function invalidCursor(message: string): ValidationFailedException {
  return new ValidationFailedException([{ field: 'cursor', message }]);
}
