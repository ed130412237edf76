import { call, db } from '../harness/context';
import { ensure, expectStatus, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { isRecord, signedInUser, unknownUuid, UUID } from '../shared/project-1/api';
import { getPage } from './support/pages';
import { insertAuthor, insertPosts, uniqueSuffix } from './support/seed';
import { expectFieldError } from './support/fields';

const check = useChecks(checks);

/** What is wrong with a post body, compared with what the contract says it must be. */
function postProblems(
  body: unknown,
  expected: { id?: string; title: string; body: string; author: { id: string; name: string }; tags: string[]; createdAt?: string },
): string[] {
  if (!isRecord(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  if (typeof body.id !== 'string' || !UUID.test(body.id)) problems.push(`\`id\` is ${show(body.id)}; expected a UUID`);
  if (expected.id && body.id !== expected.id) problems.push(`\`id\` is ${show(body.id)}; expected ${show(expected.id)}`);
  if (body.title !== expected.title) problems.push(`\`title\` is ${show(body.title, 80)}; expected ${show(expected.title, 80)}`);
  if (body.body !== expected.body) problems.push(`\`body\` is ${show(body.body, 80)}; expected ${show(expected.body, 80)}`);
  const author = body.author;
  if (!isRecord(author) || author.id !== expected.author.id || author.name !== expected.author.name) {
    problems.push(`\`author\` is ${show(author)}; expected ${show(expected.author)}`);
  } else if (Object.keys(author).sort().join() !== 'id,name') {
    problems.push(`\`author\` has the keys ${show(Object.keys(author))}; expected only \`id\` and \`name\` (never the email or the hash)`);
  }
  if (JSON.stringify(body.tags) !== JSON.stringify(expected.tags)) {
    problems.push(`\`tags\` is ${show(body.tags)}; expected ${show(expected.tags)} (tag names, sorted, \`[]\` when none)`);
  }
  const createdAt = typeof body.createdAt === 'string' ? Date.parse(body.createdAt) : NaN;
  if (Number.isNaN(createdAt)) {
    problems.push(`\`createdAt\` is ${show(body.createdAt)}; expected an ISO 8601 date`);
  } else if (expected.createdAt && Math.abs(createdAt - Date.parse(expected.createdAt)) > 1) {
    problems.push(`\`createdAt\` is ${show(body.createdAt)}; expected ${show(new Date(Date.parse(expected.createdAt)).toISOString())}`);
  }
  return problems;
}

check('posts.create-with-tags', async () => {
  const { user, id, tokens } = await signedInUser('poster');
  const s = uniqueSuffix();
  const input = { title: `Indexes, explained ${s}`, body: 'A B-tree is a balanced tree.', tags: [`zeta-${s}`, `alpha-${s}`] };
  const created = await call('POST', '/posts', { token: tokens.accessToken, body: input });
  expectStatus(created, 201, { when: 'with a valid title, body and two tags', fix: 'Create the post and answer `201 Created` with it.' });
  const expected = { ...input, author: { id, name: user.name }, tags: [`alpha-${s}`, `zeta-${s}`] };
  let problems = postProblems(created.body, expected);
  ensure(problems.length === 0, `\`POST /posts\` answered 201, but:\n- ${problems.join('\n- ')}\n\n${showBody(created)}`);
  const postId = (created.body as { id: string }).id;

  const read = await call('GET', `/posts/${postId}`);
  expectStatus(read, 200, { when: 'for the post just created', fix: 'Answer `200 OK` with the post.' });
  problems = postProblems(read.body, { ...expected, id: postId });
  ensure(problems.length === 0, `\`GET /posts/:id\` answered 200, but:\n- ${problems.join('\n- ')}\n\n${showBody(read)}`);

  expectStatus(await call('GET', '/posts/not-a-uuid'), 400, { when: '(a malformed id)', fix: 'A non-UUID id is a `400`.' });
  expectStatus(await call('GET', `/posts/${unknownUuid()}`), 404, { when: '(an id no post has)', fix: 'An unknown id is a `404`.' });

  const untagged = await call('POST', '/posts', { token: tokens.accessToken, body: { title: `No tags ${s}`, body: 'Plain.' } });
  expectStatus(untagged, 201, { when: 'without `tags` (they are optional)', fix: 'Default `tags` to `[]`.' });
  problems = postProblems(untagged.body, { title: `No tags ${s}`, body: 'Plain.', author: { id, name: user.name }, tags: [] });
  ensure(problems.length === 0, `\`POST /posts\` without tags answered 201, but:\n- ${problems.join('\n- ')}\n\n${showBody(untagged)}`);
});

check('posts.tag-reuse', async () => {
  const { tokens } = await signedInUser('tagreuse');
  const tag = `shared-${uniqueSuffix()}`;
  const ids: string[] = [];
  for (const title of ['First with the tag', 'Second with the tag']) {
    const res = await call('POST', '/posts', { token: tokens.accessToken, body: { title, body: 'Text.', tags: [tag] } });
    expectStatus(res, 201, {
      when: `with \`tags: ["${tag}"]\` (a step this check needs first)`,
      fix: 'Create the post (see posts.create-with-tags).',
      needs: 'posts.create-with-tags',
    });
    ids.push((res.body as { id: string }).id);
  }
  const tagRows = (await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM tags WHERE name = $1`, [tag])).rows[0]?.n;
  ensure(
    tagRows === 1,
    `After two posts tagged \`${tag}\`, the table \`tags\` has ${tagRows} rows named \`${tag}\`; expected exactly 1. ` +
      'Reuse the existing tag (look it up, or `INSERT … ON CONFLICT (name) DO NOTHING`), and make `tags.name` unique.',
  );
  const links = (
    await db().query<{ post_id: string }>(`SELECT pt.post_id::text FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = $1`, [tag])
  ).rows.map((row) => row.post_id);
  ensure(
    ids.every((id) => links.includes(id)) && links.length === 2,
    `\`post_tags\` links the tag \`${tag}\` to ${links.length} post(s) ${show(links)}; expected the two posts ${show(ids)}.`,
  );
});

check('posts.create-validation', async () => {
  const { tokens } = await signedInUser('postvalid');
  const valid = { title: 'A valid title', body: 'A valid body.' };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['title', { body: valid.body }, 'without `title`'],
    ['title', { ...valid, title: '' }, 'with an empty `title`'],
    ['title', { ...valid, title: 'x'.repeat(201) }, 'with a `title` of 201 characters'],
    ['body', { title: valid.title }, 'without `body`'],
    ['body', { ...valid, body: 42 }, 'with a number as `body`'],
    ['body', { ...valid, body: 'b'.repeat(10_001) }, 'with a `body` of 10,001 characters'],
    ['tags', { ...valid, tags: ['sql', 'sql'] }, 'with a duplicate tag'],
    ['tags', { ...valid, tags: ['Bad Tag'] }, 'with the tag name `"Bad Tag"`'],
    ['tags', { ...valid, tags: ['a'.repeat(31)] }, 'with a tag name of 31 characters'],
    ['tags', { ...valid, tags: Array.from({ length: 11 }, (_, i) => `tag-${i}`) }, 'with 11 tags'],
    ['tags', { ...valid, tags: 'sql' }, 'with `tags` a string, not an array'],
    ['authorId', { ...valid, authorId: '00000000-0000-4000-8000-000000000000' }, 'with an extra field `authorId`'],
  ];
  for (const [field, body, when] of cases) {
    const res = await call('POST', '/posts', { token: tokens.accessToken, body });
    expectFieldError(res, field, when, `Validate the body: \`${field}\` breaks the rules of the brief.`);
  }
  const longest = await call('POST', '/posts', { token: tokens.accessToken, body: { ...valid, title: 't'.repeat(200) } });
  expectStatus(longest, 201, { when: 'with a `title` of exactly 200 characters', fix: 'Titles of 1 to 200 characters are valid.' });
  const anonymous = await call('POST', '/posts', { body: valid });
  expectStatus(anonymous, 401, { when: 'without a token', fix: 'Creating a post needs a Bearer access token.' });
});

check('posts.relations-in-list', async () => {
  const author = await insertAuthor(`Grace Hopper ${uniqueSuffix()}`);
  const s = uniqueSuffix();
  const seeded = await insertPosts(author.id, [
    { title: 'Oldest, untagged', createdAt: '2021-03-01 10:00:00.100000+00' },
    { title: 'Middle, one tag', createdAt: '2021-03-01 11:00:00.200000+00', tags: [`compilers-${s}`] },
    { title: 'Newest, three tags', createdAt: '2021-03-01 12:00:00.300000+00', tags: [`navy-${s}`, `cobol-${s}`, `bugs-${s}`] },
  ]);
  const page = await getPage({ authorId: author.id }, 'for an author seeded in the database');
  const expected = [...seeded].reverse();
  ensure(
    JSON.stringify(page.data.map((p) => p.id)) === JSON.stringify(expected.map((p) => p.id)),
    `\`GET /posts?authorId=…\` listed ${page.data.length} posts ${show(page.data.map((p) => p.title))}; expected the author's ` +
      `3 posts, newest first: ${show(expected.map((p) => p.title))}.\n\n${showBody(page.response)}`,
  );
  for (const [i, post] of expected.entries()) {
    const problems = postProblems(page.data[i], {
      id: post.id,
      title: post.title,
      body: `Body of ${post.title}`,
      author,
      tags: post.tags,
      createdAt: post.createdAt,
    });
    ensure(problems.length === 0, `In \`GET /posts?authorId=…\`, the post "${post.title}":\n- ${problems.join('\n- ')}\n\n${showBody(page.response)}`);
  }
});
