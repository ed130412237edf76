/**
 * The entrypoint's contract, end to end: whatever happens, run.js exits 0 and writes a valid
 * results.json. Each case builds a throwaway grader folder in /tmp and a tiny app on loopback.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from './results';

const harness = __dirname;
let server: Server;
let appUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const checksFile = (withUnwritten: boolean): string => `
import { defineChecks } from ${JSON.stringify(join(harness, 'checkDefinitions'))};
export const checks = defineChecks({ exerciseId: 'fixture', checks: [
  { id: 'demo.passes', name: 'GET /ok answers 200', group: 'Demo', points: 5, visibility: 'visible' },
  { id: 'demo.fails', name: 'GET /broken answers 200', group: 'Demo', points: 3, visibility: 'visible' },
  ${withUnwritten ? "{ id: 'demo.never-written', name: 'Declared only', group: 'Demo', points: 2, visibility: 'visible' }," : ''}
] });
`;
const CHECKS = checksFile(true);

const TESTS = `
import { useChecks, expectStatus } from ${JSON.stringify(join(harness, 'check'))};
import { call } from ${JSON.stringify(join(harness, 'context'))};
import { checks } from './checks';
const check = useChecks(checks);
check('demo.passes', async () => {
  expectStatus(await call('GET', '/ok'), 200, { fix: 'Answer 200.' });
});
check('demo.fails', async () => {
  expectStatus(await call('GET', '/broken'), 200, { fix: 'Answer 200.' });
});
`;

/** Runs run.js on a grader folder made of `files`; returns its exit code and results.json. */
async function grade(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'grader-fixture-'));
  const graderDir = join(dir, 'grader');
  mkdirSync(graderDir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(graderDir, name), content);
  const resultsPath = join(dir, 'out', 'results.json');
  const code = await new Promise<number>((resolve) => {
    const child = execFile(process.execPath, [join(harness, 'run.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        GRADER_DIR: graderDir,
        APP_URL: appUrl,
        RESULTS_PATH: resultsPath,
        TEST_TIMEOUT_SECONDS: '60',
        APP_WAIT_SECONDS: '1',
        ...env,
      },
    });
    child.on('exit', (exitCode) => resolve(exitCode ?? -1));
  });
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as Results;
  rmSync(dir, { recursive: true, force: true });
  return { code, results };
}

describe('run.js', () => {
  test('When checks pass and fail, then it exits 0 and grades them, an unwritten check making it an error', async () => {
    const { code, results } = await grade({ 'checks.ts': CHECKS, 'demo.test.ts': TESTS });
    expect(code).toBe(0);
    expect(results).toMatchObject({ version: 1, status: 'error', score: 5, max_score: 10 });
    expect(results.message).toContain('demo.never-written');
    expect(results.tests.map((t) => [t.id, t.status])).toEqual([
      ['demo.passes', 'passed'],
      ['demo.fails', 'failed'],
      ['demo.never-written', 'error'],
    ]);
    expect(results.tests[1]?.output).toMatch(/^`GET \/broken` answered \*\*500\*\*; expected \*\*200\*\*\. Answer 200\./);
  });

  test('When a suite file does not compile, then it exits 0 with status error naming the file', async () => {
    const { code, results } = await grade({ 'checks.ts': CHECKS, 'broken.test.ts': 'const = ;' });
    expect(code).toBe(0);
    expect(results.status).toBe('error');
    expect(results.message).toContain('broken.test.ts');
  });

  test('When the grader folder has no checks.ts, then it exits 0 with status error', async () => {
    const { code, results } = await grade({});
    expect(code).toBe(0);
    expect(results).toMatchObject({ status: 'error', score: 0 });
  });

  test('When the app is down, then every check fails with feedback saying it could not be reached', async () => {
    const { code, results } = await grade({ 'checks.ts': checksFile(false), 'demo.test.ts': TESTS }, { APP_URL: 'http://127.0.0.1:9' });
    expect(code).toBe(0);
    expect(results).toMatchObject({ status: 'scored', score: 0, max_score: 8 });
    expect(results.tests[0]).toMatchObject({ status: 'failed', score: 0 });
    expect(results.tests[1]).toMatchObject({ status: 'failed', score: 0 });
    expect(results.tests[0]?.output).toContain('Could not reach your app');
  });

  test('When checks measure things, then each measurement is stored with its check, passed or failed', async () => {
    const measuring = `
import { useChecks, measure, ensure } from ${JSON.stringify(join(harness, 'check'))};
import { checks } from './checks';
const check = useChecks(checks);
check('demo.passes', async () => {
  measure('statements for 5 items', 3, { threshold: '≤ 8' });
});
check('demo.fails', async () => {
  measure('p95', 812.5, { unit: 'ms', threshold: '≤ 500 ms' });
  ensure(false, 'too slow');
});
`;
    const { results } = await grade({ 'checks.ts': checksFile(false), 'demo.test.ts': measuring });
    expect(results.status).toBe('scored');
    expect(results.tests[0]?.measurements).toEqual([{ name: 'statements for 5 items', value: 3, threshold: '≤ 8' }]);
    expect(results.tests[1]).toMatchObject({ status: 'failed', measurements: [{ name: 'p95', value: 812.5, unit: 'ms', threshold: '≤ 500 ms' }] });
  });
});
