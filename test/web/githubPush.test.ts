/**
 * GitHub, against a fake GitHub on loopback: the whole OAuth dance, linking a repository, the
 * webhook (signatures, redeliveries, untracked branches, tags, deleted branches, unknown
 * repositories, size cap), cooldowns that turn pushes into one pending grade of the newest
 * commit, commit statuses reported with the platform's token, badges and "grade again".
 * No worker runs here: submissions stay queued, which is what these checks look at.
 */
import request from 'supertest';
import { getPool } from '../../core/db/sql';
import { storeOutcome } from '../../core/models/results';
import { selectOptionalSubmission, type Submission } from '../../core/models/submissions';
import { pushDelivery, startFakeGitHub, type FakeGitHub } from '../support/fakeGitHub';
import { helloVariant } from '../support/fixtures';
import { Browser, startWebTestContext, type WebApp, type WebTestContext, outcome } from './support';

jest.setTimeout(60_000);

let context: WebTestContext;
let github: FakeGitHub;
let app: WebApp;
let appNoToken: WebApp;
let firstCommit: string;
const REPO = 'Ada-L/backend-course';
const ADA = { id: 583231, login: 'Ada-L', name: 'Ada <Lovelace>', avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4' };

beforeAll(async () => {
  context = await startWebTestContext();
  github = await startFakeGitHub();
  const env = {
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_WEB_URL: github.webUrl,
    GITHUB_API_URL: github.apiUrl,
    BASE_URL: 'http://platform.test',
    GITHUB_CALLBACK_URL: 'http://platform.test/auth/github/callback',
    WEBHOOK_MAX_KB: '64',
  };
  app = await context.startApp({ ...env, GITHUB_TOKEN: github.token });
  appNoToken = await context.startApp(env);
  firstCommit = github.publish(REPO, helloVariant());
});

afterAll(async () => {
  await github?.close();
  await context?.close();
});

/** Signs in through the fake GitHub the way a browser follows the redirects. */
async function signInWithGitHub(browser: Browser, user = ADA): Promise<{ before: string; after: string }> {
  github.signInAs(user);
  const start = await browser.get('/auth/github');
  expect(start.status).toBe(302);
  const before = browser.cookie;
  const authorize = await fetch(start.headers.location, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const callback = new URL(authorize.headers.get('location')!);
  const done = await browser.get(callback.pathname + callback.search);
  expect(done.status).toBe(303);
  return { before, after: browser.cookie };
}

async function linkRepository(browser: Browser, fields: Record<string, string>) {
  return browser.post('/github/link', fields, { formPage: '/github' });
}

async function deliver(target: WebApp, delivery: { headers: Record<string, string>; body: string }) {
  return request(target.server).post('/webhooks/github').set(delivery.headers).send(delivery.body);
}

async function submissionsOf(login: string): Promise<Submission[]> {
  const { rows } = await getPool().query('SELECT s.* FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.login = $1 ORDER BY s.created_at', [login]);
  return rows as Submission[];
}

async function secretOf(repo: string): Promise<string> {
  const { rows } = await getPool().query('SELECT webhook_secret FROM repo_links WHERE lower(repo_full_name) = lower($1)', [repo]);
  return rows[0].webhook_secret as string;
}

describe('When a learner signs in with GitHub', () => {
  test('then the OAuth dance completes, the session is regenerated and the profile is stored', async () => {
    const browser = new Browser(app);
    const { before, after } = await signInWithGitHub(browser);
    expect(after).not.toBe('');
    expect(after).not.toBe(before);
    const home = await browser.get('/');
    expect(home.text).toContain('Ada &lt;Lovelace&gt;');
    expect(home.text).not.toContain('Ada <Lovelace>');
    const { rows } = await getPool().query('SELECT login, name, avatar_url, github_id FROM users WHERE github_id = $1', [String(ADA.id)]);
    expect(rows).toEqual([{ login: 'ada-l', name: ADA.name, avatar_url: ADA.avatar_url, github_id: String(ADA.id) }]);

    // The session that existed before sign-in (it held the OAuth state) is not the signed-in one.
    const planted = new Browser(app);
    planted.cookie = before;
    expect((await planted.get('/github')).status).toBe(303);

    const signOut = await browser.post('/auth/signout', {}, { formPage: '/' });
    expect(signOut.status).toBe(303);
    const stale = new Browser(app);
    stale.cookie = after;
    expect((await stale.get('/github')).status).toBe(303);
  });

  test('then a renamed GitHub login keeps the same account', async () => {
    await signInWithGitHub(new Browser(app), { ...ADA, login: 'Ada-Renamed' });
    const { rows } = await getPool().query('SELECT login FROM users WHERE github_id = $1', [String(ADA.id)]);
    expect(rows).toEqual([{ login: 'ada-renamed' }]);
    await signInWithGitHub(new Browser(app));
  });

  test('then a callback with a forged state never reaches GitHub for a token', async () => {
    const browser = new Browser(app);
    await browser.get('/auth/github');
    const requests = github.tokenRequests;
    const response = await browser.get('/auth/github/callback?code=stolen&state=forged');
    expect(response.status).toBe(401);
    expect(github.tokenRequests).toBe(requests);
  });
});

describe('When a learner links a repository', () => {
  let ada: Browser;
  beforeAll(async () => {
    ada = new Browser(app);
    await signInWithGitHub(ada);
  });

  test('then a bad repository or branch is refused with the reason and the form keeps what was typed', async () => {
    const response = await linkRepository(ada, { repo: 'not a repo', 'branch_phase-1-auth': '-main' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('is not a repository on');
    expect(response.text).toContain('Phase 1: &#34;-main&#34; is not a valid branch name.');
    expect(response.text).toContain('value="not a repo"');
  });

  test('then the page shows the webhook URL and a secret with copy buttons, and the phases tracked', async () => {
    const response = await linkRepository(ada, {
      repo: `${github.webUrl}/${REPO}.git`,
      'branch_phase-1-auth': 'main',
      'branch_phase-2-data': 'main',
      'subdir_phase-2-data': 'phase-2',
    });
    expect(response.status).toBe(303);
    const page = await ada.get('/github');
    expect(page.text).toContain('value="http://platform.test/webhooks/github"');
    const secret = await secretOf(REPO);
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    expect(page.text).toContain(`value="${secret}"`);
    expect(page.text).toContain('data-copy-target="webhook-secret"');
    expect(page.text).toContain(
      'name="branch_phase-1-auth" maxlength="200" autocapitalize="none" spellcheck="false" placeholder="not tracked" aria-label="Branch for phase 1" value="main"',
    );
    expect(page.text).toContain('http://platform.test/badges/ada-l/phase-1-auth.svg');
  });

  test('then another learner cannot link the same repository', async () => {
    const grace = await Browser.signedIn(app, 'grace');
    const response = await linkRepository(grace, { repo: REPO.toLowerCase() });
    expect(response.status).toBe(400);
    expect(response.text).toContain('is already linked by another learner');
  });

  test('then, with a token configured, the platform creates the webhook on GitHub', async () => {
    const response = await ada.post('/github/webhook', {}, { formPage: '/github' });
    expect(response.status).toBe(303);
    expect(github.hooks.at(-1)).toEqual({
      repo: REPO,
      body: {
        name: 'web',
        active: true,
        events: ['push'],
        config: { url: 'http://platform.test/webhooks/github', content_type: 'json', secret: await secretOf(REPO), insecure_ssl: '0' },
      },
    });
    expect((await ada.get('/github')).text).toContain('The platform created the webhook');
    // Without a token there is no such button, and the route says why.
    const viaPlain = await Browser.signedIn(appNoToken, 'hopper');
    expect((await viaPlain.get('/github')).text).not.toContain('Create the webhook for me');
  });
});

describe('When GitHub delivers to the webhook', () => {
  let secret: string;
  beforeAll(async () => {
    secret = await secretOf(REPO);
  });
  /** A push of firstCommit to the tracked branch of REPO, signed with its secret, with `fields` changed. */
  const pushToMain = (fields: Partial<Parameters<typeof pushDelivery>[0]> = {}) =>
    pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: firstCommit, secret, ...fields });

  test('then a forged or missing signature is refused with 401 and creates nothing', async () => {
    const before = (await submissionsOf('ada-l')).length;
    const forged = pushToMain({ secret: 'guessed' });
    expect((await deliver(app, forged)).status).toBe(401);
    const unsigned = pushToMain();
    delete unsigned.headers['x-hub-signature-256'];
    expect((await deliver(app, unsigned)).status).toBe(401);
    const tampered = pushToMain();
    tampered.body = tampered.body.replace('refs/heads/main', 'refs/heads/mainx');
    expect((await deliver(app, tampered)).status).toBe(401);
    expect((await submissionsOf('ada-l')).length).toBe(before);
  });

  test('then a ping is answered', async () => {
    const ping = pushToMain();
    ping.headers['x-github-event'] = 'ping';
    const response = await deliver(app, ping);
    expect(response.status).toBe(200);
    expect(response.body.message).toContain(`Linked to ${REPO}`);
  });

  test('then a push to a tracked branch is accepted at once and graded at the pushed commit, cloned from the link', async () => {
    const delivery = pushToMain({
      cloneUrl: 'http://127.0.0.1:9/evil/other.git',
      changed: ['src/main.js'],
    });
    const response = await deliver(app, delivery);
    expect(response.status).toBe(202);
    // Phase 1 tracks the whole repository; phase 2 only phase-2/, which this push did not touch.
    expect(response.body.submissions).toHaveLength(1);
    expect(response.body.outcome).toContain('skipped Phase 2: nothing changed under phase-2/');
    const submission = await selectOptionalSubmission(response.body.submissions[0]);
    expect(submission).toMatchObject({
      exercise_id: 'phase-1-auth',
      source: 'webhook',
      status: 'queued',
      commit_sha: firstCommit,
      ref: 'main',
      repo_url: `${github.webUrl}/${REPO}.git`,
    });
    expect(await (await context.queue.getJob(submission!.id))?.getState()).toBe('waiting');
    // The commit says it is queued, with a link to the submission.
    await waitFor(() => github.statuses.some((s) => s.sha === firstCommit));
    expect(github.statuses.find((s) => s.sha === firstCommit)).toMatchObject({
      repo: REPO,
      state: 'pending',
      description: 'Phase 1: queued for grading',
      context: 'backend-pro/phase-1-auth',
      target_url: `http://platform.test/submissions/${submission!.id}`,
      authorization: `Bearer ${github.token}`,
    });

    // GitHub redelivers the same delivery: nothing new.
    const again = await deliver(app, delivery);
    expect(again.status).toBe(200);
    expect((await submissionsOf('ada-l')).length).toBe(1);
  });

  test('then pushes to untracked branches, tag pushes and deleted branches create nothing', async () => {
    const cases = [
      pushDelivery({ repo: REPO, ref: 'refs/heads/experiment', after: firstCommit, secret }),
      pushDelivery({ repo: REPO, ref: 'refs/tags/v1.0.0', after: firstCommit, secret }),
      pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: '0'.repeat(40), before: firstCommit, deleted: true, secret }),
    ];
    const outcomes = [];
    for (const delivery of cases) {
      const response = await deliver(app, delivery);
      expect(response.status).toBe(202);
      outcomes.push(response.body.outcome);
    }
    expect(outcomes).toEqual([
      'ignored: branch "experiment" is not tracked by any phase',
      'ignored: tag push (v1.0.0) — only branches are graded',
      'ignored: the branch was deleted',
    ]);
    expect((await submissionsOf('ada-l')).length).toBe(1);
    const page = await (async () => {
      const ada = new Browser(app);
      await signInWithGitHub(ada);
      return ada.get('/github');
    })();
    expect(page.text).toContain('ignored: branch &#34;experiment&#34; is not tracked by any phase');
  });

  test('then an unknown repository is ignored when signed with the platform secret, refused otherwise', async () => {
    const withPlatformSecret = await context.startApp({ GITHUB_WEBHOOK_SECRET: 'platform-wide-secret' });
    const unknown = pushDelivery({ repo: 'someone/else', ref: 'refs/heads/main', after: firstCommit, secret: 'platform-wide-secret' });
    const response = await deliver(withPlatformSecret, unknown);
    expect(response.status).toBe(202);
    expect(response.body.outcome).toBe('ignored: someone/else is not linked to any learner');
    expect((await deliver(app, unknown)).status).toBe(401);
  });

  test('then a payload over the size cap is refused with 413', async () => {
    const big = pushToMain({
      changed: Array.from({ length: 6000 }, (_, i) => `file-${i}.ts`),
    });
    expect(Buffer.byteLength(big.body)).toBeGreaterThan(64 * 1024);
    const response = await deliver(app, big);
    expect(response.status).toBe(413);
    expect(response.body.error).toContain('64 KB');
  });
});

describe('When a learner pushes several times in a row', () => {
  test('then a push while the last one waits moves that grade to the newest commit, and the older commit is told', async () => {
    const secret = await secretOf(REPO);
    const [pending] = await submissionsOf('ada-l');
    const second = github.commit(REPO, 'main', { 'src/extra.js': 'module.exports = 2;\n' });
    const response = await deliver(
      app,
      pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: second, before: firstCommit, secret, changed: ['src/extra.js'] }),
    );
    expect(response.status).toBe(202);
    expect(response.body.submissions).toEqual([pending.id]);
    expect(await submissionsOf('ada-l')).toHaveLength(1);
    expect((await selectOptionalSubmission(pending.id))?.commit_sha).toBe(second);
    await waitFor(() => github.statuses.some((s) => s.sha === firstCommit && s.state === 'error'));
    expect(github.statuses.find((s) => s.sha === firstCommit && s.state === 'error')?.description).toBe(
      `Not graded: a newer push (${second.slice(0, 7)}) is graded instead`,
    );
  });

  test('then a push during the cooldown is queued for when it ends, and the next push replaces it', async () => {
    const secret = await secretOf(REPO);
    const [graded] = await submissionsOf('ada-l');
    // The pending grade ran: it has a result now, and the cooldown (60 s) counts from it.
    await getPool().query('UPDATE submissions SET started_at = now() WHERE id = $1', [graded.id]);
    await storeOutcome(graded.id, outcome({ score: 92 }));

    const third = github.commit(REPO, 'main', { 'src/third.js': '3\n' });
    const response = await deliver(app, pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: third, secret, changed: ['src/third.js'] }));
    expect(response.status).toBe(202);
    expect(response.body.outcome).toContain('queued after the cooldown');
    const waiting = await selectOptionalSubmission(response.body.submissions[0]);
    expect(waiting?.not_before).not.toBeNull();
    const waitMs = waiting!.not_before!.getTime() - Date.now();
    expect(waitMs).toBeGreaterThan(50_000);
    expect(waitMs).toBeLessThanOrEqual(60_000);
    const job = await context.queue.getJob(waiting!.id);
    expect(await job?.getState()).toBe('delayed');
    await waitFor(() => github.statuses.some((s) => s.sha === third));
    expect(github.statuses.find((s) => s.sha === third)?.description).toMatch(/^Phase 1: queued, grading starts at \d\d:\d\d UTC \(cooldown\)$/);

    const fourth = github.commit(REPO, 'main', { 'src/fourth.js': '4\n' });
    const next = await deliver(app, pushDelivery({ repo: REPO, ref: 'refs/heads/main', after: fourth, secret, changed: ['src/fourth.js'] }));
    expect(next.body.submissions).toEqual([waiting!.id]);
    expect(await submissionsOf('ada-l')).toHaveLength(2);
    expect((await selectOptionalSubmission(waiting!.id))?.commit_sha).toBe(fourth);

    // The learner sees the wait on the submission page and on the phase page.
    const ada = new Browser(app);
    await signInWithGitHub(ada);
    expect((await ada.get(`/submissions/${waiting!.id}`)).text).toContain('Waiting for your cooldown on this phase: grading starts at');
    const phase = await ada.get('/phases/phase-1-auth');
    expect(phase.text).toMatch(/you can submit again in <strong class="cooldown-left">\d+ s<\/strong>/);
    expect(phase.text).toContain('disabled data-cooldown-button');
    const refused = await ada.post('/phases/phase-1-auth/submissions', { repo_url: `${github.webUrl}/${REPO}.git` }, { formPage: '/phases/phase-1-auth' });
    expect(refused.status).toBe(429);
    // "Grade again" is under the same cooldown.
    const regrade = await ada.post(`/submissions/${graded.id}/regrade`, {}, { formPage: `/submissions/${graded.id}` });
    expect(regrade.status).toBe(429);
    expect(regrade.text).toMatch(/You can grade it again in \d+ s/);
  });

  test('then an instructor has no cooldown and can grade any learner’s commit again', async () => {
    const [graded] = await submissionsOf('ada-l');
    const prof = await Browser.signedIn(app, 'prof');
    const response = await prof.post(`/submissions/${graded.id}/regrade`, {}, { formPage: `/submissions/${graded.id}` });
    expect(response.status).toBe(303);
    const id = /\/submissions\/([0-9a-f-]{36})/.exec(response.headers.location)![1];
    expect(await selectOptionalSubmission(id)).toMatchObject({
      user_id: Number(graded.user_id),
      source: 'regrade',
      commit_sha: graded.commit_sha,
      status: 'queued',
    });
  });
});

describe('When a README shows a badge', () => {
  test('then it shows the best score of the phase, and a phase never graded says so', async () => {
    const badge = (path: string) => fetch(`${app.url}/badges/${path}`);
    const graded = await badge('ada-l/phase-1-auth.svg');
    expect(graded.status).toBe(200);
    expect(graded.headers.get('content-type')).toContain('image/svg+xml');
    const svg = await graded.text();
    expect(svg).toContain('92% passed');
    expect(svg).toContain('Backend Pro · Phase 1');
    expect(await (await badge('ada-l/phase-3-security.svg')).text()).toContain('not graded yet');
    expect((await badge('nobody/phase-1-auth.svg')).status).toBe(404);
    expect((await badge('ada-l/phase-1-auth.png')).status).toBe(404);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
