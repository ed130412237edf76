/**
 * The diagnosis in the instructors' CLI as a process: `--json` carries it beside the results, the
 * readable report says it first.
 */
import { helloVariant, runGradeCli as grade } from '../support/fixtures';

describe('npm run grade and the diagnosis', () => {
  const app = helloVariant({ 'backend-pro.yml': 'env:\n  MAIL_KEY: mail-key\n' });

  test('When backend-pro.yml does not validate, then --json has the diagnosis with its id, cause and the key path', () => {
    const run = grade('phase-1-auth', app, '--json');
    expect(run.status).toBe(0);
    const results = JSON.parse(run.stdout) as { status: string; diagnosis?: { id: string; cause: string; message: string } };
    expect(results.status).toBe('error');
    expect(results.diagnosis).toMatchObject({ id: 'backend-pro-yml-invalid', cause: 'learner' });
    expect(results.diagnosis?.message).toContain('- env.MAIL_KEY: must be a platform variable name like DATABASE_URL');
  });

  test('When the same folder is graded without --json, then the report opens with the diagnosis', () => {
    const run = grade('phase-1-auth', app);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('DIAGNOSIS (learner): backend-pro.yml does not validate');
    expect(run.stdout.indexOf('DIAGNOSIS')).toBeLessThan(run.stdout.indexOf('ERROR ('));
  });
});
