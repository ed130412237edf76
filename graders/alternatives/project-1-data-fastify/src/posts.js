// Posts: create, list (keyset pages in one SQL statement), read, soft delete, restore.
import { z } from 'zod';
import { HttpError, badRequest, zodDetails } from './errors.js';
import { requireUser } from './auth.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^[a-z0-9-]{1,30}$/;

const createSchema = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().min(1).max(10000),
  tags: z
    .array(z.string().regex(TAG, 'must match ^[a-z0-9-]{1,30}$'))
    .max(10)
    .refine((tags) => new Set(tags).size === tags.length, 'tags must be distinct')
    .default([]),
});

// sort value → [column, direction]; the only strings that ever reach ORDER BY.
const SORTS = {
  createdAt: ['created_at', 'ASC'],
  '-createdAt': ['created_at', 'DESC'],
  title: ['title', 'ASC'],
  '-title': ['title', 'DESC'],
};
const LIST_PARAMS = new Set(['limit', 'cursor', 'sort', 'authorId', 'tag']);

// created_at as text with its microseconds, in UTC: the cursor's sort key.
const CREATED_KEY = `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Reads the raw query string itself: repeated, empty and unknown parameters are errors. */
function parseListQuery(rawUrl) {
  const search = new URLSearchParams(rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '');
  const seen = new Map();
  const refused = new Set();
  const details = [];
  for (const [name, value] of search) {
    if (refused.has(name)) continue;
    let problem = null;
    if (!LIST_PARAMS.has(name)) problem = `${name} is not a known query parameter`;
    else if (seen.has(name)) problem = `${name} is given more than once`;
    else if (value === '') problem = `${name} must not be empty`;
    if (problem) {
      refused.add(name);
      seen.delete(name);
      details.push({ field: name, message: problem });
    } else seen.set(name, value);
  }

  const q = { limit: 20, sort: '-createdAt', cursor: null, authorId: null, tag: null };
  if (seen.has('limit')) {
    const v = seen.get('limit');
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= 1 && n <= 100)) details.push({ field: 'limit', message: 'limit must be an integer from 1 to 100' });
    else q.limit = n;
  }
  if (seen.has('sort')) {
    const v = seen.get('sort');
    if (!Object.hasOwn(SORTS, v)) details.push({ field: 'sort', message: 'sort must be one of createdAt, -createdAt, title, -title' });
    else q.sort = v;
  }
  if (seen.has('authorId')) {
    if (!UUID.test(seen.get('authorId'))) details.push({ field: 'authorId', message: 'authorId must be a UUID' });
    else q.authorId = seen.get('authorId');
  }
  if (seen.has('tag')) q.tag = seen.get('tag');
  if (details.length) throw badRequest(details);
  if (seen.has('cursor')) {
    q.cursor = decodeCursor(seen.get('cursor'), q.sort);
    if (!q.cursor) throw badRequest([{ field: 'cursor', message: 'cursor is invalid or was made for another sort' }], 'Invalid cursor');
  }
  return q;
}

// One statement: the page (LIMIT n+1 to know whether another follows), its authors by join,
// and each post's tag names aggregated by a correlated subquery on the page's rows only.
function selectPosts(pageSql, orderBy = 'page.id') {
  return `WITH page AS (${pageSql})
    SELECT page.id, page.title, page.body, page.created_at, page.sort_key,
           u.id AS author_id, u.name AS author_name,
           COALESCE((SELECT array_agg(t.name ORDER BY t.name)
                       FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                      WHERE pt.post_id = page.id), '{}') AS tags
      FROM page JOIN users u ON u.id = page.author_id
     ORDER BY ${orderBy}`;
}

const toPost = (r) => ({
  id: r.id,
  title: r.title,
  body: r.body,
  author: { id: r.author_id, name: r.author_name },
  tags: r.tags,
  createdAt: new Date(r.created_at).toISOString(),
});

async function findLivePost(knex, id) {
  const { rows } = await knex.raw(
    selectPosts(`SELECT p.*, NULL AS sort_key FROM posts p WHERE p.id = ? AND p.deleted_at IS NULL`),
    [id],
  );
  return rows[0] ? toPost(rows[0]) : null;
}

function requireUuidParam(request) {
  if (!UUID.test(request.params.id)) throw badRequest([{ field: 'id', message: 'id must be a UUID' }]);
  return request.params.id;
}

/** Loads the post (deleted or not) and checks the caller may change it. */
async function ownedPost(knex, request) {
  const id = requireUuidParam(request);
  const post = await knex('posts').where({ id }).first('id', 'author_id', 'deleted_at');
  if (!post) throw new HttpError(404, 'Post not found');
  if (post.author_id !== request.user.id && request.user.role !== 'admin') {
    throw new HttpError(403, 'Only the author or an admin may do this');
  }
  return post;
}

export async function postRoutes(app, { knex }) {
  app.get('/posts', async (request) => {
    const q = parseListQuery(request.raw.url);
    const [column, dir] = SORTS[q.sort];
    const keyExpr = column === 'created_at' ? CREATED_KEY : 'p.title';
    const where = ['p.deleted_at IS NULL'];
    const params = [];
    if (q.authorId) {
      where.push('p.author_id = ?');
      params.push(q.authorId);
    }
    if (q.tag) {
      where.push('EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id AND t.name = ?)');
      params.push(q.tag);
    }
    if (q.cursor) {
      const cast = column === 'created_at' ? '::timestamptz' : '::text';
      where.push(`(p.${column}, p.id) ${dir === 'ASC' ? '>' : '<'} (?${cast}, ?::uuid)`);
      params.push(q.cursor.k, q.cursor.i);
    }
    params.push(q.limit + 1);
    const pageSql = `SELECT p.id, p.title, p.body, p.created_at, p.author_id, ${keyExpr} AS sort_key
      FROM posts p WHERE ${where.join(' AND ')}
      ORDER BY p.${column} ${dir}, p.id ${dir} LIMIT ?`;
    const { rows } = await knex.raw(selectPosts(pageSql, `page.${column} ${dir}, page.id ${dir}`), params);
    const hasMore = rows.length > q.limit;
    const page = hasMore ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return { data: page.map(toPost), nextCursor: hasMore ? encodeCursor(q.sort, last.sort_key, last.id) : null };
  });

  app.get('/posts/:id', async (request) => {
    const post = await findLivePost(knex, requireUuidParam(request));
    if (!post) throw new HttpError(404, 'Post not found');
    return post;
  });

  app.post('/posts', { preHandler: requireUser }, async (request, reply) => {
    const parsed = createSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw badRequest(zodDetails(parsed.error));
    const { title, body, tags } = parsed.data;
    const id = await knex.transaction(async (trx) => {
      const [{ id }] = await trx('posts').insert({ author_id: request.user.id, title, body }).returning('id');
      if (tags.length) {
        // Upsert the names, then link them all: two statements whatever the number of tags.
        await trx.raw(
          `INSERT INTO tags (name) SELECT unnest(?::text[]) ON CONFLICT (name) DO NOTHING`,
          [tags],
        );
        await trx.raw(
          `INSERT INTO post_tags (post_id, tag_id) SELECT ?, id FROM tags WHERE name = ANY(?::text[])`,
          [id, tags],
        );
      }
      return id;
    });
    return reply.code(201).send(await findLivePost(knex, id));
  });

  app.delete('/posts/:id', { preHandler: requireUser }, async (request, reply) => {
    const post = await ownedPost(knex, request);
    if (post.deleted_at) throw new HttpError(404, 'Post not found');
    const changed = await knex('posts').where({ id: post.id }).whereNull('deleted_at').update({ deleted_at: knex.fn.now() });
    if (!changed) throw new HttpError(404, 'Post not found');
    return reply.code(204).send();
  });

  app.post('/posts/:id/restore', { preHandler: requireUser }, async (request) => {
    const post = await ownedPost(knex, request);
    const changed = await knex('posts').where({ id: post.id }).whereNotNull('deleted_at').update({ deleted_at: null });
    if (!changed) throw new HttpError(409, 'Post is not deleted');
    return findLivePost(knex, post.id);
  });
}
