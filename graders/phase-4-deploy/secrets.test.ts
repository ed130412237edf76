import { ensure, useChecks } from '../harness/check';
import { checkNoSecretsCommitted } from '../shared/secrets';
import { ignoresBasics, rootFile } from './support/files';
import { checks } from './checks';

const check = useChecks(checks);

// The very scan phase 3 runs (../shared/secrets.ts): one definition of a leaked secret.
check('secrets.none-committed', checkNoSecretsCommitted);

check('secrets.gitignore', async () => {
  const text = rootFile('.gitignore');
  ensure(text !== null, 'There is no `.gitignore` at the root of your repository. Add one with `node_modules/` and `.env` on lines of their own.');
  const covered = ignoresBasics(text);
  const missing = [!covered.nodeModules && '`node_modules`', !covered.env && '`.env`'].filter(Boolean);
  ensure(
    missing.length === 0,
    `\`.gitignore\` does not list ${missing.join(' nor ')}. Add ${missing.join(' and ')} ${missing.length > 1 ? 'on lines of their own' : 'on a line of its own'} so ${missing.length > 1 ? 'they' : 'it'} can never be committed.`,
  );
});
