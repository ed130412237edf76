/**
 * The big data set of the performance checks: 500 authors, 50 tags, 20,000 posts (2% of them
 * soft-deleted) with 1 to 3 tags each, inserted with a few INSERT … SELECT generate_series
 * statements (about a second), then ANALYZE. Seeded once per run, on first use.
 */
import { db } from '../../harness/context';
import { seedSql, uniqueSuffix } from './seed';

export const BULK_POSTS = 20_000;
export const BULK_AUTHORS = 500;
export const BULK_TAGS = 50;

export interface BulkData {
  run: string;
  authorIds: string[];
  tagNames: string[];
  seedMs: number;
}

let seeded: Promise<BulkData> | undefined;

export function bulkData(): Promise<BulkData> {
  seeded ??= seedBulkData();
  return seeded;
}

async function seedBulkData(): Promise<BulkData> {
  const run = uniqueSuffix();
  const started = Date.now();
  await seedSql(
    `INSERT INTO users (id, email, name, password_hash, role)
     SELECT gen_random_uuid(), 'bulk.' || $1 || '.' || g || '@example.com', 'Bulk Author ' || g,
            '$2b$10$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu', 'user'
       FROM generate_series(1, ${BULK_AUTHORS}) g`,
    [run],
    'insert 500 authors',
  );
  await seedSql(
    `INSERT INTO tags (id, name) SELECT gen_random_uuid(), 'bulk-' || $1 || '-' || g FROM generate_series(1, ${BULK_TAGS}) g`,
    [run],
    'insert 50 tags',
  );
  // Titles are lowercase ASCII; created_at one second apart, every 7th with a microsecond offset.
  await seedSql(
    `INSERT INTO posts (id, author_id, title, body, created_at)
     SELECT gen_random_uuid(), a.ids[1 + g % ${BULK_AUTHORS}], 'bulk ' || md5(g::text), 'Body of bulk post ' || g,
            now() - interval '1 day' - g * interval '1 second' - (g % 7) * interval '1 microsecond'
       FROM generate_series(1, ${BULK_POSTS}) g,
            (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE 'bulk.' || $1 || '.%') a`,
    [run],
    'insert 20,000 posts',
  );
  await seedSql(
    `INSERT INTO post_tags (post_id, tag_id)
     SELECT p.id, t.ids[1 + (p.n + k * 7) % ${BULK_TAGS}]
       FROM (SELECT posts.id, row_number() OVER (ORDER BY posts.id) AS n FROM posts
              WHERE posts.title LIKE 'bulk %' AND posts.body LIKE 'Body of bulk post %') p,
            (SELECT array_agg(id ORDER BY name) AS ids FROM tags WHERE name LIKE 'bulk-' || $1 || '-%') t,
            generate_series(0, 2) k
      WHERE k <= p.n % 3`,
    [run],
    'link the posts to 1 to 3 tags',
  );
  await seedSql(
    `UPDATE posts SET deleted_at = now() WHERE body LIKE 'Body of bulk post %' AND substr(id::text, 1, 2) < '05'`,
    [],
    'soft-delete 2% of the posts',
  );
  await db().query('ANALYZE users');
  await db().query('ANALYZE posts');
  await db().query('ANALYZE tags');
  await db().query('ANALYZE post_tags');
  const authors = await db().query<{ id: string }>(`SELECT id::text FROM users WHERE email LIKE 'bulk.' || $1 || '.%' ORDER BY email LIMIT 20`, [run]);
  return {
    run,
    authorIds: authors.rows.map((row) => row.id),
    tagNames: Array.from({ length: 10 }, (_, i) => `bulk-${run}-${i * 5 + 1}`),
    seedMs: Date.now() - started,
  };
}
