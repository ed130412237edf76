/**
 * Validation of what a learner submits: repository URL, branch/ref and subdirectory.
 * Used by the web form, the webhook and the worker (defence in depth): a user string never
 * reaches git as an option, and only allowed hosts are cloned.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface RepoUrlPolicy {
  /** Hosts cloned over https. */
  allowedHosts: string[];
  /** Hosts also allowed over plain http (dev/test only, e.g. 127.0.0.1). */
  httpHosts: string[];
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;

export function checkRepoUrl(raw: string, policy: RepoUrlPolicy): Checked<string> {
  const input = raw.trim();
  if (!input) return { ok: false, reason: 'Enter the URL of your Git repository, e.g. https://github.com/you/auth-service.' };
  if (input.length > 500) return { ok: false, reason: 'The repository URL is longer than 500 characters.' };
  if (CONTROL_OR_SPACE.test(input)) return { ok: false, reason: 'The repository URL contains spaces or control characters.' };
  if (input.startsWith('-')) return { ok: false, reason: 'The repository URL must not start with "-".' };
  if (/^[a-z][a-z0-9+.-]*::/i.test(input)) return { ok: false, reason: 'Git transport helpers such as "ext::" are not accepted: use an https:// URL.' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: `"${input.slice(0, 100)}" is not a valid URL: use the https:// address of your repository.` };
  }
  const host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  const hostname = url.hostname.toLowerCase();
  const matches = (list: string[]) => list.includes(host.toLowerCase()) || list.includes(hostname);
  if (url.protocol === 'http:' && !matches(policy.httpHosts)) {
    return { ok: false, reason: 'Only https:// repository URLs are accepted.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `The "${url.protocol.replace(/:$/, '')}" scheme is not accepted: use the https:// URL of your repository.` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'Remove the credentials from the URL: the repository must be public.' };
  }
  if (!matches(policy.allowedHosts) && !matches(policy.httpHosts)) {
    return { ok: false, reason: `Repositories on "${hostname}" are not accepted. Allowed hosts: ${policy.allowedHosts.join(', ')}.` };
  }
  if (url.search || url.hash) return { ok: false, reason: 'Remove the "?…" or "#…" part from the repository URL.' };
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length < 2 || segments.some((segment) => segment.startsWith('-') || segment === '..' || segment === '.')) {
    return { ok: false, reason: 'The URL should point at a repository, like https://github.com/owner/repository.' };
  }
  return { ok: true, value: `${url.protocol}//${host}/${segments.join('/')}` };
}

/** A branch or tag name: git's rules, plus never starting with "-" so it cannot be an option. */
export function checkRef(raw: string | undefined | null): Checked<string | null> {
  const ref = (raw ?? '').trim();
  if (!ref) return { ok: true, value: null };
  const valid =
    ref.length <= 200 &&
    /^[A-Za-z0-9._/-]+$/.test(ref) &&
    !ref.startsWith('-') &&
    !ref.startsWith('/') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.lock') &&
    !ref.includes('..') &&
    !ref.includes('//');
  return valid ? { ok: true, value: ref } : { ok: false, reason: `"${ref.slice(0, 100)}" is not a valid branch name.` };
}

/** A folder inside the repository, relative, never escaping it. */
export function checkSubdir(raw: string | undefined | null): Checked<string | null> {
  const subdir = (raw ?? '')
    .trim()
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (!subdir) return { ok: true, value: null };
  const segments = subdir.split('/');
  const valid =
    subdir.length <= 200 &&
    /^[A-Za-z0-9._/-]+$/.test(subdir) &&
    !subdir.startsWith('/') &&
    segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.startsWith('-'));
  return valid ? { ok: true, value: subdir } : { ok: false, reason: `"${subdir.slice(0, 100)}" is not a valid folder inside the repository.` };
}
