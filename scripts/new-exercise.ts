/**
 * npm run exercises:new -- <id> [--title "Caching"]
 *
 * Starts a new exercise with the files every graded exercise has, each a working minimum that
 * passes the checks the real exercises pass (test/unit/newExercise.test.ts):
 *   exercises/<id>/README.md          front matter and the brief's sections, "What is graded" in
 *                                     step with checks.ts
 *   graders/<id>/checks.ts            one example check worth every point
 *   graders/<id>/basics.test.ts       the suite that tests it, in the harness's shape
 *   graders/<id>/grader.json          naming graders/reference/<id>/, a placeholder for the
 *                                     reference solution
 * Refuses an id that is malformed or taken, before writing anything. Exits 2 then.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '..');

const USAGE = 'usage: npm run exercises:new -- <id> [--title "Title of the phase"]   (id: phase-<number>-<name>, e.g. phase-9-caching)';

/**
 * phase-<number>-<name>: the front matter's phase comes from it, and tsconfig.json type-checks
 * graders/phase-*, so a grader under another name would escape `npm run typecheck`.
 */
const ID_PATTERN = /^phase-([1-9]\d?)-[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class ScaffoldError extends Error {}

export interface ScaffoldOptions {
  /** The repository to write into (a temporary copy in tests). */
  root?: string;
  title?: string;
}

/** "phase-9-rate-limits" → "Rate limits". */
function titleFromId(id: string): string {
  const words = id.split('-').slice(2).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function brief(id: string, phase: number, title: string): string {
  return `---
id: ${id}
phase: ${phase}
title: ${JSON.stringify(title)}
summary: "One line for the course page."
points: 100
passMark: 80
services: [postgres]
visibility: visible
cooldownSeconds: 60
env: {}
limits:
  installSeconds: 300
  buildSeconds: 180
  bootSeconds: 60
  testSeconds: 180
  memoryMb: 768
---

# Phase ${phase} — ${title}

<!-- What the learner builds and why, in a paragraph. The brief states the whole contract (routes,
bodies, status codes, limits): a learner knows what is tested without seeing the tests. -->

## How your app is run

- Your repository needs a \`package.json\` and a lockfile. We run \`npm ci\` (pnpm or yarn via corepack
  when you commit their lockfile), then \`npm run build\` if you have a \`build\` script, then
  \`npm run migration:run\` if you have that script, then \`npm run start:prod\` (or \`npm start\`).
- Your app must listen on **\`PORT\`** within 60 seconds. There is no internet: only the database.
- The environment gives you:

| variable | what it is |
| --- | --- |
| \`PORT\` | the port to listen on (all interfaces or 127.0.0.1) |
| \`DATABASE_URL\` | an empty PostgreSQL 15 database, yours alone for the run |
| \`NODE_ENV\` | \`production\` |

## The HTTP contract

All bodies are JSON.

| method and path | auth | body | success |
| --- | --- | --- | --- |
| \`GET /health\` | none | | \`200\` \`{ "status": "ok" }\` |

### Rules

<!-- One item per rule, each with the status it answers; graders/${id}/coverage.md maps each to
its checks (npm run exercises:coverage -- --exercise ${id} --write starts it). -->

- **Health.** \`GET /health\` answers \`200\` without a token.

## What is graded

1 check worth 100 points, in one group. You pass at 80 points **and** with every required check
passed (see "Required checks" below).

<!-- One row per group of checks.ts, in its order; the third cell gives each check's points in
brackets, "(4)" or "(4, hidden)", in checks.ts's order (test/unit/briefChecks.test.ts compares). -->

| group | points | what it covers |
| --- | --- | --- |
| **Basics** | 100 | \`GET /health\` answers \`200\` (100) |

### Required checks

A check is required when its failure means a security hole, lost or corrupted money or data, or
this phase's headline skill missing; whatever your score, the phase is not passed until each of
these passes:

- \`basics.health\` — \`GET /health\` answers \`200\`.
`;
}

function checksFile(id: string, phase: number, title: string): string {
  return `/**
 * Phase ${phase} — ${title}: every check, its points and who sees what. The ids are stable: mutants
 * (mutants/*.patch) and stored results refer to them. \`required: true\` gates the phase
 * (exercises/${id}/README.md, "Required checks").
 */
import { defineChecks } from '../harness/checkDefinitions';

export const checks = defineChecks({
  exerciseId: '${id}',
  maxScore: 100,
  checks: [
    // Basics — 100
    { id: 'basics.health', required: true, group: 'Basics', points: 100, visibility: 'visible',
      name: 'GET /health answers 200' },
  ],
});
`;
}

function suiteFile(): string {
  return `import { expectStatus, useChecks } from '../harness/check';
import { call } from '../harness/context';
import { checks } from './checks';

const check = useChecks(checks);

check('basics.health', async () => {
  const res = await call('GET', '/health');
  expectStatus(res, 200, {
    when: 'without a token',
    fix: 'Add a \`GET /health\` route that needs no authentication and answers 200 with \`{ "status": "ok" }\`.',
  });
});
`;
}

function referencePlaceholder(id: string): string {
  return `# Reference solution of ${id} (to be written)

What a strong learner would submit: an app that scores 100% on \`graders/${id}/\`. Until it is
here, \`npm run exercises:verify -- --exercise ${id}\` fails on it. Mutants
(\`graders/${id}/mutants/*.patch\`) are \`git diff\`s against this folder.
`;
}

/** Writes a new exercise's files under `root`; returns their paths, relative to it. */
export function scaffoldExercise(id: string, options: ScaffoldOptions = {}): string[] {
  const root = options.root ?? ROOT;
  const match = ID_PATTERN.exec(id);
  if (!match) throw new ScaffoldError(`"${id}" is not an exercise id: use phase-<number>-<name> in lowercase letters, digits and dashes, e.g. phase-9-caching`);
  const phase = Number(match[1]);
  const title = options.title?.trim() || titleFromId(id);
  const files: Record<string, string> = {
    [`exercises/${id}/README.md`]: brief(id, phase, title),
    [`graders/${id}/checks.ts`]: checksFile(id, phase, title),
    [`graders/${id}/basics.test.ts`]: suiteFile(),
    [`graders/${id}/grader.json`]: `${JSON.stringify({ reference: `reference/${id}` }, null, 2)}\n`,
    [`graders/reference/${id}/README.md`]: referencePlaceholder(id),
  };
  // Every folder is checked before anything is written: a refusal leaves the repository as it was.
  const taken = [`exercises/${id}`, `graders/${id}`, `graders/reference/${id}`].filter((dir) => fs.existsSync(path.join(root, dir)));
  if (taken.length) throw new ScaffoldError(`${id} exists already (${taken.join(', ')}): pick another id, or edit that exercise`);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content, { flag: 'wx' });
  }
  return Object.keys(files);
}

function main(): number {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { title: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [id] = positionals;
  const created = scaffoldExercise(id, { title: values.title });
  process.stdout.write(
    `Created:\n${created.map((file) => `  ${file}`).join('\n')}\n\n` +
      'Next: write the brief and its checks side by side (npm run test:unit compares them), the reference\n' +
      `solution in graders/reference/${id}/, mutants in graders/${id}/mutants/, then\n` +
      `  npm run exercises:coverage -- --exercise ${id} --write\n  npm run exercises:verify -- --exercise ${id} --repeat 3\n`,
  );
  return 0;
}

if (require.main === module) {
  try {
    process.exit(main());
  } catch (error) {
    if (!(error instanceof ScaffoldError)) throw error;
    process.stderr.write(`exercises:new: ${error.message}\n`);
    process.exit(2);
  }
}
