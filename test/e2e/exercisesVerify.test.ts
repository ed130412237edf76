/**
 * `npm run exercises:verify` as CI runs it: every gradable exercise's reference scores 100% and
 * every mutant fails exactly the checks it declares, through the real Docker pipeline.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

test('When exercises:verify runs, then the reference scores full marks and each mutant fails exactly its declared checks', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/verify-exercises.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 3_000_000,
  });
  const report = run.stdout.split('\n').filter((line) => /^(OK|FAIL|FLAKY)|exercises:verify|first run|observed:/.test(line));
  process.stdout.write(`${report.join('\n')}\n`);
  expect(run.status).toBe(0);
  expect(report).toContain('OK   reference: 100/100 (scored)');
  expect(report.filter((line) => line.startsWith('OK   mutant')).length).toBeGreaterThanOrEqual(5);
  expect(report.some((line) => line.startsWith('FAIL'))).toBe(false);
}, 3_000_000);
