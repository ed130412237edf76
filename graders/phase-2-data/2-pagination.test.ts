import { call } from '../harness/context';
import { ensure, expectStatus, fail, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { UUID } from '../shared/project-1/api';
import { compareWalk, getPage, pageSizes, postsPath, walkPages } from './support/pages';
import { compareIds, insertAuthor, insertPosts, markDeleted, type SeededPost, timestamp } from './support/seed';
import { expectFieldError } from './support/fields';

const check = useChecks(checks);

/** Newest first, ties by id descending: the default order. The literals share one format, so text order is time order. */
const newestFirst = (a: SeededPost, b: SeededPost): number => (a.createdAt === b.createdAt ? compareIds(b.id, a.id) : a.createdAt < b.createdAt ? 1 : -1);

const labeller = (posts: SeededPost[]) => (id: string) => {
  const post = posts.find((p) => p.id === id);
  return post ? `"${post.title}"` : show(id);
};

/** `count` posts of one new author, one second apart from `base`. */
async function authorWithPosts(count: number, base: string): Promise<{ authorId: string; posts: SeededPost[] }> {
  const author = await insertAuthor();
  const posts = await insertPosts(
    author.id,
    Array.from({ length: count }, (_, i) => ({ title: `Post ${String(i + 1).padStart(2, '0')}`, createdAt: timestamp(base, i) })),
  );
  return { authorId: author.id, posts };
}

check('pagination.limit-bounds', async () => {
  const { authorId } = await authorWithPosts(23, '2021-06-01T00:00:00Z');
  const byDefault = await getPage({ authorId }, 'without `limit` (the author has 23 posts)');
  ensure(
    byDefault.data.length === 20 && byDefault.nextCursor !== null,
    `\`GET /posts?authorId=…\` without \`limit\` returned ${byDefault.data.length} of the author's 23 posts and ` +
      `\`nextCursor\` ${show(byDefault.nextCursor, 40)}; expected 20 posts (the default limit) and a cursor.`,
  );
  const three = await getPage({ authorId, limit: 3 }, 'with `limit=3`');
  ensure(three.data.length === 3, `\`GET /posts?limit=3\` returned ${three.data.length} posts; expected 3.`);
  const all = await getPage({ authorId, limit: 100 }, 'with `limit=100`');
  ensure(
    all.data.length === 23 && all.nextCursor === null,
    `\`GET /posts?limit=100\` returned ${all.data.length} of the author's 23 posts and \`nextCursor\` ${show(all.nextCursor, 40)}; ` +
      'expected all 23 and `nextCursor: null` (no post follows).',
  );
  for (const limit of ['0', '101', '-1', '2.5', 'abc']) {
    const res = await call('GET', postsPath({ authorId, limit }));
    expectFieldError(res, 'limit', `(\`limit=${limit}\`)`, '`limit` is an integer from 1 to 100: refuse anything else, never clamp it.');
  }
});

check('pagination.walk-every-page', async () => {
  const { authorId, posts } = await authorWithPosts(23, '2021-07-01T00:00:00Z');
  const label = labeller(posts);
  const walks: Array<[Record<string, string | number>, SeededPost[], string]> = [
    [{ authorId, limit: 5 }, [...posts].reverse(), 'newest first'],
    [{ authorId, limit: 7, sort: 'createdAt' }, posts, 'oldest first'],
    [{ authorId, limit: 4, sort: '-title' }, [...posts].reverse(), 'by title, descending'],
  ];
  for (const [params, expected, order] of walks) {
    const pages = await walkPages(params, 30);
    const problems = compareWalk(
      pages,
      expected.map((p) => p.id),
      label,
    );
    const oversized = pages.find((page) => page.data.length > Number(params.limit));
    if (oversized) problems.push(`a page holds ${oversized.data.length} posts, more than \`limit=${params.limit}\``);
    ensure(
      problems.length === 0,
      `Walking \`${postsPath(params)}\` through \`nextCursor\` (the author has 23 posts, expected ${order}) gave pages of ` +
        `${pageSizes(pages)} posts, but posts were ${problems.join('; ')}. Each page must start right after the last post of ` +
        'the previous one, in the same order.',
    );
  }
});

check('pagination.ties', async () => {
  const author = await insertAuthor();
  const same = '2021-08-01 09:00:00.000000+00';
  const posts = await insertPosts(author.id, [
    ...Array.from({ length: 3 }, (_, i) => ({ title: `After ${i + 1}`, createdAt: timestamp('2021-08-01T09:00:00Z', 10 + i) })),
    ...Array.from({ length: 12 }, (_, i) => ({ title: `Same time ${String(i + 1).padStart(2, '0')}`, createdAt: same })),
    ...Array.from({ length: 3 }, (_, i) => ({ title: `Before ${i + 1}`, createdAt: timestamp('2021-08-01T09:00:00Z', -10 - i) })),
  ]);
  const label = labeller(posts);
  const newest = [...posts].sort(newestFirst);
  const walks: Array<[Record<string, string | number>, SeededPost[], string]> = [
    [{ authorId: author.id, limit: 5 }, newest, '`created_at DESC, id DESC`'],
    [{ authorId: author.id, limit: 4, sort: 'createdAt' }, [...newest].reverse(), '`created_at ASC, id ASC`'],
  ];
  for (const [params, expected, order] of walks) {
    const pages = await walkPages(params, 30);
    const problems = compareWalk(
      pages,
      expected.map((p) => p.id),
      label,
    );
    ensure(
      problems.length === 0,
      `Walking \`${postsPath(params)}\` (18 posts, 12 of them with exactly the same \`created_at\`) gave pages of ` +
        `${pageSizes(pages)} posts, but posts were ${problems.join('; ')}. Expected the order ${order}: break ties on the ` +
        'sort field by `id`, and put both the sort value and the id in the cursor (`WHERE (created_at, id) < ($1, $2)`).',
    );
  }
});

check('pagination.microseconds', async () => {
  const author = await insertAuthor();
  const posts = await insertPosts(author.id, [
    ...Array.from({ length: 8 }, (_, i) => ({ title: `Micro ${i + 1}`, createdAt: `2021-09-01 12:00:00.123${String(i + 1).padStart(3, '0')}+00` })),
    ...Array.from({ length: 2 }, (_, i) => ({ title: `Later ${i + 1}`, createdAt: `2021-09-01 12:00:00.124${String(i + 1).padStart(3, '0')}+00` })),
  ]);
  const pages = await walkPages({ authorId: author.id, limit: 3 }, 20);
  const expected = [...posts].sort(newestFirst);
  const problems = compareWalk(
    pages,
    expected.map((p) => p.id),
    labeller(posts),
  );
  ensure(
    problems.length === 0,
    `Walking \`GET /posts?authorId=…&limit=3\` over 10 posts whose \`created_at\` differ only in their microseconds ` +
      `(\`…00.123001\` to \`…00.124002\`) gave pages of ${pageSizes(pages)} posts, but posts were ${problems.join('; ')}. ` +
      'A JavaScript `Date` keeps milliseconds only: put the exact `created_at` in the cursor (for example ' +
      '`to_char(created_at, \'YYYY-MM-DD"T"HH24:MI:SS.US\')` or `created_at::text`).',
  );
});

check('pagination.stable-under-writes', async () => {
  const { authorId, posts } = await authorWithPosts(15, '2021-10-01T00:00:00Z');
  const newest = [...posts].reverse();
  const first = await getPage({ authorId, limit: 5 }, '(first page, `limit=5`)');
  const firstIds = first.data.map((p) => p.id);
  ensure(
    JSON.stringify(firstIds) === JSON.stringify(newest.slice(0, 5).map((p) => p.id)) && first.nextCursor,
    `The first page of \`GET /posts?authorId=…&limit=5\` is ${show(first.data.map((p) => p.title))}; expected the 5 newest ` +
      `posts ${show(newest.slice(0, 5).map((p) => p.title))} and a \`nextCursor\`.`,
  );
  // Between the two requests: three newer posts appear, two posts of page 1 (its last one too) are deleted.
  const added = await insertPosts(
    authorId,
    Array.from({ length: 3 }, (_, i) => ({ title: `Added later ${i + 1}`, createdAt: timestamp('2021-10-01T01:00:00Z', i) })),
  );
  await markDeleted([firstIds[1], firstIds[4]]);
  const rest = [];
  let cursor: string | null = first.nextCursor;
  for (let i = 0; cursor && i < 10; i += 1) {
    const page = await getPage({ authorId, limit: 5, cursor }, '(through the cursor of page 1)');
    rest.push(page);
    cursor = page.nextCursor;
  }
  const problems = compareWalk(
    rest,
    newest.slice(5).map((p) => p.id),
    labeller([...posts, ...added]),
  );
  ensure(
    problems.length === 0,
    'After page 1 of `GET /posts?authorId=…&limit=5` was fetched, 3 newer posts were created and 2 posts of page 1 ' +
      `(among them its last) were soft-deleted. The following pages (${rest.map((p) => p.data.length).join(', ')} posts) ` +
      `should hold exactly the 10 older posts, in order, but posts were ${problems.join('; ')}. ` +
      "That is what OFFSET pagination does: use a keyset cursor that holds the last post's sort value and id " +
      '(`WHERE (created_at, id) < ($1, $2)`), never a position, and do not look the last post up again.',
  );
});

check('pagination.bad-cursor-400', async () => {
  const { authorId, posts } = await authorWithPosts(6, '2021-11-01T00:00:00Z');
  const first = await getPage({ authorId, limit: 2 }, '(first page, `limit=2`)');
  const cursor = first.nextCursor;
  if (!cursor) fail("The first page of 2 of an author's 6 posts answered `nextCursor: null`; expected a cursor.");
  ensure(
    cursor.length <= 512 && !/^\d+$/.test(cursor) && !UUID.test(cursor) && !posts.some((p) => cursor.includes(p.id)),
    `\`nextCursor\` is ${show(cursor, 80)}; expected an opaque string of at most 512 characters: not a bare number, ` +
      'not a post id in clear (encode it, for example base64url of JSON, and better sign it).',
  );
  const control = await call('GET', postsPath({ authorId, limit: 2, cursor }));
  expectStatus(control, 200, { when: 'with the `nextCursor` of page 1', fix: 'A cursor your API issued must work.' });
  const b64 = (text: string): string => Buffer.from(text).toString('base64url');
  const forged: Array<[string, string, Record<string, string>]> = [
    ['!!!', 'the cursor `!!!`', {}],
    ['abc', 'the cursor `abc`', {}],
    [b64('{}'), 'the base64url of `{}` as cursor', {}],
    [b64('null'), 'the base64url of `null` as cursor', {}],
    [cursor.slice(0, Math.floor(cursor.length / 2)), 'a real cursor cut to half its length', {}],
    [cursor, 'a `-createdAt` cursor sent with `sort=title`', { sort: 'title' }],
  ];
  for (const [value, what, extra] of forged) {
    const res = await call('GET', postsPath({ authorId, limit: 2, ...extra, cursor: value }));
    ensure(
      res.status === 400,
      `\`GET /posts\` with ${what} answered **${res.status}**; expected **400**. ${res.status >= 500 ? 'Decoding a cursor must never crash: ' : ''}` +
        'Decode cursors defensively and answer 400 for anything your API did not issue for this sort.\n\n' +
        showBody(res),
    );
  }
});
