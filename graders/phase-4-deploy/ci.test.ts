import { ensure, fail, useChecks } from '../harness/check';
import { isMap, readWorkflows, type YamlMap } from './support/files';
import { checks } from './checks';
import { someOf } from '../shared/lists';

const check = useChecks(checks);

const INSTALL = /\bnpm\s+(?:ci|clean-install)\b|\bpnpm\s+(?:i|install)\b[^\n]*--frozen-lockfile|\byarn\s+install\b[^\n]*--immutable/;
const TEST = /\b(?:npm\s+(?:test|t|run\s+test[\w:-]*)|pnpm\s+(?:run\s+)?test[\w:-]*|yarn\s+(?:run\s+)?test[\w:-]*)\b/;
const BUILD = /\b(?:npm\s+run|pnpm(?:\s+run)?|yarn(?:\s+run)?)\s+build\b/;
const DOCKER_BUILD = /\bdocker(?:\s+buildx)?\s+build\b|\bdocker[\s-]compose\s+build\b/;
const MAIN_REF = /github\.ref(?:_name)?\s*==\s*['"](?:refs\/heads\/)?(?:main|master)['"]/;
const ONLY_MAIN_REF = /^github\.ref(?:_name)?\s*==\s*['"](?:refs\/heads\/)?(?:main|master)['"]$/;

/** Splits an expression on an operator outside parentheses and quotes. */
function splitTop(expression: string, operator: '&&' | '||'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < expression.length; i += 1) {
    const c = expression[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (depth === 0 && expression.startsWith(operator, i)) {
      parts.push(expression.slice(start, i));
      start = i + operator.length;
      i += operator.length - 1;
    }
  }
  parts.push(expression.slice(start));
  return parts.map((part) => part.trim());
}

/** `( x )` → `x` when the first parenthesis closes at the very end. */
function unwrap(expression: string): string {
  const text = expression.trim();
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    if (depth === 0 && i < text.length - 1) return text;
  }
  return unwrap(text.slice(1, -1));
}

/**
 * True when a job's `if:` holds only for main/master: every `||` alternative has an `&&` term
 * that is the comparison with main or master (or is itself limited to them).
 * `github.ref == 'refs/heads/main' || github.event_name == 'push'` names main and still runs for every branch.
 */
function limitedToMain(condition: string): boolean {
  const expression = unwrap(condition.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1'));
  if (!expression) return false;
  return splitTop(expression, '||').every((alternative) =>
    splitTop(unwrap(alternative), '&&').some((term) => {
      const inner = unwrap(term);
      return ONLY_MAIN_REF.test(inner) || (inner !== term.trim() && limitedToMain(inner));
    }),
  );
}
/** Names of `env:`/`with:` entries that carry a credential. */
const CREDENTIAL_KEY = /secret|passw(?:or)?d|token|api[_-]?key|access[_-]?key|private[_-]?key|ssh[_-]?key|credential/i;

interface Job {
  workflow: string;
  id: string;
  job: YamlMap;
  steps: YamlMap[];
}

function jobsOf(workflow: { name: string; doc: YamlMap }): Job[] {
  if (!isMap(workflow.doc.jobs)) return [];
  return Object.entries(workflow.doc.jobs)
    .filter((entry): entry is [string, YamlMap] => isMap(entry[1]))
    .map(([id, job]) => ({ workflow: workflow.name, id, job, steps: Array.isArray(job.steps) ? job.steps.filter(isMap) : [] }));
}

const runText = (job: Job) => job.steps.map((s) => (typeof s.run === 'string' ? s.run : '')).join('\n');
const needsOf = (job: Job): string[] => (typeof job.job.needs === 'string' ? [job.job.needs] : Array.isArray(job.job.needs) ? job.job.needs.map(String) : []);

/** The events a workflow's `on:` names (string, list or map form). */
function triggers(doc: YamlMap): string[] {
  const on = doc.on ?? doc.true; // YAML 1.1 readers turn `on` into true; be lenient.
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return isMap(on) ? Object.keys(on) : [];
}

/** Jobs that run the tests, in any workflow. */
function testJobs(all: Job[]): Job[] {
  return all.filter((job) => TEST.test(runText(job)));
}

/** The deploy jobs: a job whose id or name says deploy. */
function deployJobs(all: Job[]): Job[] {
  const jobs = all.filter((job) => /deploy/i.test(job.id) || (typeof job.job.name === 'string' && /deploy/i.test(job.job.name)));
  if (!jobs.length) {
    fail(
      `No job of your workflows is a deploy job (jobs: ${all.map((j) => `\`${j.id}\``).join(', ') || 'none'}). Add a job named \`deploy\` that ships the image after the tests pass.`,
    );
  }
  return jobs;
}

check('ci.triggers', async () => {
  const { workflows } = readWorkflows();
  const seen = workflows.map((w) => `\`${w.name}\`: ${triggers(w.doc).join(', ') || 'nothing'}`);
  ensure(
    workflows.some((w) => triggers(w.doc).includes('push') && triggers(w.doc).includes('pull_request')),
    `No workflow runs on both \`push\` and \`pull_request\` (${seen.join('; ')}). Write \`on: { push: {}, pull_request: {} }\` so every change is tested before it is merged.`,
  );
});

check('ci.install-test-build', async () => {
  const { workflows } = readWorkflows();
  const all = workflows.flatMap(jobsOf);
  const full = all.find((job) => INSTALL.test(runText(job)) && TEST.test(runText(job)) && BUILD.test(runText(job)));
  if (full) return;
  const seen = all.map((job) => {
    const text = runText(job);
    return `\`${job.id}\` (${[INSTALL.test(text) && 'install', TEST.test(text) && 'test', BUILD.test(text) && 'build'].filter(Boolean).join(', ') || 'none of them'})`;
  });
  fail(`No job runs all three of \`npm ci\`, \`npm test\` and \`npm run build\` (jobs: ${seen.join(', ') || 'none'}). Add them as \`run:\` steps of one job.`);
});

check('ci.docker-build', async () => {
  const { workflows } = readWorkflows();
  const all = workflows.flatMap(jobsOf);
  const builds = all.some(
    (job) => DOCKER_BUILD.test(runText(job)) || job.steps.some((s) => typeof s.uses === 'string' && s.uses.startsWith('docker/build-push-action')),
  );
  ensure(
    builds,
    'No step of your workflows builds the image: none runs `docker build` or `docker compose build`, or uses `docker/build-push-action`. Add one, so a broken Dockerfile fails CI rather than the deploy.',
  );
});

check('ci.deploy-needs-tests', async () => {
  const { workflows } = readWorkflows();
  const all = workflows.flatMap(jobsOf);
  const tests = testJobs(all);
  const problems: string[] = [];
  for (const deploy of deployJobs(all)) {
    // `needs` is followed transitively inside the deploy's workflow: deploy → image → test is gated too.
    const inWorkflow = new Map(all.filter((j) => j.workflow === deploy.workflow).map((j) => [j.id, j]));
    const reached = new Set<string>();
    const queue = [...needsOf(deploy)];
    while (queue.length) {
      const id = queue.shift()!;
      if (reached.has(id)) continue;
      reached.add(id);
      const job = inWorkflow.get(id);
      if (job) queue.push(...needsOf(job));
    }
    const gated = tests.some((t) => t.workflow === deploy.workflow && reached.has(t.id));
    if (!gated) {
      problems.push(
        `\`${deploy.id}\` in \`${deploy.workflow}\` needs ${
          needsOf(deploy)
            .map((n) => `\`${n}\``)
            .join(', ') || 'nothing'
        }`,
      );
    }
  }
  ensure(
    problems.length === 0,
    `${problems.join('; ')}, while the tests run in ${tests.map((t) => `\`${t.id}\``).join(', ') || 'no job'}. ` +
      'Add `needs: <test job>` to the deploy job so a failing test can never be deployed.',
  );
});

check('ci.deploy-main-only', async () => {
  const { workflows } = readWorkflows();
  const all = workflows.flatMap(jobsOf);
  const problems: string[] = [];
  for (const deploy of deployJobs(all)) {
    const condition = typeof deploy.job.if === 'string' ? deploy.job.if : '';
    if (limitedToMain(condition)) continue;
    // A workflow whose only trigger is a push limited to main needs no `if`.
    const doc = workflows.find((w) => w.name === deploy.workflow)!.doc;
    const on = isMap(doc.on) ? doc.on : null;
    const branches = on && isMap(on.push) && Array.isArray(on.push.branches) ? on.push.branches.map(String) : [];
    const pushOnMainOnly = triggers(doc).every((t) => t === 'push') && branches.length > 0 && branches.every((b) => b === 'main' || b === 'master');
    if (!pushOnMainOnly) {
      const loose = MAIN_REF.test(condition) ? ' (it names main, but another `||` alternative lets other refs through)' : '';
      problems.push(
        `\`${deploy.id}\` has ${condition ? `\`if: ${condition.slice(0, 100)}\`${loose}` : 'no `if:`'} and its workflow runs on ${triggers(doc).join(', ')}`,
      );
    }
  }
  ensure(
    problems.length === 0,
    `${problems.join('; ')}: it would deploy other branches or pull requests. Add \`if: github.ref == 'refs/heads/main'\` to the deploy job.`,
  );
});

check('ci.secrets-from-store', async () => {
  const { workflows } = readWorkflows();
  const literals: string[] = [];
  const inspect = (where: string, map: unknown) => {
    if (!isMap(map)) return;
    for (const [key, value] of Object.entries(map)) {
      if (!CREDENTIAL_KEY.test(key) || value === null || value === undefined || value === '') continue;
      // A credential is an expression over the secret store, the token GitHub issues to the run, or
      // an earlier step's output (a registry password from an OIDC login): anything but a literal.
      if (typeof value === 'string' && /\$\{\{[^}]*\b(?:secrets\.|github\.token|steps\.)/.test(value)) continue;
      literals.push(`\`${key}\` in ${where}`);
    }
  };
  for (const workflow of workflows) {
    inspect(`the \`env\` of \`${workflow.name}\``, workflow.doc.env);
    for (const job of jobsOf(workflow)) {
      inspect(`the \`env\` of job \`${job.id}\``, job.job.env);
      job.steps.forEach((step, i) => {
        const label = `step ${i + 1} of job \`${job.id}\``;
        inspect(`the \`env\` of ${label}`, step.env);
        inspect(`the \`with\` of ${label}`, step.with);
      });
    }
  }
  ensure(
    literals.length === 0,
    `These credentials are written in the workflow instead of read from the secret store: ${someOf(literals, 10)}. ` +
      'Store each one under Settings → Secrets and write `${{ secrets.NAME }}` (or assume an AWS role through OIDC), then rotate the exposed values.',
  );
});
