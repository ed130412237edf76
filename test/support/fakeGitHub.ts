/**
 * A fake GitHub on loopback, for tests: the OAuth web flow (authorize → callback with code and
 * state → access token), the REST API under /api/v3 (GET /user, commit statuses, webhook
 * creation, a repository's default branch, file contents at a ref — each call recorded), and real
 * Git repositories over smart HTTP at /<owner>/<name>.git that tests publish and push new commits
 * to (the contents API reads the same repositories).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { signPayload } from '../../server/github/signature';
import { serveGit } from './gitServer';

export interface FakeGitHubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string;
}

export interface RecordedStatus {
  repo: string;
  sha: string;
  state: string;
  description: string;
  target_url: string;
  context: string;
  authorization: string | undefined;
}

export interface FakeGitHub {
  /** Web base (GITHUB_WEB_URL) and API base (GITHUB_API_URL, like GitHub Enterprise's /api/v3). */
  webUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  token: string;
  /** The account the next authorization signs in as. */
  signInAs(user: FakeGitHubUser): void;
  statuses: RecordedStatus[];
  hooks: { repo: string; body: Record<string, unknown> }[];
  /** Contents API reads: which file of which repository, at which ref (null: the default branch). */
  fileReads: { repo: string; path: string; ref: string | null; authorization: string | undefined }[];
  /** While on, every /repos/ API call answers 503, as GitHub does during an outage. */
  setOutage(on: boolean): void;
  /** OAuth token requests received (to prove a forged state never reaches GitHub). */
  tokenRequests: number;
  /** Creates `<owner>/<name>` with `sourceDir` as its first commit on `branch`; returns that commit. */
  publish(fullName: string, sourceDir: string, branch?: string): string;
  /** Commits `files` (path → content, null deletes) on top of `branch` and pushes; returns the new commit. */
  commit(fullName: string, branch: string, files: Record<string, string | null>): string;
  close(): Promise<void>;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Learner', '-c', 'user.email=learner@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' })
    .toString()
    .trim();

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fakegh-'));
  const worktrees = new Map<string, string>();
  const codes = new Map<string, FakeGitHubUser>();
  const tokens = new Map<string, FakeGitHubUser>();
  let nextUser: FakeGitHubUser | null = null;
  let hookId = 1000;
  let outage = false;

  const fake = {
    clientId: 'fake-client-id',
    clientSecret: 'fake-client-secret',
    token: `ghp_${crypto.randomBytes(10).toString('hex')}`,
    statuses: [] as RecordedStatus[],
    hooks: [] as { repo: string; body: Record<string, unknown> }[],
    fileReads: [] as FakeGitHub['fileReads'],
    tokenRequests: 0,
  };

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (/^\/[^/]+\/[^/]+\.git\//.test(url.pathname)) return serveGit(root, req, res);
    void (async () => {
      // --- OAuth web flow
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const redirect = url.searchParams.get('redirect_uri');
        if (url.searchParams.get('client_id') !== fake.clientId || !redirect || !nextUser) return json(res, 400, { error: 'bad authorize request' });
        const code = crypto.randomBytes(8).toString('hex');
        codes.set(code, nextUser);
        const back = new URL(redirect);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        fake.tokenRequests += 1;
        const form = new URLSearchParams(await readBody(req));
        const user = codes.get(form.get('code') ?? '');
        if (form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret || !user) {
          return json(res, 200, { error: 'bad_verification_code' });
        }
        codes.delete(form.get('code') ?? '');
        const token = `gho_${crypto.randomBytes(10).toString('hex')}`;
        tokens.set(token, user);
        return json(res, 200, { access_token: token, token_type: 'bearer', scope: '' });
      }
      // --- REST API
      const auth = req.headers.authorization;
      if (req.method === 'GET' && url.pathname === '/api/v3/user') {
        const user = tokens.get((auth ?? '').replace(/^(Bearer|token) /i, ''));
        if (!user) return json(res, 401, { message: 'Bad credentials' });
        return json(res, 200, { ...user, html_url: `${webUrl}/${user.login}`, type: 'User' });
      }
      if (outage && url.pathname.startsWith('/api/v3/repos/')) return json(res, 503, { message: 'Service Unavailable' });
      // Reads work without a token (public repositories); a wrong token is refused like GitHub does.
      const readAllowed = auth === undefined || auth === `Bearer ${fake.token}`;
      const repository = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && repository) {
        if (!readAllowed) return json(res, 401, { message: 'Bad credentials' });
        const bare = bareOf(`${repository[1]}/${repository[2]}`);
        if (!bare) return json(res, 404, { message: 'Not Found' });
        return json(res, 200, { full_name: `${repository[1]}/${repository[2]}`, private: false, default_branch: git(bare, 'symbolic-ref', '--short', 'HEAD') });
      }
      const contents = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(url.pathname);
      if (req.method === 'GET' && contents) {
        if (!readAllowed) return json(res, 401, { message: 'Bad credentials' });
        const repo = `${contents[1]}/${contents[2]}`;
        const file = decodeURIComponent(contents[3]);
        const ref = url.searchParams.get('ref');
        fake.fileReads.push({ repo, path: file, ref, authorization: auth });
        const bare = bareOf(repo);
        if (!bare || (ref ?? '').startsWith('-')) return json(res, 404, { message: 'Not Found' });
        return serveContents(res, bare, `${ref ?? 'HEAD'}:${file}`, file);
      }
      const status = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(url.pathname);
      if (req.method === 'POST' && status) {
        if (auth !== `Bearer ${fake.token}`) return json(res, 401, { message: 'Bad credentials' });
        const body = JSON.parse(await readBody(req)) as Omit<RecordedStatus, 'repo' | 'sha' | 'authorization'>;
        fake.statuses.push({ repo: `${status[1]}/${status[2]}`, sha: status[3], ...body, authorization: auth });
        return json(res, 201, { id: fake.statuses.length, ...body });
      }
      const hooks = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/hooks$/.exec(url.pathname);
      if (req.method === 'POST' && hooks) {
        if (auth !== `Bearer ${fake.token}`) return json(res, 401, { message: 'Bad credentials' });
        fake.hooks.push({ repo: `${hooks[1]}/${hooks[2]}`, body: JSON.parse(await readBody(req)) as Record<string, unknown> });
        return json(res, 201, { id: ++hookId, type: 'Repository', active: true });
      }
      json(res, 404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  /** The bare repository of `owner/name`, or null when it was never published. */
  const bareOf = (fullName: string) => {
    const bare = path.join(root, `${fullName}.git`);
    return fs.existsSync(bare) ? bare : null;
  };

  /** A file at `spec` (`<ref>:<path>`) the way the contents API shows it: base64 in lines of 60, empty past 1 MB. */
  const serveContents = (res: http.ServerResponse, bare: string, spec: string, file: string) => {
    let type: string;
    try {
      type = git(bare, 'cat-file', '-t', spec);
    } catch {
      return json(res, 404, { message: 'Not Found' });
    }
    // A folder is listed as an array of entries: enough that it is not mistaken for a file.
    if (type !== 'blob') return json(res, 200, [{ type: 'dir', name: path.basename(file), path: file }]);
    const content = execFileSync('git', ['cat-file', 'blob', spec], { cwd: bare });
    const large = content.length > 1024 * 1024;
    return json(res, 200, {
      type: 'file',
      name: path.basename(file),
      path: file,
      sha: git(bare, 'rev-parse', spec),
      size: content.length,
      encoding: large ? 'none' : 'base64',
      content: large ? '' : content.toString('base64').replace(/.{60}/g, '$&\n'),
    });
  };

  const pushTo = (fullName: string, work: string, branch: string) => {
    const bare = path.join(root, `${fullName}.git`);
    if (!fs.existsSync(bare)) {
      fs.mkdirSync(path.dirname(bare), { recursive: true });
      git(root, 'init', '-q', '--bare', bare);
    }
    git(work, 'push', '-q', bare, `HEAD:refs/heads/${branch}`);
    return git(work, 'rev-parse', 'HEAD');
  };

  return {
    ...fake,
    get statuses() {
      return fake.statuses;
    },
    get tokenRequests() {
      return fake.tokenRequests;
    },
    get fileReads() {
      return fake.fileReads;
    },
    setOutage(on) {
      outage = on;
    },
    webUrl,
    apiUrl: `${webUrl}/api/v3`,
    signInAs(user) {
      nextUser = user;
    },
    publish(fullName, sourceDir, branch = 'main') {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-fakegh-work-'));
      fs.cpSync(sourceDir, work, { recursive: true, filter: (from) => !/node_modules|\/dist$/.test(from) });
      git(work, 'init', '-q');
      git(work, 'checkout', '-q', '-b', branch);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'first commit');
      worktrees.set(`${fullName}#${branch}`, work);
      return pushTo(fullName, work, branch);
    },
    commit(fullName, branch, files) {
      const work = worktrees.get(`${fullName}#${branch}`);
      if (!work) throw new Error(`publish ${fullName} on ${branch} first`);
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(work, file);
        if (content === null) fs.rmSync(target, { force: true });
        else {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        }
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '--allow-empty', '-m', `change ${Object.keys(files).join(', ')}`);
      return pushTo(fullName, work, branch);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(root, { recursive: true, force: true });
      for (const work of worktrees.values()) fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A push delivery the way GitHub sends it: headers and a signed JSON body. */
export function pushDelivery(options: {
  repo: string;
  ref: string;
  after: string;
  before?: string;
  secret: string;
  delivery?: string;
  deleted?: boolean;
  created?: boolean;
  changed?: string[];
  /** Files the push added or removed (`changed` are the modified ones). */
  added?: string[];
  removed?: string[];
  /** What a hostile sender would put there: the platform must clone the stored link's URL instead. */
  cloneUrl?: string;
}): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({
    ref: options.ref,
    before: options.before ?? '0'.repeat(40),
    after: options.after,
    created: options.created ?? false,
    deleted: options.deleted ?? false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${options.repo}/compare`,
    commits: options.deleted
      ? []
      : [{ id: options.after, message: 'change', added: options.added ?? [], removed: options.removed ?? [], modified: options.changed ?? ['README.md'] }],
    head_commit: options.deleted ? null : { id: options.after, message: 'change' },
    repository: {
      id: 4242,
      name: options.repo.split('/')[1],
      full_name: options.repo,
      private: false,
      clone_url: options.cloneUrl ?? `https://github.com/${options.repo}.git`,
      html_url: `https://github.com/${options.repo}`,
    },
    pusher: { name: 'learner' },
    sender: { login: 'learner', id: 1 },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fake',
      'x-github-event': 'push',
      'x-github-delivery': options.delivery ?? crypto.randomUUID(),
      'x-hub-signature-256': signPayload(options.secret, body),
    },
  };
}
