/**
 * backend-pro.yml, against a fake GitHub on loopback that serves the repositories' files through
 * its contents API: the "Read backend-pro.yml" button (a valid file replaces the map; every kind
 * of bad file, a missing file and a GitHub outage change nothing and say why), and pushes that
 * change the file on the default branch (re-mapped before grading, read at the pushed commit).
 * No worker runs here: submissions stay queued, which is what these checks look at.
 */
import request from 'supertest';
import { getPool } from '../../core/db/sql';
import { pushDelivery, startFakeGitHub, type FakeGitHub } from '../support/fakeGitHub';
import { helloVariant } from '../support/fixtures';
import { Browser, startWebTestContext, type WebApp, type WebTestContext } from './support';

jest.setTimeout(60_000);

let context: WebTestContext;
let github: FakeGitHub;
let app: WebApp;
let lin: Browser;
let secret: string;
const REPO = 'lin-yu/backend-course';

beforeAll(async () => {
  context = await startWebTestContext();
  github = await startFakeGitHub();
  app = await context.startApp({
    GITHUB_WEB_URL: github.webUrl,
    GITHUB_API_URL: github.apiUrl,
    GITHUB_TOKEN: github.token,
    BASE_URL: 'http://platform.test',
  });
  github.publish(REPO, helloVariant());
  github.publish(REPO, helloVariant(), 'dev');
  lin = new Browser(app);
  await lin.signIn('lin-yu');
  const linked = await lin.post('/github/link', { repo: REPO, 'branch_phase-1-auth': 'main' }, { formPage: '/github' });
  expect(linked.status).toBe(303);
  const { rows } = await getPool().query('SELECT webhook_secret FROM repo_links WHERE repo_full_name = $1', [REPO]);
  secret = rows[0].webhook_secret as string;
});

afterAll(async () => {
  await github?.close();
  await context?.close();
});

type PhaseMap = { exercise_id: string; branch: string; subdir: string | null }[];

async function phaseMap(): Promise<PhaseMap> {
  const { rows } = await getPool().query(
    'SELECT p.exercise_id, p.branch, p.subdir FROM repo_link_phases p JOIN repo_links l ON l.id = p.link_id WHERE l.repo_full_name = $1 ORDER BY p.exercise_id',
    [REPO],
  );
  return rows as PhaseMap;
}

async function setMap(fields: Record<string, string>): Promise<void> {
  expect((await lin.post('/github/link', { repo: REPO, ...fields }, { formPage: '/github' })).status).toBe(303);
}

async function readConfig() {
  const response = await lin.post('/github/config', {}, { formPage: '/github' });
  return { status: response.status, text: unescapeHtml(response.text) };
}

async function submissionsOnBranch(branch: string): Promise<{ exercise_id: string; commit_sha: string }[]> {
  const { rows } = await getPool().query("SELECT exercise_id, commit_sha FROM submissions WHERE ref = $1 AND source = 'webhook' ORDER BY created_at", [branch]);
  return rows as { exercise_id: string; commit_sha: string }[];
}

async function push(branch: string, after: string, files: { changed?: string[]; added?: string[]; removed?: string[] }) {
  const delivery = pushDelivery({ repo: REPO, ref: `refs/heads/${branch}`, after, secret, ...files });
  return request(app.server).post('/webhooks/github').set(delivery.headers).send(delivery.body);
}

function unescapeHtml(html: string): string {
  return html.replaceAll('&#34;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

describe('When a learner presses "Read backend-pro.yml"', () => {
  test('then a repository without the file says so and keeps the map', async () => {
    const before = await phaseMap();
    const response = await readConfig();
    expect(response.status).toBe(404);
    expect(response.text).toContain(`No backend-pro.yml in ${REPO}@main: add it at the root of that branch`);
    expect(await phaseMap()).toEqual(before);
  });

  test('then a valid file replaces the map, the page shows it, and a push to the newly tracked branch is graded', async () => {
    github.commit(REPO, 'main', {
      'backend-pro.yml': ['# the course map', 'phases:', '  phase-1-auth:', '    branch: dev', '  phase-2-data: { folder: services/data }', ''].join('\n'),
    });
    const response = await readConfig();
    expect(response.status).toBe(200);
    expect(response.text).toContain(`Applied backend-pro.yml from ${REPO}@main: Phase 1 → dev, Phase 2 → main (services/data/).`);
    expect(response.text).toContain('aria-label="Branch for phase 1" value="dev"');
    expect(response.text).toContain('aria-label="Folder for phase 2" value="services/data"');
    expect(await phaseMap()).toEqual([
      { exercise_id: 'phase-1-auth', branch: 'dev', subdir: null },
      { exercise_id: 'phase-2-data', branch: 'main', subdir: 'services/data' },
    ]);
    // Read from the default branch, with the platform's token.
    expect(github.fileReads.at(-1)).toEqual({ repo: REPO, path: 'backend-pro.yml', ref: 'main', authorization: `Bearer ${github.token}` });

    const head = github.commit(REPO, 'dev', { 'src/feature.js': 'module.exports = 1;\n' });
    const graded = await push('dev', head, { changed: ['src/feature.js'] });
    expect(graded.status).toBe(202);
    expect(graded.body.submissions).toHaveLength(1);
    expect(await submissionsOnBranch('dev')).toEqual([{ exercise_id: 'phase-1-auth', commit_sha: head }]);
  });

  const badFiles: [string, string, string][] = [
    [
      'an unknown exercise id',
      'phases:\n  phase-1-auth: {}\n  phase-9-magic: { branch: main }\n',
      'backend-pro.yml: line 3, phases.phase-9-magic: "phase-9-magic" is not an exercise of the course (exercise ids: phase-1-auth, phase-2-data',
    ],
    [
      'a branch the form refuses',
      'phases:\n  phase-1-auth:\n    branch: -main\n',
      'backend-pro.yml: line 3, phases.phase-1-auth.branch: "-main" is not a valid branch name.',
    ],
    [
      'a folder the form refuses',
      'phases:\n  phase-1-auth:\n    folder: ../secrets\n',
      'backend-pro.yml: line 3, phases.phase-1-auth.folder: "../secrets" is not a valid folder inside the repository.',
    ],
    [
      'a branch that is not text',
      'phases:\n  phase-1-auth: { branch: 2024 }\n',
      'backend-pro.yml: line 2, phases.phase-1-auth.branch: must be text: put it in quotes',
    ],
    [
      'an unknown key in a phase',
      'phases:\n  phase-1-auth:\n    brnch: dev\n',
      'backend-pro.yml: line 3, phases.phase-1-auth.brnch: unknown key "brnch": a phase takes only "branch" and "folder"',
    ],
    [
      'an unknown key at the top',
      'phases:\n  phase-1-auth: {}\nbranches: [main]\n',
      'backend-pro.yml: line 3, branches: unknown key "branches": the file takes only "phases" (and "env", read by the grader)',
    ],
    ['no phases key', 'phase-1-auth: { branch: main }\n', 'backend-pro.yml: line 1, phases: is missing: the file lists the phases under "phases:"'],
    [
      'a phase that is not a mapping',
      'phases:\n  phase-1-auth: dev\n',
      'backend-pro.yml: line 2, phases.phase-1-auth: must be a mapping such as { branch: main, folder: auth-service }',
    ],
    [
      'YAML that does not parse',
      'phases:\n  phase-1-auth: { branch: main\n',
      'backend-pro.yml: line 3: Flow map in block collection must be sufficiently indented and end with a }',
    ],
    ['a phase listed twice', 'phases:\n  phase-1-auth: {}\n  phase-1-auth: { branch: dev }\n', 'backend-pro.yml: line 3: Map keys must be unique'],
    ['an empty file', '# nothing yet\n', 'backend-pro.yml: empty file: list the phases under "phases:"'],
    ['a file over 16 KB', `phases:\n  phase-1-auth: {}\n# ${'x'.repeat(17 * 1024)}\n`, 'backend-pro.yml: 17.0 KB, over the limit of 16 KB'],
  ];
  test.each(badFiles)('then a file with %s is refused with the line and key, and nothing changes', async (_case, content, error) => {
    await setMap({ 'branch_phase-1-auth': 'main', 'branch_phase-3-security': 'security' });
    const before = await phaseMap();
    github.commit(REPO, 'main', { 'backend-pro.yml': content });
    const response = await readConfig();
    expect(response.status).toBe(400);
    expect(response.text).toContain(error);
    expect(response.text).toContain(`Nothing was changed: fix backend-pro.yml in ${REPO}@main and read it again.`);
    expect(await phaseMap()).toEqual(before);
    // The form still shows the map in force.
    expect(response.text).toContain('aria-label="Branch for phase 3" value="security"');
  });

  test('then a file listing more phases than the course has is refused', async () => {
    const { rows } = await getPool().query('SELECT count(*)::int AS count FROM exercises');
    const count = rows[0].count as number;
    const entries = Array.from({ length: count + 1 }, (_, i) => `  phase-${i + 1}-x: {}`).join('\n');
    const before = await phaseMap();
    github.commit(REPO, 'main', { 'backend-pro.yml': `phases:\n${entries}\n` });
    const response = await readConfig();
    expect(response.status).toBe(400);
    expect(response.text).toContain(`backend-pro.yml: line 1, phases: lists ${count + 1} phases, but the course has ${count}`);
    expect(await phaseMap()).toEqual(before);
  });

  test('then a YAML alias bomb is refused at once', async () => {
    const levels = 'bcdefghij'.split('');
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    levels.forEach((name, i) =>
      lines.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${i === 0 ? 'a' : levels[i - 1]}`)
          .join(',')}]`,
      ),
    );
    lines.push('phases: { phase-1-auth: { branch: main } }');
    const bomb = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(bomb)).toBeLessThan(16 * 1024);
    const before = await phaseMap();
    github.commit(REPO, 'main', { 'backend-pro.yml': bomb });
    const started = Date.now();
    const response = await readConfig();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(400);
    expect(response.text).toContain('backend-pro.yml: too many YAML alias expansions (*name): write each phase out in full');
    expect(await phaseMap()).toEqual(before);
  });

  test('then a GitHub outage says so and changes nothing', async () => {
    github.commit(REPO, 'main', { 'backend-pro.yml': 'phases:\n  phase-1-auth: { branch: dev }\n' });
    const before = await phaseMap();
    github.setOutage(true);
    try {
      const response = await readConfig();
      expect(response.status).toBe(502);
      expect(response.text).toContain('backend-pro.yml was not read: GitHub could not be reached or refused (GitHub answered 503');
      expect(response.text).toContain('Nothing was changed.');
    } finally {
      github.setOutage(false);
    }
    expect(await phaseMap()).toEqual(before);
  });
});

describe('When a push changes backend-pro.yml', () => {
  beforeEach(async () => {
    await setMap({ 'branch_phase-1-auth': 'main' });
  });

  test('then a push to the default branch applies it, read at the pushed commit, before deciding what to grade', async () => {
    const head = github.commit(REPO, 'main', { 'backend-pro.yml': 'phases:\n  phase-1-auth:\n    branch: dev\n' });
    const mainBefore = (await submissionsOnBranch('main')).length;
    const response = await push('main', head, { changed: ['backend-pro.yml'] });
    expect(response.status).toBe(202);
    // Phase 1 moved to dev: this push to main grades nothing.
    expect(response.body.outcome).toBe('backend-pro.yml applied: 1 phase; ignored: branch "main" is not tracked by any phase');
    expect(github.fileReads.at(-1)).toMatchObject({ repo: REPO, path: 'backend-pro.yml', ref: head });
    expect(await phaseMap()).toEqual([{ exercise_id: 'phase-1-auth', branch: 'dev', subdir: null }]);
    expect(await submissionsOnBranch('main')).toHaveLength(mainBefore);

    const devHead = github.commit(REPO, 'dev', { 'src/dev.js': 'module.exports = 2;\n' });
    const graded = await push('dev', devHead, { changed: ['src/dev.js'] });
    expect(graded.body.submissions).toHaveLength(1);
    expect((await submissionsOnBranch('dev')).at(-1)).toEqual({ exercise_id: 'phase-1-auth', commit_sha: devHead });
    expect(unescapeHtml((await lin.get('/github')).text)).toContain('backend-pro.yml applied: 1 phase; ignored: branch "main" is not tracked by any phase');
  });

  test('then a newly added file is applied too, and the push is graded with the new map', async () => {
    github.commit(REPO, 'main', { 'backend-pro.yml': null });
    const head = github.commit(REPO, 'main', {
      'backend-pro.yml': 'phases:\n  phase-1-auth: {}\n  phase-2-data: { folder: data }\n',
      'data/schema.sql': 'create table t (id int);\n',
    });
    const response = await push('main', head, { added: ['backend-pro.yml', 'data/schema.sql'], changed: [] });
    expect(response.body.outcome).toMatch(
      /^backend-pro\.yml applied: 2 phases; phase-1-auth (queued|pending grade moved to this commit) \(.+\); phase-2-data queued \(.+\)$/,
    );
  });

  test('then an invalid file is refused in the delivery record, the map is kept and the push is graded with it', async () => {
    const head = github.commit(REPO, 'main', { 'backend-pro.yml': 'phases:\n  phase-1-auth:\n    branch: "-dev"\n' });
    const response = await push('main', head, { changed: ['backend-pro.yml'] });
    expect(response.body.outcome).toMatch(
      /^backend-pro\.yml refused: line 3, phases\.phase-1-auth\.branch: "-dev" is not a valid branch name\. \(the previous map is kept\); phase-1-auth (queued|pending grade moved to this commit) \(.+\)$/,
    );
    expect(await phaseMap()).toEqual([{ exercise_id: 'phase-1-auth', branch: 'main', subdir: null }]);
  });

  test('then a push that removes it keeps the map and reads nothing', async () => {
    const reads = github.fileReads.length;
    const head = github.commit(REPO, 'main', { 'backend-pro.yml': null });
    const response = await push('main', head, { removed: ['backend-pro.yml'], changed: [] });
    expect(response.body.outcome).toMatch(/^backend-pro\.yml removed: the current map is kept \(change it on \/github\); phase-1-auth /);
    expect(await phaseMap()).toEqual([{ exercise_id: 'phase-1-auth', branch: 'main', subdir: null }]);
    expect(github.fileReads.length).toBe(reads);
  });

  test('then a push to another branch does not apply it', async () => {
    const head = github.commit(REPO, 'dev', { 'backend-pro.yml': 'phases:\n  phase-1-auth: { branch: dev }\n' });
    const reads = github.fileReads.length;
    const response = await push('dev', head, { changed: ['backend-pro.yml'] });
    expect(response.body.outcome).toBe('ignored: branch "dev" is not tracked by any phase');
    expect(await phaseMap()).toEqual([{ exercise_id: 'phase-1-auth', branch: 'main', subdir: null }]);
    expect(github.fileReads.length).toBe(reads);
  });

  test('then a GitHub outage keeps the map, says so, and the push is still graded', async () => {
    const head = github.commit(REPO, 'main', { 'backend-pro.yml': 'phases:\n  phase-1-auth: { branch: dev }\n' });
    github.setOutage(true);
    let response;
    try {
      response = await push('main', head, { changed: ['backend-pro.yml'] });
    } finally {
      github.setOutage(false);
    }
    expect(response.status).toBe(202);
    expect(response.body.outcome).toMatch(
      /^backend-pro\.yml not read: GitHub answered 503 to GET \/repos\/lin-yu\/backend-course: Service Unavailable \(the previous map is kept\); phase-1-auth /,
    );
    expect(await phaseMap()).toEqual([{ exercise_id: 'phase-1-auth', branch: 'main', subdir: null }]);
  });
});
