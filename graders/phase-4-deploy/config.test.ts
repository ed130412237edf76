import { ensure, fail, useChecks } from '../harness/check';
import { listSubmissionFiles, readSubmissionFile } from '../harness/submission';
import { rootFile } from './support/files';
import { checks } from './checks';
import { someOf } from '../shared/lists';

const check = useChecks(checks);

const ENV_EXAMPLE = '.env.example';
const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/;
const STAGES = ['development', 'staging', 'production'];

function envExampleLines(): string[] {
  const text = rootFile(ENV_EXAMPLE);
  if (text === null)
    fail(
      `There is no \`${ENV_EXAMPLE}\` at the root of your repository. Commit one listing every variable your app reads, one \`NAME=\` per line with an empty or placeholder value.`,
    );
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

check('config.env-example', async () => {
  const lines = envExampleLines();
  ensure(lines.length > 0, `\`${ENV_EXAMPLE}\` lists no variable. Add one \`NAME=\` line per variable your app reads.`);
  const other = lines.filter((l) => !ASSIGNMENT.test(l));
  ensure(
    other.length === 0,
    `\`${ENV_EXAMPLE}\` has lines that are not \`NAME=value\`: ${someOf(
      other.map((l) => `\`${l.slice(0, 60)}\``),
      5,
    )}. Keep one \`NAME=\` per line (comments start with \`#\`).`,
  );
});

check('config.env-example-variables', async () => {
  const names = new Set(
    envExampleLines()
      .map((l) => ASSIGNMENT.exec(l)?.[1])
      .filter(Boolean),
  );
  const missing = ['PORT', 'APP_ENV', 'NODE_ENV', 'JWT_SECRET', 'JWT_REFRESH_SECRET'].filter((n) => !names.has(n));
  const database = names.has('DATABASE_URL') || [...names].some((n) => n!.startsWith('DB_'));
  if (!database) missing.push('DATABASE_URL (or your DB_* names)');
  ensure(
    missing.length === 0,
    `\`${ENV_EXAMPLE}\` lists ${[...names].map((n) => `\`${n}\``).join(', ') || 'nothing'}; it misses ${missing.map((n) => `\`${n}\``).join(', ')}. ` +
      'List every variable your app reads, with placeholders, so a new stage knows what to set.',
  );
});

check('config.readme-environments', async () => {
  const readme = listSubmissionFiles().find((f) => !f.symlink && /^readme(\.md|\.markdown)?$/i.test(f.path));
  const text = readme ? readSubmissionFile(readme.path) : null;
  if (!readme || text === null) fail('There is no README.md at the root of your repository. Add one with an `## Environments` section.');
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{1,6}\s.*\b(environments|configuration)\b/i.test(l));
  if (start < 0) {
    const headings = lines.filter((l) => /^#{1,6}\s/.test(l)).map((l) => `\`${l.trim().slice(0, 60)}\``);
    fail(
      `\`${readme.path}\` has no heading containing "Environments" or "Configuration" (headings: ${someOf(headings, 12) || 'none'}). Add an \`## Environments\` section that says how development, staging and production differ.`,
    );
  }
  // The section runs to the next heading of the same or a higher level.
  const level = /^(#+)/.exec(lines[start])![1].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  const section = lines
    .slice(start, end < 0 ? undefined : end)
    .join('\n')
    .toLowerCase();
  const missing = STAGES.filter((stage) => !section.includes(stage));
  ensure(
    missing.length === 0,
    `The section \`${lines[start].trim()}\` of \`${readme.path}\` never names ${missing.map((s) => `\`${s}\``).join(', ')}. ` +
      'Say how development, staging and production differ (database, log level, URLs, where the secrets live).',
  );
});
