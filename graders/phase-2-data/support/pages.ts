/** Reading GET /posts pages: shape checks, and walking nextCursor to the end. */
import { call } from '../../harness/context';
import { ensure, expectStatus, fail, showBody, type HttpExchange } from '../../harness/feedback';
import { isRecord } from '../../shared/project-1/api';
import { someOf } from '../../shared/lists';

export interface ListedPost {
  id: string;
  title?: unknown;
  body?: unknown;
  author?: unknown;
  tags?: unknown;
  createdAt?: unknown;
}

export interface Page {
  response: HttpExchange;
  data: ListedPost[];
  nextCursor: string | null;
}

/** `/posts?a=1&b=2`, values URL-encoded. */
export function postsPath(params: Record<string, string | number | undefined>): string {
  const query = Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return query ? `/posts?${query}` : '/posts';
}

/** GET /posts with these parameters; fails unless it is a 200 `{ data: [...], nextCursor }`. */
export async function getPage(params: Record<string, string | number | undefined>, when = ''): Promise<Page> {
  const response = await call('GET', postsPath(params));
  expectStatus(response, 200, {
    when,
    fix: 'List the live posts with `200 OK` and `{ "data": [...], "nextCursor": "…" | null }`.',
  });
  return readPage(response);
}

export function readPage(response: HttpExchange): Page {
  const body = isRecord(response.body) ? response.body : undefined;
  const data = body?.data;
  const nextCursor = body?.nextCursor;
  ensure(
    Array.isArray(data) && data.every((post) => isRecord(post) && typeof post.id === 'string'),
    `\`${response.method} ${response.path}\` answered 200 without a \`data\` array of posts (each with an \`id\`).\n\n${showBody(response)}`,
  );
  ensure(
    nextCursor === null || (typeof nextCursor === 'string' && nextCursor.length > 0),
    `\`${response.method} ${response.path}\` answered \`nextCursor\` ${JSON.stringify(nextCursor)}; expected a non-empty string or \`null\`.\n\n${showBody(response)}`,
  );
  return { response, data: data as ListedPost[], nextCursor: nextCursor };
}

/** Follows nextCursor from the first page until it is null (or `maxPages`), keeping every page. */
export async function walkPages(params: Record<string, string | number | undefined>, maxPages: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i += 1) {
    const page = await getPage({ ...params, cursor }, i === 0 ? '(first page)' : `(page ${i + 1}, through nextCursor)`);
    pages.push(page);
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
  return fail(
    `Following \`nextCursor\` from \`${postsPath(params)}\` gave ${maxPages} pages and still a cursor; expected ` +
      `\`nextCursor: null\` on the last page, far sooner. Does each page continue after the previous one?`,
  );
}

/** Compares the ids a walk returned with the expected ones; the problems in words (empty when equal). */
export function compareWalk(pages: Page[], expected: string[], label: (id: string) => string): string[] {
  const seen = pages.flatMap((page) => page.data.map((post) => post.id));
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => label(id));
  const missing = expected.filter((id) => !counts.has(id)).map(label);
  const extra = [...counts.keys()].filter((id) => !expected.includes(id)).map(label);
  if (repeated.length) problems.push(`returned more than once: ${someOf(repeated, 6)}`);
  if (missing.length) problems.push(`never returned: ${someOf(missing, 6)}`);
  if (extra.length) problems.push(`not expected here: ${someOf(extra, 6)}`);
  if (!problems.length && JSON.stringify(seen) !== JSON.stringify(expected)) {
    const at = seen.findIndex((id, i) => id !== expected[i]);
    problems.push(`out of order from position ${at + 1}: got ${label(seen[at] ?? '')}, expected ${label(expected[at] ?? '')}`);
  }
  return problems;
}

/** "5, 5, 3 (then null)" */
export const pageSizes = (pages: Page[]): string =>
  `${pages.map((page) => page.data.length).join(', ')}${pages.at(-1)?.nextCursor === null ? ' (then `nextCursor: null`)' : ''}`;
