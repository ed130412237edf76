import { ensure, expectStatus, measure, show, showBody, useChecks } from '../harness/check';
import { call, exerciseEnv, probeResult } from '../harness/context';
import { isMap } from './support/files';
import { checks } from './checks';

const check = useChecks(checks);

/**
 * The brief's budget for one answer of GET /health (a load balancer's usual probe timeout is of
 * this order). A health route that answers from memory takes a few ms; one that waits on an
 * unbounded dependency is over budget on every call.
 */
const HEALTH_BUDGET_MS = 1000;
/**
 * Sequential samples, judged on the median: a slow-by-design route is slow on every call, while a
 * busy grading machine (other jobs on the same cores, a GC pause in the tester) delays one or two
 * requests at most. The median of 5 ignores two such outliers, so the verdict does not depend on
 * the machine's load; the slowest answer is still shown.
 */
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
  ensure(
    isMap(res.body),
    `\`GET /health\` answered ${res.status} without a JSON object; expected \`{ "status": "ok", "environment": …, "version": … }\`. Return an object from the handler.\n\n${showBody(res)}`,
  );
  ensure(res.body.status === 'ok', `\`GET /health\` has \`status\` ${show(res.body.status)}; expected \`"ok"\`.\n\n${showBody(res)}`);
  ensure(
    typeof res.body.version === 'string' && res.body.version.trim() !== '',
    `\`GET /health\` has \`version\` ${show(res.body.version)}; expected a non-empty string (your package.json version, a commit or a build number).\n\n${showBody(res)}`,
  );
});

/**
 * The second run of the app: the front-matter probe `health-production` boots the built app once
 * more with these variables (before the staging run starts) and prints the answer of GET /health
 * as its last `HEALTH {json}` line. Keep in step with exercises/phase-4-deploy/README.md.
 */
const PRODUCTION_PROBE = 'health-production';
const PRODUCTION_ENV = 'production';
const PRODUCTION_PORT = 3001;

type ProductionHealth = { status?: number; body?: string; error?: string };

function productionHealth(): { seen: ProductionHealth | null; output: string } {
  const probe = probeResult(PRODUCTION_PROBE);
  const line = probe.output
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('HEALTH '));
  let seen: ProductionHealth | null;
  try {
    seen = line ? (JSON.parse(line.slice('HEALTH '.length)) as ProductionHealth) : null;
  } catch {
    seen = null;
  }
  if (!seen && probe.timedOut) seen = { error: 'the run was stopped: it took too long' };
  const log = probe.output
    .split('\n')
    .filter((text) => !text.startsWith('HEALTH '))
    .join('\n')
    .trim();
  return { seen, output: log };
}

check('health.environment', async () => {
  const expected = exerciseEnv('APP_ENV');
  const res = await call('GET', '/health');
  const observed = isMap(res.body) ? res.body.environment : undefined;
  const readIt =
    'Read `process.env.APP_ENV` when the app starts and report that value: never a constant, and never a default that wins over ' +
    "the variable (NestJS: `ConfigService.get('APP_ENV')` with `ConfigModule`; Express, Fastify, Koa: `process.env.APP_ENV` in your config module).";
  ensure(
    observed === expected,
    `\`GET /health\` has \`environment\` ${show(observed)} while the app runs with \`APP_ENV=${expected}\`; expected \`"${expected}"\`. ` +
      `${readIt}\n\n${showBody(res)}`,
  );

  // The same build, started again as production: a stage written into the code answers the same twice.
  const { seen, output } = productionHealth();
  const logTail = output ? `\n\nThe end of what that run printed:\n\n\`\`\`\n${output.slice(-1500)}\n\`\`\`` : '';
  ensure(
    seen !== null && seen.error === undefined,
    `The grader also starts your app with \`APP_ENV=${PRODUCTION_ENV}\` (and \`PORT=${PRODUCTION_PORT}\`, every other variable as in the staging run) ` +
      `and calls \`GET /health\`, but ${seen?.error === 'exited' ? `your app exited before listening on \`PORT\` ${PRODUCTION_PORT}` : `got no answer (${seen?.error ?? 'nothing was recorded'})`}. ` +
      `Expected \`200\` with \`"environment": "${PRODUCTION_ENV}"\`: ` +
      `the app must start as staging and as production alike, and listen on \`PORT\`.${logTail}`,
  );
  let body: unknown;
  try {
    body = JSON.parse(seen.body ?? '');
  } catch {
    body = undefined;
  }
  const production = isMap(body) ? body.environment : undefined;
  ensure(
    production === PRODUCTION_ENV,
    `Under \`APP_ENV=${expected}\` \`GET /health\` said ${show(observed)}, under \`APP_ENV=${PRODUCTION_ENV}\` it said ${show(production)} ` +
      `(status ${seen.status}); expected \`"${PRODUCTION_ENV}"\`. ${readIt}\n\nThe production run's body: \`${(seen.body ?? '').slice(0, 300)}\``,
  );
});

check('health.fast', async () => {
  // One request at a time, like a load balancer's probe.
  const durations: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const started = performance.now();
    await call('GET', '/health');
    durations.push(Math.round(performance.now() - started));
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const median = sorted[Math.floor(SAMPLES / 2)];
  measure(`median of ${SAMPLES}`, median, { unit: 'ms', threshold: `< ${HEALTH_BUDGET_MS}` });
  measure(`slowest of ${SAMPLES}`, sorted[SAMPLES - 1], { unit: 'ms' });
  ensure(
    median < HEALTH_BUDGET_MS,
    `\`GET /health\` took ${durations.join(', ')} ms over ${SAMPLES} sequential calls (median ${median} ms); expected answers within ${HEALTH_BUDGET_MS} ms. ` +
      'Answer from memory, or bound any dependency check (database ping) with a short timeout.',
  );
});
