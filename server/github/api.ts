/**
 * The few GitHub REST calls the platform makes, with the configured token: commit statuses and
 * webhook creation. Base URL from GITHUB_API_URL (a GitHub Enterprise server, or the tests' fake).
 */
import type { Config } from '../config';

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
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  static fromConfig(config: Config): GitHubApi | null {
    return config.GITHUB_TOKEN ? new GitHubApi(config.GITHUB_API_URL, config.GITHUB_TOKEN) : null;
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

  private async request(method: string, pathname: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${pathname}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.token}`,
          'content-type': 'application/json',
          'user-agent': 'backend-pro',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new GitHubApiError(`GitHub did not answer ${method} ${pathname}: ${(error as Error).message}`, null);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
      } catch {
        // not JSON: keep the text
      }
      throw new GitHubApiError(`GitHub answered ${response.status} to ${method} ${pathname}: ${message}`, response.status);
    }
    return text ? (JSON.parse(text) as unknown) : null;
  }
}

function repoPath(fullName: string): string {
  const [owner, name] = fullName.split('/');
  return `${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`;
}
