import { FrontMatterSchema } from '../../core/exercises/definition';
import type { JobContext } from '../../worker/stages/context';
import type { Workspace } from '../../worker/stages/inspectWorkspace';
import { newPodSecrets } from '../../worker/stages/platformEnv';
import { probeEnvironment } from '../../worker/stages/pod';

const exercise = {
  ...FrontMatterSchema.parse({
    id: 'phase-x',
    phase: 4,
    title: 'x',
    env: { APP_ENV: 'staging', ADMIN_EMAIL: 'admin@backend.pro' },
    probes: [
      { name: 'plain', run: 'true' },
      { name: 'health-production', run: '$APP_START_COMMAND', env: { APP_ENV: 'production', PORT: 3001 } },
    ],
  }),
  briefMarkdown: '',
  gradable: true,
  graderDir: '/nowhere',
};
const context = { exercise } as unknown as JobContext;
const workspace = {
  startCommand: ['npm', 'run', 'start:prod'],
  appConfig: { envMap: { STAGE: 'APP_ENV', LISTEN_PORT: 'PORT' }, envValues: {}, prefix: null },
} as unknown as Workspace;

describe('probeEnvironment', () => {
  test('When a probe declares no env, then it sees the app environment of the exercise and how the app starts', () => {
    const env = probeEnvironment(context, workspace, newPodSecrets(), exercise.probes[0]);
    expect(env).toMatchObject({ APP_ENV: 'staging', STAGE: 'staging', PORT: '3000', LISTEN_PORT: '3000', ADMIN_EMAIL: 'admin@backend.pro' });
    expect(env.APP_START_COMMAND).toBe('npm run start:prod');
    expect(env.APP_PATH_PREFIX).toBe('');
  });

  test('When a probe declares env, then its values win over the exercise and the platform, and backend-pro.yml maps them too', () => {
    const secrets = newPodSecrets();
    const env = probeEnvironment(context, workspace, secrets, exercise.probes[1]);
    expect(env).toMatchObject({
      APP_ENV: 'production',
      STAGE: 'production',
      PORT: '3001',
      LISTEN_PORT: '3001',
      ADMIN_EMAIL: 'admin@backend.pro',
      JWT_SECRET: secrets.jwtSecret,
    });
    expect(
      probeEnvironment(context, { ...workspace, appConfig: { ...workspace.appConfig, prefix: '/api/v1' } }, secrets, exercise.probes[1]).APP_PATH_PREFIX,
    ).toBe('/api/v1');
    // The exercise itself is left as it was: the app and the tester still see staging.
    expect(exercise.env.APP_ENV).toBe('staging');
  });

  test('When the front matter gives a probe env a bad name, then the definition is refused', () => {
    const parsed = FrontMatterSchema.safeParse({ id: 'x', phase: 1, title: 'x', probes: [{ name: 'p', run: 'true', env: { 'app-env': 'x' } }] });
    expect(parsed.success).toBe(false);
  });
});
