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
  /** Every request received, as "METHOD /path?query", in order. */
  requests: string[];
  /** Publishes a folder as `learner/<name>.git` (one commit on `branch`); returns its clone URL and commit. */
  publish(name: string, sourceDir: string, options?: { branch?: string }): Published;
  /**
   * Publishes a tree written entry by entry with `git fast-import` (one commit on `branch`, default
   * main): what a folder on disk cannot hold, such as symlinks to host paths, gitlinks (submodules)
   * or tens of thousands of files, made in a second. Entries with the same content (the same
   * string, or the same Buffer object) share one blob, so a thousand copies of a 10 MB file or a
   * million small files make a pack of a few KB, like a hostile repository's.
   */
  publishTree(name: string, entries: Iterable<TreeEntry>, options?: { branch?: string }): Published;
  close(): Promise<void>;
}

export interface Published {
  url: string;
  commit: string;
  /** The bare repository on disk. */
  dir: string;
}

/**
 * One entry of a tree: a file (100644 / 100755), a symlink (120000: `content` is its target) or a
 * gitlink (160000: `content` is the commit id it points at, which need not exist).
 */
export interface TreeEntry {
  path: string;
  content: string | Buffer;
  mode?: '100644' | '100755' | '120000' | '160000';
}

/**
 * The `git fast-import` stream of one commit holding `entries`: each distinct content once, as a
 * marked blob before the commit, then one line per path naming its blob's mark.
 */
function fastImportStream(entries: Iterable<TreeEntry>, branch: string): Buffer {
  const blobs: Buffer[] = [];
  const marks = new Map<string | Buffer, number>();
  // Paths in chunks of text: a million one-line Buffers would cost more than the repository.
  const lines: string[] = [];
  for (const entry of entries) {
    if (/[\n"]/.test(entry.path) || entry.path.startsWith('/')) throw new Error(`unsupported path in a test tree: ${entry.path}`);
    const mode = entry.mode ?? '100644';
    if (mode === '160000') {
      lines.push(`M 160000 ${entry.content.toString()} ${entry.path}\n`);
      continue;
    }
    let mark = marks.get(entry.content);
    if (mark === undefined) {
      mark = marks.size + 1;
      marks.set(entry.content, mark);
      const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content);
      blobs.push(Buffer.from(`blob\nmark :${mark}\ndata ${data.length}\n`), data, Buffer.from('\n'));
    }
    lines.push(`M ${mode} :${mark} ${entry.path}\n`);
  }
  const commit = `commit refs/heads/${branch}\ncommitter Test <test@example.com> 1700000000 +0000\ndata 10\nsubmission\n`;
  return Buffer.concat([...blobs, Buffer.from(commit + lines.join('') + '\n')]);
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

/**
 * A git server for one test file: started before its tests; after them closed, and `folders` (the
 * file's temporary ones) removed. The returned function gives the server, from beforeAll on.
 */
export function gitServerForTests(...folders: string[]): () => GitServer {
  let server: GitServer | undefined;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server?.close();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });
  return () => server!;
}

export async function startGitServer(): Promise<GitServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-git-'));
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    serveGit(root, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const barePath = (name: string) => {
    // Repositories live under an owner, like on GitHub: /<owner>/<name>.git
    const bare = path.join(root, 'learner', `${name}.git`);
    fs.mkdirSync(path.dirname(bare), { recursive: true });
    fs.rmSync(bare, { recursive: true, force: true });
    return bare;
  };
  return {
    url: base,
    requests,
    publishTree(name, entries, options = {}) {
      const branch = options.branch ?? 'main';
      const bare = barePath(name);
      git(root, 'init', '-q', '--bare', bare);
      execFileSync('git', ['fast-import', '--quiet'], {
        cwd: bare,
        input: fastImportStream(entries, branch),
        stdio: ['pipe', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
      git(bare, 'symbolic-ref', 'HEAD', `refs/heads/${branch}`);
      return { url: `${base}/learner/${name}.git`, commit: git(bare, 'rev-parse', `refs/heads/${branch}`), dir: bare };
    },
    publish(name, sourceDir, options = {}) {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-gitwork-'));
      fs.cpSync(sourceDir, work, { recursive: true, filter: (from) => !/node_modules|\/dist$/.test(from) });
      git(work, 'init', '-q');
      if (options.branch) git(work, 'checkout', '-q', '-b', options.branch);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'submission');
      const commit = git(work, 'rev-parse', 'HEAD');
      const bare = barePath(name);
      git(root, 'clone', '-q', '--bare', work, bare);
      fs.rmSync(work, { recursive: true, force: true });
      return { url: `${base}/learner/${name}.git`, commit, dir: bare };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
