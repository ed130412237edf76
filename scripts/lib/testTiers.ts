/**
 * What `scripts/test.ts` runs: the whole suite (`npm test`) or one tier of it (`--tier`). Pure, so
 * the plan of each command is tested without starting anything (test/unit/testTiers.test.ts).
 * Which file belongs to which tier is jest.config.js's `projects`; this module decides the passes,
 * the services each command brings up and whether it type-checks first.
 */

export const TIERS = ['unit', 'integration', 'e2e'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * none: nothing is started, and no service address reaches the tests.
 * platform: PostgreSQL, Redis, the Docker engine and the sandbox images.
 * browser: the platform and Debian's Chromium.
 */
export type ServiceNeed = 'none' | 'platform' | 'browser';

export interface TestPlan {
  /** `npm run typecheck` before anything starts (the whole suite only). */
  typecheck: boolean;
  services: ServiceNeed;
  /** The harness's PostgreSQL database and roles (graders/harness/statementCounter.test.ts). */
  harnessDatabase: boolean;
  /** Jest's arguments, one run per pass, in order. */
  passes: string[][];
}

export class TestUsageError extends Error {}

export const TEST_USAGE = 'usage: tsx scripts/test.ts [--tier unit|integration|e2e] [jest arguments…]';

/**
 * The whole suite, as CI has always run it: everything in parallel; then test/engine alone (it
 * restarts the shared Docker engine, which would break any other test using it); then
 * exercises:verify alone, so that timing-based checks of the graders are not measured on a machine
 * busy with the other tests.
 */
const FULL_RUN: string[][] = [
  ['--testPathIgnorePatterns', '/node_modules/', '/test/fixtures/', '/test/engine/', 'exercisesVerify'],
  ['--runInBand', 'test/engine'],
  ['test/e2e/exercisesVerify.test.ts'],
];

/** Everything but test/engine, as a Jest ignore pattern: only the engine pass matches nothing else. */
const ONLY_ENGINE = '^(?!.*/test/engine/)';

/**
 * A tier's passes. Extra arguments narrow every pass (Jest path patterns and ignore patterns are
 * combined with AND), so a pass they leave empty is not a failure.
 */
function tierPasses(tier: Tier, extra: string[]): string[][] {
  // The extra arguments come before --testPathIgnorePatterns, which would take them as more patterns.
  const select = ['--selectProjects', tier, ...(extra.length ? ['--passWithNoTests', ...extra] : [])];
  switch (tier) {
    case 'unit':
      return [select];
    case 'integration':
      return [
        [...select, '--testPathIgnorePatterns', '/node_modules/', '/test/engine/'],
        [...select, '--runInBand', '--testPathIgnorePatterns', '/node_modules/', ONLY_ENGINE],
      ];
    case 'e2e':
      // exercises:verify is its own command (`npm run exercises:verify`), the last pass of `npm test`.
      return [[...select, '--testPathIgnorePatterns', '/node_modules/', 'exercisesVerify']];
  }
}

const TIER_SERVICES: Record<Tier, ServiceNeed> = { unit: 'none', integration: 'platform', e2e: 'browser' };

/** Reads scripts/test.ts's arguments. Throws TestUsageError on an unknown tier. */
export function planTestRun(argv: readonly string[]): TestPlan {
  const args = [...argv];
  let tier: Tier | null = null;
  const at = args.findIndex((arg) => arg === '--tier' || arg.startsWith('--tier='));
  if (at >= 0) {
    const [flag] = args.splice(at, 1);
    const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : args.splice(at, 1)[0];
    if (!TIERS.includes(value as Tier)) throw new TestUsageError(`unknown tier "${value ?? ''}": use ${TIERS.join(', ')}\n${TEST_USAGE}`);
    tier = value as Tier;
  }
  if (tier) return { typecheck: false, services: TIER_SERVICES[tier], harnessDatabase: tier === 'integration', passes: tierPasses(tier, args) };
  // `npm test -- test/web`: one pass with every service up, as before the tiers existed.
  if (args.length) return { typecheck: false, services: 'browser', harnessDatabase: true, passes: [args] };
  return { typecheck: true, services: 'browser', harnessDatabase: true, passes: FULL_RUN };
}

/** Environment names that point a test at a running service. */
const SERVICE_VARIABLES = /^(DATABASE_URL|DATABASE_ADMIN_URL|APP_DATABASE_URL|REDIS_URL|IMAGE_[A-Z0-9_]+)$/;

/**
 * The unit tier's environment: the caller's, minus every service address, and a Docker host that
 * does not exist. A unit test that reaches for PostgreSQL (the config requires DATABASE_URL), Redis
 * or Docker then fails here, instead of passing on a developer's machine where they happen to run.
 */
export function unitEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => !SERVICE_VARIABLES.test(name)));
  return { ...kept, NODE_ENV: 'test', LOG_LEVEL: env.LOG_LEVEL ?? 'warn', DOCKER_HOST: 'unix:///nonexistent/unit-tests-use-no-docker.sock' };
}
