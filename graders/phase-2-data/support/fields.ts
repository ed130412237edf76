/**
 * "A 400 whose `details` names the field", as the Phase 2 brief states it: an entry of `details`
 * whose `field` IS the body field or query parameter. Stricter than the shared
 * `graders/shared/project-1/validation.ts` (which Phase 1 also uses and which accepts the name
 * anywhere in a message): a body that only mentions `title` inside a message text does not pass here.
 */
import type { HttpExchange } from '../../harness/feedback';
import { ensure, expectStatus, show, showBody } from '../../harness/feedback';
import { isRecord } from '../../shared/project-1/api';

/**
 * True when `details` has an entry whose `field` is `field`, or a path to one of its elements or
 * properties (`tags.0`, `tags[0]`: what Joi, Zod or class-validator report for one bad tag).
 */
export function detailsNameField(body: unknown, field: string): boolean {
  if (!isRecord(body) || !Array.isArray(body.details)) return false;
  return body.details.some((entry) => {
    if (!isRecord(entry) || typeof entry.field !== 'string') return false;
    return entry.field === field || entry.field.startsWith(`${field}.`) || entry.field.startsWith(`${field}[`);
  });
}

/** What the body's `details` holds, in words, for feedback. */
function describeDetails(body: unknown): string {
  if (!isRecord(body) || !('details' in body)) return 'the body has no `details`';
  if (!Array.isArray(body.details)) return `\`details\` is ${show(body.details, 120)}, not an array`;
  if (body.details.length === 0) return '`details` is an empty array';
  const fields = body.details.map((entry) => (isRecord(entry) ? entry.field : undefined));
  if (fields.every((f) => f === undefined)) return `its \`details\` entries have no \`field\` (${show(body.details, 160)})`;
  return `its \`details\` entries name the fields ${show(fields)}`;
}

/** Expects a 400 whose `details` has an entry `{ "field": field, "message": … }`. */
export function expectFieldError(res: HttpExchange, field: string, when: string, fix: string): void {
  expectStatus(res, 400, { when, fix });
  ensure(
    detailsNameField(res.body, field),
    `\`${res.method} ${res.path}\` ${when} answered 400, but ${describeDetails(res.body)}; expected a \`details\` entry ` +
      `\`{ "field": "${field}", "message": "…" }\` (the brief's error shape: one entry per invalid field or query ` +
      'parameter, its name in `field`; a name that only appears inside a message text does not count).\n\n' +
      "Build `details` from your validator's errors: class-validator's `ValidationError.property` (NestJS: a " +
      "`ValidationPipe` `exceptionFactory`), Zod's `issue.path`, Joi's `detail.path`, express-validator's `path`, " +
      "Ajv's `instancePath` / `params.missingProperty` (Fastify: a `setErrorHandler` that reads `error.validation`)." +
      `\n\n${showBody(res)}`,
  );
}
