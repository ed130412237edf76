import { call, db } from '../harness/context';
import { ensure, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { getPage, postsPath } from './support/pages';
import { insertAuthor, insertPosts, uniqueSuffix } from './support/seed';
import { expectFieldError } from './support/fields';

const check = useChecks(checks);

check('filtering.sort-orders', async () => {
  const author = await insertAuthor();
  // Titles whose alphabetical order differs from their age; lowercase ASCII, so every collation agrees.
  const fruits = ['mango', 'apple', 'kiwi', 'cherry', 'banana', 'date'];
  const posts = await insertPosts(
    author.id,
    fruits.map((fruit, i) => ({ title: `${fruit} pie`, createdAt: `2022-01-0${i + 1} 08:00:00.000000+00` })),
  );
  const byTitle = [...posts].sort((a, b) => (a.title < b.title ? -1 : 1));
  const expectations: Array<[string, typeof posts]> = [
    ['-createdAt', [...posts].reverse()],
    ['createdAt', posts],
    ['title', byTitle],
    ['-title', [...byTitle].reverse()],
  ];
  for (const [sort, expected] of expectations) {
    const page = await getPage({ authorId: author.id, sort, limit: 10 }, `(\`sort=${sort}\`)`);
    const titles = page.data.map((p) => p.title);
    ensure(
      JSON.stringify(titles) === JSON.stringify(expected.map((p) => p.title)),
      `\`GET /posts?authorId=…&sort=${sort}\` listed ${show(titles)}; expected ${show(expected.map((p) => p.title))}. ` +
        '`title` sorts A to Z, `createdAt` oldest first; a leading `-` reverses the order.',
    );
  }
});

/** Undocumented `sort` values: columns that exist but are not documented, and values that are not columns at all. */
const UNDOCUMENTED_SORTS = ['password_hash', 'likes', 'created_at', 'author_id', 'title desc', '-createdAt,id', 'title;DROP TABLE posts', '(SELECT 1)'];

// The security half (required): an undocumented sort is refused and never reaches SQL. Any 4xx passes here;
// the exact 400 naming `sort` is filtering.unknown-sort-400.
check('filtering.sort-not-sql', async () => {
  const author = await insertAuthor();
  await insertPosts(author.id, [{ createdAt: '2022-02-01 08:00:00.000000+00' }, { createdAt: '2022-02-02 08:00:00.000000+00' }]);
  for (const sort of UNDOCUMENTED_SORTS) {
    const res = await call('GET', postsPath({ authorId: author.id, sort }));
    ensure(
      res.status >= 400 && res.status < 500,
      `\`GET /posts\` with \`sort=${sort}\` answered **${res.status}**; expected the request refused (400). ` +
        (res.status >= 500
          ? 'A 500 suggests the value reached your SQL: '
          : 'The app accepted a sort that is not documented, so it orders by a column the client chose (a hash, say): ') +
        'map each documented `sort` value to a fixed ORDER BY, refuse anything else before any query runs, and never ' +
        `build SQL from the parameter.\n\n${showBody(res)}`,
    );
  }
  const { rows } = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM posts WHERE author_id = $1`, [author.id]);
  ensure(rows[0]?.n === 2, `After those requests the author's posts number ${rows[0]?.n}; expected 2, untouched.`);
});

check('filtering.unknown-sort-400', async () => {
  const author = await insertAuthor();
  for (const sort of UNDOCUMENTED_SORTS) {
    const res = await call('GET', postsPath({ authorId: author.id, sort }));
    expectFieldError(
      res,
      'sort',
      `with \`sort=${sort}\``,
      `Only \`createdAt\`, \`-createdAt\`, \`title\` and \`-title\` are valid: answer 400 for anything else${res.status >= 500 ? ' (a 500 here suggests the value reached your SQL)' : ''}.`,
    );
  }
});

check('filtering.unknown-param-400', async () => {
  const author = await insertAuthor();
  const cases: Array<[string, string, string]> = [
    [`${postsPath({ authorId: author.id })}&offset=5`, 'offset', 'with `offset=5`'],
    [`${postsPath({ authorId: author.id })}&page=2`, 'page', 'with `page=2`'],
    [`${postsPath({ authorId: author.id })}&limit=5&limit=6`, 'limit', 'with `limit` given twice'],
    [`${postsPath({ authorId: author.id })}&cursor=`, 'cursor', 'with an empty `cursor=`'],
  ];
  for (const [path, field, when] of cases) {
    const res = await call('GET', path);
    expectFieldError(res, field, when, 'Accept only `limit`, `cursor`, `sort`, `authorId` and `tag`, each once and non-empty.');
  }
});

check('filtering.author-and-tag', async () => {
  const [a, b] = [await insertAuthor(), await insertAuthor()];
  const s = uniqueSuffix();
  const [t1, t2] = [`red-${s}`, `blue-${s}`];
  const [p1, p2, p3, p4] = await insertPosts(a.id, [
    { title: 'A red', createdAt: '2022-03-01 08:00:00.000000+00', tags: [t1] },
    { title: 'A blue', createdAt: '2022-03-02 08:00:00.000000+00', tags: [t2] },
    { title: 'A red and blue', createdAt: '2022-03-03 08:00:00.000000+00', tags: [t1, t2] },
    { title: 'A untagged', createdAt: '2022-03-04 08:00:00.000000+00' },
  ]);
  const [p5] = await insertPosts(b.id, [{ title: 'B red', createdAt: '2022-03-05 08:00:00.000000+00', tags: [t1] }]);
  const cases: Array<[Record<string, string>, string, Array<typeof p1>]> = [
    [{ authorId: a.id }, "author A's posts", [p4, p3, p2, p1]],
    [{ tag: t1 }, `the posts tagged \`${t1}\``, [p5, p3, p1]],
    [{ authorId: a.id, tag: t1 }, `author A's posts tagged \`${t1}\``, [p3, p1]],
    [{ authorId: a.id, tag: t2 }, `author A's posts tagged \`${t2}\``, [p3, p2]],
    [{ authorId: b.id, tag: t2 }, 'nothing (author B has no such post)', []],
    [{ tag: `nosuchtag-${s}` }, 'nothing (no post has that tag)', []],
    [{ authorId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' }, 'nothing (no such author)', []],
  ];
  const names = (posts: Array<{ title?: unknown }>) => posts.map((p) => p.title);
  for (const [params, what, expected] of cases) {
    const page = await getPage({ ...params, limit: 20 }, '');
    ensure(
      JSON.stringify(page.data.map((p) => p.id)) === JSON.stringify(expected.map((p) => p.id)) && (expected.length > 0 || page.nextCursor === null),
      `\`${page.response.path}\` listed ${show(names(page.data))} (\`nextCursor\` ${show(page.nextCursor, 30)}); expected ` +
        `${what}: ${show(names(expected))}${expected.length ? '' : ' with `nextCursor: null`, a 200 and not a 404'}. ` +
        'Filters combine with AND, and soft-deleted posts never count.\n\n' +
        showBody(page.response, 400),
    );
  }
  const tagged = await getPage({ tag: t1 }, '');
  const both = tagged.data.find((p) => p.id === p3.id);
  ensure(
    JSON.stringify(both?.tags) === JSON.stringify([t1, t2].sort()),
    `In \`GET /posts?tag=${t1}\`, the post "A red and blue" has \`tags\` ${show(both?.tags)}; expected all its tags ` +
      `${show([t1, t2].sort())}, not only the one filtered on. Filter with \`EXISTS\` (or a sub-select), not by joining the tags you return.`,
  );
  const invalid = await call('GET', postsPath({ authorId: 'not-a-uuid' }));
  expectFieldError(invalid, 'authorId', 'with `authorId=not-a-uuid`', '`authorId` must be a UUID.');
});
