/**
 * Rows written straight into the learner's database as superuser, with the table and column
 * names the brief documents. Every check seeds its own author(s), so filtering by authorId
 * isolates its posts from every other check's.
 */
import { randomUUID } from 'node:crypto';
import { db } from '../../harness/context';
import { fail } from '../../harness/feedback';

/** A bcrypt-shaped hash nobody can log in with. */
const UNUSABLE_HASH = '$2b$10$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu';

export const uniqueSuffix = (): string => randomUUID().replace(/-/g, '').slice(0, 10);

/** Runs a seeding statement; a failure is feedback naming the documented schema. */
export async function seedSql<Row extends object = Record<string, unknown>>(text: string, values: unknown[] = [], what = 'seed rows'): Promise<Row[]> {
  try {
    return (await db().query<Row>(text, values)).rows;
  } catch (error) {
    const err = error as { code?: string; message?: string };
    if (!err.code || /^(08|28|57P)/.test(err.code) || /^E[A-Z]+$/.test(err.code)) throw error;
    return fail(
      `The grader could not ${what} with the documented schema: PostgreSQL said \`${err.message ?? String(error)}\` ` +
        `for\n\`\`\`sql\n${text.trim().replace(/\s+/g, ' ')}\n\`\`\`\nCreate the tables and columns the brief lists ` +
        `(users, posts, tags, post_tags), with these exact names; any column you add needs a default or must be nullable.`,
    );
  }
}

/** Inserts a user (an author) and returns its id. */
export async function insertAuthor(name = `Seeded Author ${uniqueSuffix()}`): Promise<{ id: string; name: string }> {
  const id = randomUUID();
  await seedSql(
    `INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, 'user')`,
    [id, `seed.${uniqueSuffix()}@example.com`, name, UNUSABLE_HASH],
    'insert an author into users',
  );
  return { id, name };
}

export interface SeedPost {
  title?: string;
  /** A PostgreSQL timestamptz literal, e.g. `2021-03-01 10:00:00.123456+00`. */
  createdAt: string;
  tags?: string[];
}

export interface SeededPost {
  id: string;
  title: string;
  createdAt: string;
  tags: string[];
}

/** Inserts posts for `authorId` (and their tags, created when missing); returns them with their ids. */
export async function insertPosts(authorId: string, posts: SeedPost[]): Promise<SeededPost[]> {
  const seeded: SeededPost[] = [];
  for (const post of posts) {
    const id = randomUUID();
    const title = post.title ?? `Seeded post ${uniqueSuffix()}`;
    await seedSql(
      `INSERT INTO posts (id, author_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [id, authorId, title, `Body of ${title}`, post.createdAt],
      'insert a post into posts',
    );
    for (const tag of post.tags ?? []) await linkTag(id, tag);
    seeded.push({ id, title, createdAt: post.createdAt, tags: [...(post.tags ?? [])].sort() });
  }
  return seeded;
}

/** Links a post to the tag `name`, inserting the tag if it does not exist. */
export async function linkTag(postId: string, name: string): Promise<void> {
  let [tag] = await seedSql<{ id: string }>(`SELECT id FROM tags WHERE name = $1`, [name], 'read tags');
  if (!tag) {
    tag = { id: randomUUID() };
    await seedSql(`INSERT INTO tags (id, name) VALUES ($1, $2)`, [tag.id, name], 'insert a tag into tags');
  }
  await seedSql(`INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2)`, [postId, tag.id], 'insert into post_tags');
}

/** Soft-deletes posts straight in the database (as another client would). */
export async function markDeleted(ids: string[]): Promise<void> {
  await seedSql(`UPDATE posts SET deleted_at = now() WHERE id = ANY($1::uuid[])`, [ids], 'set posts.deleted_at');
}

/** `base + offset` seconds as a timestamptz literal with microseconds. */
export function timestamp(base: string, seconds: number, micros = 0): string {
  const date = new Date(Date.parse(base) + seconds * 1000);
  const iso = date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
  return `${iso}.${String(micros).padStart(6, '0')}+00`;
}

/** Compares two lowercase UUID strings like PostgreSQL compares uuid values. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
