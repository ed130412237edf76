import { selectRowsMatching } from '../harness/context';
import { ensure, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { isRecord, loginForToken, newUser } from './support/api';
import { Client, fromNewClient } from './support/client';

const check = useChecks(checks);

const PAYLOADS = ['Ada <script>alert(1)</script>', '<img src=x onerror=alert(1)>Bob', 'Eve<svg onload=alert(1)>'];
const PLAIN = `Ada O'Neil & "Co" (ops)`;

/** True when an error body names `name`: a `details` entry, or the word in its message. */
function namesName(res: HttpExchange): boolean {
  const body = res.body;
  if (!isRecord(body)) return false;
  if (Array.isArray(body.details) && body.details.some((d) => isRecord(d) && d.field === 'name')) return true;
  return /(^|[^A-Za-z0-9_])name([^A-Za-z0-9_]|$)/.test(JSON.stringify([body.message, body.details ?? null]));
}

/** Every string value of the stored rows holding `email`. */
async function storedStrings(email: string): Promise<{ table: string; values: string[] }[]> {
  const rows = await selectRowsMatching(email);
  return rows.map(({ table, row }) => ({
    table,
    values: Object.values(row).filter((v): v is string => typeof v === 'string'),
  }));
}

check('input.markup-neutralised', async () => {
  for (const name of PAYLOADS) {
    const user = newUser('xss', name);
    const res = await fromNewClient('POST', '/auth/register', { body: user });
    expectStatus(res, [201, 400], {
      when: `with \`name\` ${show(name)}`,
      fix: 'Refuse markup in `name` with a 400, or store the name with the tags removed (201).',
    });
    if (res.status === 400) {
      ensure(
        namesName(res),
        `\`POST /auth/register\` with \`name\` ${show(name)} answered 400 without naming the field \`name\`; expected a ` +
          `\`details\` entry with \`"field": "name"\`.\n\n${showBody(res)}`,
      );
      continue;
    }
    const answered = isRecord(res.body) ? res.body.name : undefined;
    if (typeof answered === 'string' && /[<>]/.test(answered)) {
      fail(
        `\`POST /auth/register\` with \`name\` ${show(name)} answered 201 with \`name\` ${show(answered)}; expected ` +
          'no `<` or `>` in it: the markup is refused (400) or removed before the name is stored.',
      );
    }
    const stored = (await storedStrings(user.email)).flatMap(({ table, values }) =>
      values.filter((v) => /<[a-z!/]/i.test(v)).map((v) => `\`${table}\`: ${show(v)}`),
    );
    ensure(
      stored.length === 0,
      `The user registered with \`name\` ${show(name)} is stored with markup: ${stored.join(', ')}; expected the ` +
        'tags removed (or the request refused) before saving.',
    );
    const token = await loginForToken(user.email, user.password);
    const me = await new Client().sendPatiently('GET', '/users/me', { token });
    expectStatus(me, 200, { when: 'with a valid token', fix: '`GET /users/me` must work as in Phase 1.' });
    const returned = isRecord(me.body) ? me.body.name : undefined;
    ensure(
      !(typeof returned === 'string' && /[<>]/.test(returned)),
      `\`GET /users/me\` of the user registered with \`name\` ${show(name)} answered \`name\` ${show(returned)}; ` + 'expected no `<` or `>` in it.',
    );
  }
});

check('input.plain-text-unchanged', async () => {
  const user = newUser('plaintext', PLAIN);
  const res = await fromNewClient('POST', '/auth/register', { body: user });
  expectStatus(res, 201, {
    when: `with \`name\` ${show(PLAIN)} (plain text, no markup)`,
    fix: 'Plain text with quotes, ampersands and parentheses is a valid name: only `<` and `>` are markup.',
  });
  const answered = isRecord(res.body) ? res.body.name : undefined;
  ensure(
    answered === PLAIN,
    `\`POST /auth/register\` answered \`name\` ${show(answered)}; expected ${show(PLAIN)} exactly. Do not HTML-escape ` +
      'input: escaping belongs to whatever renders it, and an escaped name is escaped twice there.',
  );
  const stored = await storedStrings(user.email);
  ensure(
    stored.some(({ values }) => values.includes(PLAIN)),
    `No column of the stored user holds ${show(PLAIN)} exactly (found ${
      stored
        .flatMap(({ values }) => values.filter((v) => /O.*Neil/.test(v)))
        .map((v) => show(v))
        .join(', ') || 'nothing like it'
    }); expected the name stored as sent.`,
  );
});
