import { ensure, expectStatus, measure, show, showBody, useChecks } from '../harness/check';
import { call, exerciseEnv } from '../harness/context';
import { isMap } from './support/files';
import { checks } from './checks';

const check = useChecks(checks);

/** The brief's budget for one answer of GET /health. */
const HEALTH_BUDGET_MS = 1000;
const SAMPLES = 5;

check('health.status-200', async () => {
  const res = await call('GET', '/health');
  expectStatus(res, 200, {
    when: 'without a token',
    fix: 'Add a `GET /health` route that needs no authentication (mark it public if a global guard protects every route) and answers 200.',
  });
});

check('health.body', async () => {
  const res = await call('GET', '/health');
  ensure(isMap(res.body), `\`GET /health\` answered ${res.status} without a JSON object; expected \`{ "status": "ok", "environment": …, "version": … }\`. Return an object from the handler.\n\n${showBody(res)}`);
  ensure(res.body.status === 'ok', `\`GET /health\` has \`status\` ${show(res.body.status)}; expected \`"ok"\`.\n\n${showBody(res)}`);
  ensure(
    typeof res.body.version === 'string' && res.body.version.trim() !== '',
    `\`GET /health\` has \`version\` ${show(res.body.version)}; expected a non-empty string (your package.json version, a commit or a build number).\n\n${showBody(res)}`,
  );
});

check('health.environment', async () => {
  const expected = exerciseEnv('APP_ENV');
  const res = await call('GET', '/health');
  const observed = isMap(res.body) ? res.body.environment : undefined;
  ensure(
    observed === expected,
    `\`GET /health\` has \`environment\` ${show(observed)} while the app runs with \`APP_ENV=${expected}\`; expected \`"${expected}"\`. ` +
      'Read `process.env.APP_ENV` at start-up and report it: never hard-code the stage.\n\n' + showBody(res),
  );
});

check('health.fast', async () => {
  // Sequential samples: a load balancer's probe is one request at a time, and one slow answer is
  // enough for it to mark the instance unhealthy.
  const durations: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const started = performance.now();
    await call('GET', '/health');
    durations.push(Math.round(performance.now() - started));
  }
  const slowest = Math.max(...durations);
  measure('slowest of 5', slowest, { unit: 'ms', threshold: `< ${HEALTH_BUDGET_MS}` });
  ensure(
    slowest < HEALTH_BUDGET_MS,
    `\`GET /health\` took ${durations.join(', ')} ms over ${SAMPLES} calls; expected every answer within ${HEALTH_BUDGET_MS} ms. ` +
      'Answer from memory, or bound any dependency check (database ping) with a short timeout.',
  );
});
