/**
 * A real Git server on loopback for tests: `git http-backend` (smart HTTP) behind a node http
 * server. Repositories are made from folders on disk, one commit each, optionally on a branch.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface GitServer {
  url: string;
  /** Publishes a folder as `learner/<name>.git` (one commit on `branch`); returns its clone URL and commit. */
  publish(name: string, sourceDir: string, options?: { branch?: string }): { url: string; commit: string };
  close(): Promise<void>;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    stdio: 'pipe',
  })
    .toString()
    .trim();

/** Serves one smart-HTTP git request from the bare repositories under `root` (`git http-backend`). */
export function serveGit(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const backend = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: req.headers['content-length'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
    },
  });
  req.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  backend.on('close', () => res.end());
}

export async function startGitServer(): Promise<GitServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-git-'));
  const server = http.createServer((req, res) => serveGit(root, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    publish(name, sourceDir, options = {}) {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-gitwork-'));
      fs.cpSync(sourceDir, work, { recursive: true, filter: (from) => !/node_modules|\/dist$/.test(from) });
      git(work, 'init', '-q');
      if (options.branch) git(work, 'checkout', '-q', '-b', options.branch);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'submission');
      const commit = git(work, 'rev-parse', 'HEAD');
      // Repositories live under an owner, like on GitHub: /<owner>/<name>.git
      const bare = path.join(root, 'learner', `${name}.git`);
      fs.mkdirSync(path.dirname(bare), { recursive: true });
      fs.rmSync(bare, { recursive: true, force: true });
      git(root, 'clone', '-q', '--bare', work, bare);
      fs.rmSync(work, { recursive: true, force: true });
      return { url: `${base}/learner/${name}.git`, commit };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
