import { selectRowsMatching } from '../harness/context';
import { ensure, expectStatus, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { newUser } from './support/api';
import { Client, header } from './support/client';

const check = useChecks(checks);

const HOST = 'api.backend.pro';

check('https.redirect-get', async () => {
  const client = new Client();
  const path = '/users/me?x=1';
  const res = await client.send('GET', path, { proto: 'http', headers: { Host: HOST } });
  expectStatus(res, [301, 308], {
    when: `with \`X-Forwarded-Proto: http\` and \`Host: ${HOST}\` (a browser that typed http://)`,
    fix: 'In production, redirect reads that came over plain HTTP to the same URL on https (301 or 308).',
  });
  const expected = `https://${HOST}${path}`;
  const location = header(res, 'location');
  ensure(
    location === expected,
    `The redirect's \`Location\` is ${show(location ?? null)}; expected ${show(expected)}: the same host, path and query on https.`,
  );
});

check('https.post-refused', async () => {
  const user = newUser('plainhttp');
  const client = new Client();
  const res = await client.send('POST', '/auth/register', { body: user, proto: 'http', headers: { Host: HOST } });
  expectStatus(res, [308, 403], {
    when: 'with a valid new user and `X-Forwarded-Proto: http`',
    fix: 'Refuse writes that came over plain HTTP (403 in the error shape, or 308 to https) before any route runs.',
  });
  const rows = await selectRowsMatching(user.email);
  ensure(
    rows.length === 0,
    `\`POST /auth/register\` over plain HTTP answered ${res.status} but still created the user ${show(user.email)} ` +
      `(found in \`${rows[0]?.table}\`); expected nothing to happen. Check the protocol in a middleware that runs first.`,
  );
  const overHttps = await new Client().sendPatiently('POST', '/auth/register', { body: user });
  expectStatus(overHttps, 201, {
    when: 'over HTTPS with the user that was just refused over HTTP',
    fix: `The refused request must leave no trace: the same email registers over HTTPS.\n\n${showBody(res)}`,
  });
});
