/**
 * npm test: type-checks, brings up every real service the suite needs (PostgreSQL, Redis, the
 * Docker engine, the sandbox images, Debian's Chromium for the browser test), then runs Jest with
 * their addresses in the environment. Extra arguments go to Jest: `npm test -- test/web`.
 *
 * `--tier unit|integration|e2e` runs one tier and brings up only what it needs: nothing for unit
 * (npm run test:unit), the platform for integration, the platform and Chromium for e2e
 * (scripts/lib/testTiers.ts; which file is in which tier: jest.config.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Client } from 'pg';
import { aptInstall } from './lib/services/process';
import { ensureServices } from './services';
import { planTestRun, TestUsageError, unitEnvironment, type TestPlan } from './lib/testTiers';

const ROOT = path.resolve(__dirname, '..');

/** The browser test drives Debian's Chromium (never a downloaded browser). */
async function ensureChromium(): Promise<void> {
  if (fs.existsSync('/usr/bin/chromium')) return;
  const started = Date.now();
  await aptInstall(['chromium'], 'Chromium, for the browser test,', (line) => console.log(`[services] chromium: ${line}`));
  console.log(`[services] chromium: installed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * The harness's statement counter is tested like it runs in a pod: a superuser and an ordinary
 * role on one database with pg_stat_statements. Returns their URLs.
 */
async function provisionHarnessDatabase(adminUrl: string): Promise<{ admin: string; app: string }> {
  // Derived from the admin URL, not random: two `npm test` runs on one PostgreSQL (worktrees side
  // by side) would otherwise change the role's password under each other's running tests.
  const password = crypto.createHash('sha256').update(`harness_app:${adminUrl}`).digest('hex').slice(0, 36);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'harness_app'");
    await client.query(`${role.rowCount ? 'ALTER' : 'CREATE'} ROLE harness_app LOGIN NOSUPERUSER PASSWORD '${password}'`);
    const database = await client.query("SELECT 1 FROM pg_database WHERE datname = 'harness_test'");
    if (!database.rowCount) await client.query('CREATE DATABASE harness_test OWNER harness_app');
  } finally {
    await client.end();
  }
  const admin = new URL(adminUrl);
  admin.pathname = '/harness_test';
  const app = new URL(admin.toString());
  app.username = 'harness_app';
  app.password = password;
  return { admin: admin.toString(), app: app.toString() };
}

/** A child's exit code; killed by a signal counts as 1. */
function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/**
 * The whole tree type-checks before any service starts, grader suites included (the tester
 * compiles them one file at a time and would only fail inside a grading).
 */
/** A step of the static checks (tsc, ESLint, Prettier), timed; its output goes to the console. */
async function staticStep(name: string, bin: string[], args: string[]): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', ...bin), ...args], { cwd: ROOT, stdio: 'inherit' });
  const code = await exitCode(child);
  console.log(`${name}: ${code === 0 ? 'passed' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return code;
}

/** npm run typecheck, then npm run lint (ESLint, Prettier's check): the whole suite fails fast on them. */
async function staticChecks(): Promise<number> {
  const steps: Array<[string, string[], string[]]> = [
    ['typecheck', ['typescript', 'bin', 'tsc'], ['--noEmit', '-p', 'tsconfig.json']],
    ['eslint', ['eslint', 'bin', 'eslint.js'], ['.']],
    ['prettier', ['prettier', 'bin', 'prettier.cjs'], ['--check', '--log-level', 'warn', '.']],
  ];
  for (const [name, bin, args] of steps) {
    const code = await staticStep(name, bin, args);
    if (code !== 0) return code;
  }
  return 0;
}

/** Brings up what the plan needs and returns the tests' environment. */
async function prepareEnvironment(plan: TestPlan): Promise<NodeJS.ProcessEnv> {
  if (plan.services === 'none') return unitEnvironment(process.env);
  const info = await ensureServices({ log: (line) => console.log(line) });
  if (plan.services === 'browser') await ensureChromium();
  const harness = plan.harnessDatabase ? await provisionHarnessDatabase(process.env.DATABASE_URL ?? info.databaseUrl) : null;
  return {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: process.env.DATABASE_URL ?? info.databaseUrl.replace(/\/backendpro(\?|$)/, '/backendpro_test$1'),
    REDIS_URL: info.redisUrl,
    IMAGE_RUNTIME_NODE20: info.images.runtimes['20'],
    IMAGE_RUNTIME_NODE22: info.images.runtimes['22'],
    IMAGE_RUNTIME_NODE24: info.images.runtimes['24'],
    IMAGE_SERVICES: info.images.services,
    IMAGE_TESTER: info.images.tester,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(harness ? { DATABASE_ADMIN_URL: harness.admin, APP_DATABASE_URL: harness.app } : {}),
  };
}

async function main(): Promise<number> {
  const plan = planTestRun(process.argv.slice(2));
  if (plan.typecheck) {
    const code = await staticChecks();
    if (code !== 0) return code;
  }
  const env = await prepareEnvironment(plan);
  const total = { passed: 0, failed: 0, skipped: 0, unrunnable: 0 };
  let code = 0;
  for (const args of plan.passes) {
    const summary = await runJest(args, env);
    code ||= summary.code;
    total.passed += summary.passed;
    total.failed += summary.failed;
    total.skipped += summary.skipped;
    total.unrunnable += summary.unrunnable;
  }
  // One plain closing line that any CI reads: "tests: N passed, N failed".
  // A suite that cannot even load (a bad import) holds no failed test: it is said apart.
  const unrunnable = total.unrunnable ? `; ${total.unrunnable} test file(s) could not run` : '';
  console.log(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${unrunnable}`);
  return code;
}

async function runJest(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; passed: number; failed: number; skipped: number; unrunnable: number }> {
  const summaryFile = path.join(ROOT, '.data', `jest-summary-${process.pid}.json`);
  fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
  fs.rmSync(summaryFile, { force: true });
  const jestArgs = [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--json', `--outputFile=${summaryFile}`, ...args];
  const jest = spawn(process.execPath, jestArgs, { cwd: ROOT, env, stdio: 'inherit' });
  const code = await exitCode(jest);
  if (!fs.existsSync(summaryFile)) return { code: code || 1, passed: 0, failed: 0, skipped: 0, unrunnable: 0 };
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numRuntimeErrorTestSuites: number;
  };
  fs.rmSync(summaryFile, { force: true });
  return {
    code,
    passed: summary.numPassedTests,
    failed: summary.numFailedTests,
    skipped: summary.numPendingTests,
    unrunnable: summary.numRuntimeErrorTestSuites,
  };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof TestUsageError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(`npm test could not start: ${(error as Error).message}`);
    process.exit(1);
  },
);
