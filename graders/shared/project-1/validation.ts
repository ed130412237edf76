/** "A 400 that names the field": what validation checks assert about error bodies. */
import type { HttpExchange } from '../../harness/feedback';
import { ensure, expectStatus, showBody } from '../../harness/feedback';
import { isRecord } from './api';

/**
 * True when the error body names `field`: a `details` entry with that `field` (the contract's
 * form), or the field's name as a word in `message`/`details` (NestJS's default messages).
 */
export function namesField(body: unknown, field: string): boolean {
  if (!isRecord(body)) return false;
  const details = Array.isArray(body.details) ? body.details : [];
  if (details.some((d) => isRecord(d) && d.field === field)) return true;
  const word = new RegExp(`(^|[^A-Za-z0-9_])${field}([^A-Za-z0-9_]|$)`);
  const messages: unknown[] = Array.isArray(body.message) ? body.message : [];
  const texts: unknown[] = [body.message, ...(details as unknown[]), ...messages];
  return texts.some((text) => word.test(typeof text === 'string' ? text : JSON.stringify(text ?? '')));
}

/** Expects a 400 whose body names `field`. */
export function expectFieldError(res: HttpExchange, field: string, when: string, fix: string): void {
  expectStatus(res, 400, { when, fix });
  ensure(
    namesField(res.body, field),
    `\`${res.method} ${res.path}\` ${when} answered 400 but its body does not name the field \`${field}\`; ` +
      `expected a \`details\` entry with \`"field": "${field}"\`.\n\n${showBody(res)}`,
  );
}
