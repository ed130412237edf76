/**
 * The few GitHub REST calls the platform makes, with the configured token: commit statuses,
 * webhook creation, and reading a file of a learner's repository (backend-pro.yml). Base URL from
 * GITHUB_API_URL (a GitHub Enterprise server, or the tests' fake).
 */
import { z } from 'zod';
import type { Config } from '../../core/config';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

export class GitHubApi {
  constructor(
    private readonly baseUrl: string,
    /** null: anonymous, enough to read public repositories (at a lower rate limit). */
    private readonly token: string | null,
    private readonly timeoutMs = 10_000,
  ) {}

  /** For writes (statuses, webhooks): only with a token. */
  static fromConfig(config: Config): GitHubApi | null {
    return config.GITHUB_TOKEN ? new GitHubApi(config.GITHUB_API_URL, config.GITHUB_TOKEN) : null;
  }

  /** For reads of public repositories: with the token when there is one, anonymous otherwise. */
  static forReading(config: Config, timeoutMs?: number): GitHubApi {
    return new GitHubApi(config.GITHUB_API_URL, config.GITHUB_TOKEN ?? null, timeoutMs);
  }

  /** GET /repos/{owner}/{repo}: the name of its default branch. */
  async getDefaultBranch(repoFullName: string): Promise<string> {
    const body = RepositorySchema.safeParse(await this.request('GET', `/repos/${repoPath(repoFullName)}`));
    if (!body.success) throw new GitHubApiError(`GitHub did not say which branch is the default of ${repoFullName}`, null);
    return body.data.default_branch;
  }

  /**
   * GET /repos/{owner}/{repo}/contents/{path}?ref=: a file at a branch or commit, or null when
   * there is none. `size` comes first so that the caller can refuse a large file unread (GitHub
   * leaves `content` empty past 1 MB).
   */
  async getFile(repoFullName: string, filePath: string, ref: string): Promise<{ size: number; content: Buffer } | null> {
    const pathname = `/repos/${repoPath(repoFullName)}/contents/${filePath.split('/').map(encodeURIComponent).join('/')}?ref=${encodeURIComponent(ref)}`;
    let body: unknown;
    try {
      body = await this.request('GET', pathname);
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) return null;
      throw error;
    }
    const file = FileSchema.safeParse(body);
    if (!file.success) throw new GitHubApiError(`${filePath} in ${repoFullName}@${ref} is not a file`, null);
    return { size: file.data.size, content: file.data.encoding === 'base64' ? Buffer.from(file.data.content, 'base64') : Buffer.alloc(0) };
  }

  /** POST /repos/{owner}/{repo}/statuses/{sha}: description at most 140 characters (GitHub's limit). */
  async createCommitStatus(
    repoFullName: string,
    sha: string,
    status: { state: CommitState; description: string; targetUrl: string; context: string },
  ): Promise<void> {
    await this.request('POST', `/repos/${repoPath(repoFullName)}/statuses/${encodeURIComponent(sha)}`, {
      state: status.state,
      description: status.description.slice(0, 140),
      target_url: status.targetUrl,
      context: status.context,
    });
  }

  /** POST /repos/{owner}/{repo}/hooks: a push webhook to `url`, signed with `secret`. Returns its id. */
  async createPushWebhook(repoFullName: string, url: string, secret: string): Promise<number> {
    const body = await this.request('POST', `/repos/${repoPath(repoFullName)}/hooks`, {
      name: 'web',
      active: true,
      events: ['push'],
      config: { url, content_type: 'json', secret, insecure_ssl: '0' },
    });
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') throw new GitHubApiError('GitHub created the webhook but did not return its id', null);
    return id;
  }

  private async request(method: string, pathname: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${pathname}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'user-agent': 'backend-pro',
          'x-github-api-version': '2022-11-28',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new GitHubApiError(`GitHub did not answer ${method} ${pathname}: ${(error as Error).message}`, null);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        const parsed = (JSON.parse(text) as { message?: unknown }).message;
        if (typeof parsed === 'string') message = parsed;
        else if (parsed !== undefined && parsed !== null) message = JSON.stringify(parsed);
      } catch {
        // not JSON: keep the text
      }
      throw new GitHubApiError(`GitHub answered ${response.status} to ${method} ${pathname}: ${message}`, response.status);
    }
    return text ? (JSON.parse(text) as unknown) : null;
  }
}

const RepositorySchema = z.object({ default_branch: z.string().min(1) });

/** A file of the contents API (a folder is an array, a symlink or submodule has another type). */
const FileSchema = z.object({
  type: z.literal('file'),
  size: z.number().int().nonnegative(),
  encoding: z.string().optional(),
  content: z.string().default(''),
});

function repoPath(fullName: string): string {
  const [owner, name] = fullName.split('/');
  return `${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`;
}
