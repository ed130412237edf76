/**
 * The instructors' CLI as a process: `--json` prints only the results object, a result of any
 * score exits 0, bad usage exits 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultsFileSchema } from '../../core/models/results';
import { PLATFORM_ROOT as ROOT, runGradeCli as grade } from '../support/fixtures';

describe('npm run grade', () => {
  test('When a folder has no package.json, then --json prints only an error result and the exit code is 0', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-empty-'));
    fs.writeFileSync(path.join(empty, 'README.md'), '# not a node project');
    const run = grade('phase-1-auth', empty, '--json');
    expect(run.status).toBe(0);
    const results = ResultsFileSchema.parse(JSON.parse(run.stdout));
    expect(results).toMatchObject({ status: 'error', cause: 'learner', score: 0 });
    expect(results.message).toMatch(/There is no package.json in the root of the repository/);
    expect(run.stderr).toContain('[grade]');
  });

  test('When the exercise does not exist, then it says so and exits 2', () => {
    const run = grade('phase-42-nothing', ROOT);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown exercise "phase-42-nothing"');
  });

  test('When arguments are missing, then the usage is printed and the exit code is 2', () => {
    const run = grade('phase-1-auth');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: npm run -s grade');
  });
});
