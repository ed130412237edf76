import { call, countStatements, db, type StatementCount } from '../harness/context';
import { describeStatements } from '../harness/statementCounter';
import { ensure, expectStatus, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { readPage } from './support/pages';
import { record } from './support/measure';
import { seedSql, uniqueSuffix } from './support/seed';

const check = useChecks(checks);

/** At most this many statements per list request, whatever its size. */
const MAX_STATEMENTS = 10;

/** Statements (transaction control excluded) the app ran for one GET; fails unless it answered 200. */
async function statementsFor(path: string, needs: string): Promise<StatementCount> {
  let status = 0;
  const count = await countStatements(async () => {
    const res = await call('GET', path);
    status = res.status;
    if (res.status === 200) readPage(res);
  });
  ensure(status === 200, `\`GET ${path}\` answered **${status}**; expected 200 (a step this check needs first).`, { needs });
  return count;
}

function topStatements(count: StatementCount): string {
  return describeStatements(count, 4);
}

/**
 * Compares the statement counts of a small and a large page of one list: the large one must
 * not run more statements than the small one, and neither more than MAX_STATEMENTS.
 */
function compareCounts(small: { path: string; count: StatementCount }, large: { path: string; count: StatementCount }): void {
  const s = small.count.data;
  const l = large.count.data;
  if (l > s) {
    ensure(
      false,
      `\`GET ${large.path}\` ran **${l}** SQL statements; with \`${small.path}\` it ran **${s}**. The count grows with the ` +
        'page size: that is an N+1 (one query per post). Load the authors with a join and the tags with one ' +
        '`WHERE post_id = ANY($1)` query (or a sub-select), not one query per post. Per stack: plain `pg`/Knex, one ' +
        "query with joins or a second `= ANY($1)` query for the page's ids; TypeORM, `relations: { author: true, tags: true }` " +
        'or `leftJoinAndSelect` (no lazy relations read in a loop); Prisma, `include`; Sequelize, `include`; MikroORM, `populate`.\n\n' +
        `The statements of the large page, most frequent first:\n${topStatements(large.count)}`,
    );
  }
  ensure(
    l <= MAX_STATEMENTS && s <= MAX_STATEMENTS,
    `\`GET ${small.path}\` ran ${s} SQL statements and \`GET ${large.path}\` ${l}; expected at most ${MAX_STATEMENTS} for ` +
      `one page. The statements, most frequent first:\n${topStatements(l >= s ? large.count : small.count)}`,
  );
}

check('queries.list-statements', async () => {
  // 50 new posts, each by its own author, each with the shared tag and one or two of its own.
  const s = uniqueSuffix();
  const tag = `nplus-${s}`;
  await seedSql(
    `WITH authors AS (
       INSERT INTO users (id, email, name, password_hash, role)
       SELECT gen_random_uuid(), 'nplus.' || $1 || '.' || g || '@example.com', 'N+1 Author ' || g,
              '$2b$10$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu', 'user'
         FROM generate_series(1, 50) g
       RETURNING id, name)
     INSERT INTO posts (id, author_id, title, body, created_at)
     SELECT gen_random_uuid(), id, 'Post of ' || name, 'Body', now() FROM authors`,
    [s],
    'insert 50 authors and their posts',
  );
  await seedSql(`INSERT INTO tags (id, name) SELECT gen_random_uuid(), $1 || '-' || g FROM generate_series(0, 2) g`, [tag], 'insert tags');
  await seedSql(
    `INSERT INTO post_tags (post_id, tag_id)
     SELECT p.id, t.id
       FROM (SELECT posts.id, row_number() OVER (ORDER BY posts.id) AS n
               FROM posts JOIN users ON users.id = posts.author_id WHERE users.email LIKE 'nplus.' || $2 || '.%') p
       JOIN tags t ON t.name = $1 || '-0' OR (t.name = $1 || '-1') OR (t.name = $1 || '-2' AND p.n % 2 = 0)`,
    [tag, s],
    'link posts and tags',
  );
  expectStatus(await call('GET', `/posts?tag=${tag}-0&limit=5`), 200, {
    when: '(warm-up, a step this check needs first)',
    fix: 'List posts by tag (see filtering.author-and-tag).',
    needs: 'filtering.author-and-tag',
  });

  // The check that tests each list's answer, named when that list fails outright (a step this check needs first).
  const cases = [
    ['/posts?limit=5', '/posts?limit=50', 'posts.relations-in-list'],
    [`/posts?tag=${tag}-0&limit=5`, `/posts?tag=${tag}-0&limit=50`, 'filtering.author-and-tag'],
  ] as const;
  const measured: Array<[{ path: string; count: StatementCount }, { path: string; count: StatementCount }]> = [];
  for (const [smallPath, largePath, needs] of cases) {
    const small = { path: smallPath, count: await statementsFor(smallPath, needs) };
    const large = { path: largePath, count: await statementsFor(largePath, needs) };
    record(`statements ${smallPath.replace(tag, 'T')}`, small.count.data, { unit: 'statements', threshold: `<= ${MAX_STATEMENTS}` });
    record(`statements ${largePath.replace(tag, 'T')}`, large.count.data, { unit: 'statements', threshold: `<= limit=5 count, <= ${MAX_STATEMENTS}` });
    measured.push([small, large]);
  }
  for (const [small, large] of measured) compareCounts(small, large);
});

check('queries.filter-cursor-statements', async () => {
  const s = uniqueSuffix();
  const [{ id: authorId }] = (await seedSql<{ id: string }>(
    `INSERT INTO users (id, email, name, password_hash, role)
     VALUES (gen_random_uuid(), 'prolific.' || $1 || '@example.com', 'Prolific Author', '$2b$10$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu', 'user')
     RETURNING id::text`,
    [s],
    'insert an author',
  )) as [{ id: string }];
  await seedSql(
    `INSERT INTO posts (id, author_id, title, body, created_at)
     SELECT gen_random_uuid(), $1, 'title ' || lpad(g::text, 3, '0'), 'Body', now() - g * interval '1 minute'
       FROM generate_series(1, 70) g`,
    [authorId],
    'insert 70 posts',
  );
  await seedSql(`INSERT INTO tags (id, name) SELECT gen_random_uuid(), 'prolific-' || $1 || '-' || g FROM generate_series(1, 2) g`, [s], 'insert tags');
  await seedSql(
    `INSERT INTO post_tags (post_id, tag_id)
     SELECT p.id, t.id FROM posts p JOIN tags t ON t.name LIKE 'prolific-' || $2 || '-%' WHERE p.author_id = $1`,
    [authorId, s],
    'link posts and tags',
  );
  const first = await call('GET', `/posts?authorId=${authorId}&sort=title&limit=5`);
  expectStatus(first, 200, {
    when: '(first page of an author, by title: a step this check needs first)',
    fix: 'List posts by author and title (see filtering.sort-orders).',
    needs: 'filtering.sort-orders',
  });
  const cursor = readPage(first).nextCursor;
  ensure(
    cursor,
    `\`GET /posts?authorId=…&sort=title&limit=5\` of an author with 70 posts gave no \`nextCursor\`; expected one (a step this check needs first).`,
    {
      needs: 'pagination.walk-every-page',
    },
  );
  const base = `/posts?authorId=${authorId}&sort=title&cursor=${encodeURIComponent(cursor)}`;
  const small = { path: `${base}&limit=5`, count: await statementsFor(`${base}&limit=5`, 'pagination.walk-every-page') };
  const large = { path: `${base}&limit=50`, count: await statementsFor(`${base}&limit=50`, 'pagination.walk-every-page') };
  record('statements authorId+title+cursor limit=5', small.count.data, { unit: 'statements', threshold: `<= ${MAX_STATEMENTS}` });
  record('statements authorId+title+cursor limit=50', large.count.data, { unit: 'statements', threshold: `<= limit=5 count` });
  const shortPath = (p: string) => p.replace(authorId, '…').replace(encodeURIComponent(cursor), '…');
  compareCounts({ ...small, path: shortPath(small.path) }, { ...large, path: shortPath(large.path) });
});

/** A table's indexes by first key column, partial and expression indexes included when their first key is a column. */
async function firstKeyColumns(table: string): Promise<string[]> {
  const { rows } = await db().query<{ column: string }>(
    `SELECT a.attname AS column
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
      WHERE c.relname = $1 AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    [table],
  );
  return rows.map((row) => row.column);
}

check('indexes.present', async () => {
  const wanted: Array<[string, string, string]> = [
    ['posts', 'author_id', 'CREATE INDEX ON posts (author_id, created_at, id)'],
    ['posts', 'created_at', 'CREATE INDEX ON posts (created_at, id)'],
    ['posts', 'title', 'CREATE INDEX ON posts (title, id)'],
    ['post_tags', 'post_id', 'PRIMARY KEY (post_id, tag_id)'],
    ['post_tags', 'tag_id', 'CREATE INDEX ON post_tags (tag_id)'],
    ['tags', 'name', 'UNIQUE (name)'],
  ];
  const missing: string[] = [];
  for (const [table, column, fix] of wanted) {
    const columns = await firstKeyColumns(table);
    if (!columns.includes(column)) {
      missing.push(`\`${table}\`: no index starts with \`${column}\` (its indexes start with ${show([...new Set(columns)])}); add \`${fix}\` in a migration`);
    }
  }
  record('indexes found', wanted.length - missing.length, { unit: 'of 6', threshold: '= 6' });
  ensure(missing.length === 0, `Looking in \`pg_index\` for the indexes the list queries need:\n- ${missing.join('\n- ')}`);
});

check('indexes.foreign-keys', async () => {
  const { rows } = await db().query<{ tbl: string; col: string; ref: string }>(
    `SELECT cl.relname AS tbl, a.attname AS col, rf.relname AS ref
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_class rf ON rf.oid = c.confrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1`,
  );
  const has = (tbl: string, col: string, ref: string) => rows.some((r) => r.tbl === tbl && r.col === col && r.ref === ref);
  const missing = [
    ['posts', 'author_id', 'users'],
    ['post_tags', 'post_id', 'posts'],
    ['post_tags', 'tag_id', 'tags'],
  ].filter(([t, c, r]) => !has(t, c, r));
  ensure(
    missing.length === 0,
    `No foreign key constraint on ${missing.map(([t, c, r]) => `\`${t}.${c}\` → \`${r}(id)\``).join(', ')}; expected one each ` +
      '(`REFERENCES …(id)` in the migration), so the database itself refuses a post without an author or a link to nothing.',
  );
});
