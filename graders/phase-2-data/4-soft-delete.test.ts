import { call, db } from '../harness/context';
import { ensure, expectStatus, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { adminTokens, isRecord, signedInUser, unknownUuid } from '../shared/project-1/api';
import { getPage } from './support/pages';
import { createPost } from './support/posts';
import { insertPosts, markDeleted, uniqueSuffix } from './support/seed';

const check = useChecks(checks);

async function postRow(id: string): Promise<{ deleted_at: Date | null; tags: number } | undefined> {
  const { rows } = await db().query<{ deleted_at: Date | null; tags: number }>(
    `SELECT deleted_at, (SELECT count(*)::int FROM post_tags WHERE post_id = posts.id) AS tags FROM posts WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** What a refused request must leave: the row as it was (live, or soft-deleted). */
async function expectUnchanged(id: string, deleted: boolean, after: string): Promise<void> {
  const row = await postRow(id);
  ensure(
    row !== undefined && (row.deleted_at !== null) === deleted,
    `${after}, the post's row ${row === undefined ? 'is gone from `posts`' : `has \`deleted_at\` ${show(row.deleted_at)}`}; ` +
      `expected it unchanged (${deleted ? 'still soft-deleted' : '`deleted_at` still NULL'}). Check the rights **before** ` +
      'writing anything, and write nothing when you answer 401 or 403.',
  );
}

// The security half of the rights (required): nobody but the author or an admin deletes or restores a post.
// The posts are seeded straight into the database (soft-deleted there too), so this check needs no other route.
check('soft-delete.others-refused', async () => {
  const author = await signedInUser('owner');
  const other = await signedInUser('intruder');
  const [live, deleted] = await insertPosts(author.id, [
    { title: `Live post ${uniqueSuffix()}`, createdAt: '2022-05-01 08:00:00.000000+00' },
    { title: `Deleted post ${uniqueSuffix()}`, createdAt: '2022-05-02 08:00:00.000000+00' },
  ]);
  await markDeleted([deleted.id]);
  const livePath = `/posts/${live.id}`;
  const deletedPath = `/posts/${deleted.id}/restore`;

  expectStatus(await call('DELETE', livePath), 401, {
    when: 'without a token',
    fix: 'Deleting a post needs a Bearer access token: answer `401 Unauthorized` without one.',
  });
  await expectUnchanged(live.id, false, '`DELETE /posts/:id` without a token was refused');
  expectStatus(await call('DELETE', livePath, { token: other.tokens.accessToken }), 403, {
    when: "by a signed-in user who is neither the post's author nor an admin",
    fix: "Only the author or an admin may delete a post: compare the post's `author_id` with the caller's id (and the role) and answer `403 Forbidden` to anyone else.",
  });
  await expectUnchanged(live.id, false, "After another user's `DELETE /posts/:id`");

  expectStatus(await call('POST', deletedPath), 401, {
    when: 'without a token',
    fix: 'Restoring a post needs a Bearer access token: answer `401 Unauthorized` without one.',
  });
  await expectUnchanged(deleted.id, true, '`POST /posts/:id/restore` without a token was refused');
  expectStatus(await call('POST', deletedPath, { token: other.tokens.accessToken }), 403, {
    when: 'for a soft-deleted post, by a signed-in user who is neither its author nor an admin',
    fix: 'Only the author or an admin may restore a post (the same rule as deleting it): answer `403 Forbidden` to anyone else.',
  });
  await expectUnchanged(deleted.id, true, "After another user's `POST /posts/:id/restore`");
});

check('soft-delete.rights', async () => {
  const author = await signedInUser('deleter');
  const post = await createPost(author.tokens.accessToken, { title: 'To be deleted', body: 'Soon gone.' });
  expectStatus(await call('DELETE', `/posts/${unknownUuid()}`, { token: author.tokens.accessToken }), 404, {
    when: 'for a post id that does not exist',
    fix: 'Answer `404 Not Found`.',
  });
  expectStatus(await call('DELETE', `/posts/${post}`, { token: author.tokens.accessToken }), 204, {
    when: "by the post's author",
    fix: 'Soft-delete the post and answer `204 No Content`.',
  });
  const second = await createPost(author.tokens.accessToken, { title: 'Deleted by the admin', body: 'Moderated.' });
  const admin = await adminTokens();
  expectStatus(await call('DELETE', `/posts/${second}`, { token: admin.accessToken }), 204, {
    when: "by the admin (not the post's author)",
    fix: 'An admin may delete any post: allow the author **or** a user whose role is `admin`.',
  });
});

check('soft-delete.row-kept', async () => {
  const author = await signedInUser('keeper');
  const s = uniqueSuffix();
  const post = await createPost(author.tokens.accessToken, { title: 'Kept in the table', body: 'Still here.', tags: [`kept-${s}`, `also-${s}`] });
  const res = await call('DELETE', `/posts/${post}`, { token: author.tokens.accessToken });
  expectStatus(res, 204, { when: "by the post's author", fix: 'Soft-delete the post and answer `204 No Content`.', needs: 'soft-delete.rights' });
  const row = await postRow(post);
  ensure(
    row !== undefined,
    `After \`DELETE /posts/:id\` answered 204, the row of that post is gone from \`posts\`: that is a hard delete. ` +
      'Keep the row and set `deleted_at = now()` instead (`UPDATE posts SET deleted_at = now() WHERE id = $1`).',
  );
  ensure(row.deleted_at !== null, "After `DELETE /posts/:id` answered 204, the post's row has `deleted_at` NULL; expected the time of the deletion.");
  ensure(row.tags === 2, `After the soft delete, the post has ${row.tags} rows in \`post_tags\`; expected its 2 tags kept, so a restore brings them back.`);
});

check('soft-delete.hidden', async () => {
  const author = await signedInUser('hider');
  const tag = `hidden-${uniqueSuffix()}`;
  const ids: string[] = [];
  for (const title of ['Hidden test one', 'Hidden test two', 'Hidden test three']) {
    ids.push(await createPost(author.tokens.accessToken, { title, body: 'Text.', tags: [tag] }));
  }
  const deleted = ids[1];
  expectStatus(await call('DELETE', `/posts/${deleted}`, { token: author.tokens.accessToken }), 204, {
    when: "by the post's author",
    fix: 'Soft-delete the post and answer `204 No Content`.',
    needs: 'soft-delete.rights',
  });
  for (const params of [{ authorId: author.id }, { tag }]) {
    const page = await getPage(params, 'after one of its posts was deleted');
    const listed = page.data.map((p) => p.id);
    ensure(
      !listed.includes(deleted) && listed.includes(ids[0]) && listed.includes(ids[2]),
      `\`${page.response.path}\` lists ${show(page.data.map((p) => p.title))}; expected the two live posts and not ` +
        '"Hidden test two", which was deleted. Add `deleted_at IS NULL` to every query that lists posts.',
    );
  }
  expectStatus(await call('GET', `/posts/${deleted}`), 404, {
    when: 'for a soft-deleted post',
    fix: 'A soft-deleted post is not found: add `deleted_at IS NULL` to the lookup.',
  });
  expectStatus(await call('DELETE', `/posts/${deleted}`, { token: author.tokens.accessToken }), 404, {
    when: 'for a post already deleted',
    fix: 'Deleting a deleted post answers `404 Not Found`.',
  });
});

check('soft-delete.restore', async () => {
  const author = await signedInUser('restorer');
  const tag = `back-${uniqueSuffix()}`;
  const ids: string[] = [];
  for (const title of ['Restore test one', 'Restore test two', 'Restore test three']) {
    ids.push(await createPost(author.tokens.accessToken, { title, body: 'Text.', tags: [tag] }));
  }
  const target = ids[1];
  const live = await call('POST', `/posts/${target}/restore`, { token: author.tokens.accessToken });
  expectStatus(live, 409, { when: 'for a post that is not deleted', fix: 'Restoring a live post is a `409 Conflict`.' });
  expectStatus(await call('DELETE', `/posts/${target}`, { token: author.tokens.accessToken }), 204, {
    when: "by the post's author",
    fix: 'Soft-delete the post and answer `204 No Content`.',
    needs: 'soft-delete.rights',
  });
  expectStatus(await call('POST', `/posts/${unknownUuid()}/restore`, { token: author.tokens.accessToken }), 404, {
    when: 'for a post id that does not exist',
    fix: 'Answer `404 Not Found`.',
  });
  const restored = await call('POST', `/posts/${target}/restore`, { token: author.tokens.accessToken });
  expectStatus(restored, 200, {
    when: 'for a soft-deleted post, by its author',
    fix: 'Set `deleted_at` back to NULL and answer `200 OK` with the post. A hard-deleted post cannot come back: keep the row.',
  });
  const body = isRecord(restored.body) ? restored.body : {};
  ensure(
    body.id === target && JSON.stringify(body.tags) === JSON.stringify([tag]),
    `\`POST /posts/:id/restore\` answered 200 with \`id\` ${show(body.id)} and \`tags\` ${show(body.tags)}; expected the ` +
      `restored post with its tag ${show([tag])}.\n\n${showBody(restored)}`,
  );
  const { rows } = await db().query<{ deleted_at: Date | null }>(`SELECT deleted_at FROM posts WHERE id = $1`, [target]);
  ensure(rows[0] && rows[0].deleted_at === null, `After the restore, the post's \`deleted_at\` is ${show(rows[0]?.deleted_at)}; expected NULL.`);

  // "The author or an admin may restore": the admin restores a post the author deleted.
  const moderated = ids[2];
  expectStatus(await call('DELETE', `/posts/${moderated}`, { token: author.tokens.accessToken }), 204, {
    when: "by the post's author",
    fix: 'Soft-delete the post and answer `204 No Content`.',
    needs: 'soft-delete.rights',
  });
  const admin = await adminTokens();
  const byAdmin = await call('POST', `/posts/${moderated}/restore`, { token: admin.accessToken });
  expectStatus(byAdmin, 200, {
    when: "for a soft-deleted post, by the admin (not the post's author)",
    fix:
      'An admin may restore any post, like deleting it: allow the author **or** a user whose role is `admin` ' +
      '(the same rule as `DELETE /posts/:id`), and answer `200 OK` with the post.',
  });
  const adminRow = await db().query<{ deleted_at: Date | null }>(`SELECT deleted_at FROM posts WHERE id = $1`, [moderated]);
  ensure(
    adminRow.rows[0] && adminRow.rows[0].deleted_at === null,
    `After the admin's restore answered 200, the post's \`deleted_at\` is ${show(adminRow.rows[0]?.deleted_at)}; expected NULL.`,
  );
  const page = await getPage({ authorId: author.id }, 'after the restore');
  ensure(
    JSON.stringify(page.data.map((p) => p.id)) === JSON.stringify([...ids].reverse()),
    `After the restore, \`GET /posts?authorId=…\` lists ${show(page.data.map((p) => p.title))}; expected the three posts ` +
      'newest first, the restored ones back at their original places (their `created_at` unchanged).',
  );
  expectStatus(await call('GET', `/posts/${target}`), 200, { when: 'for the restored post', fix: 'A restored post is found again.' });
  expectStatus(await call('GET', `/posts/${moderated}`), 200, { when: 'for the post the admin restored', fix: 'A restored post is found again.' });
});
