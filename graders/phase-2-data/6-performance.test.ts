import { call, db } from '../harness/context';
import { ensure, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { bulkData } from './support/bulk';
import { record } from './support/measure';
import { postsPath, readPage } from './support/pages';

const check = useChecks(checks);

/**
 * p95 bound of GET /posts inside the sandbox — the phase's only wall-clock assertion, deliberately
 * generous because it depends on machine load. Why 300 ms: the reference measured 5–37 ms (p95) over
 * 60+ graded runs on 2 shared cores with other graders running, so the bound is ~8x the worst loaded
 * measurement; the apps it is for (all 20,000 rows loaded and paged in JS, a sequential scan plus a
 * sort per page) take seconds, far beyond it. The p95 of 50 is the 48th value, so up to 2 requests hit
 * by a load spike are ignored. Statement counts (queries.*) and plans (indexes.plans) are the
 * load-independent checks of the same skill; this one only catches what they cannot see.
 */
const P95_BOUND_MS = 300;
const MEASURED_REQUESTS = 50;
const WARM_UP_REQUESTS = 10;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

check('indexes.plans', async () => {
  const bulk = await bulkData();
  record('seeding 20,000 posts', bulk.seedMs, { unit: 'ms' });
  const author = bulk.authorIds[3];
  const queries: Array<[string, string, string]> = [
    ['the default order', 'ORDER BY created_at DESC, id DESC', 'CREATE INDEX ON posts (created_at, id)'],
    ['sort=title', 'ORDER BY title ASC, id ASC', 'CREATE INDEX ON posts (title, id)'],
    [`authorId=${author}`, `AND author_id = '${author}' ORDER BY created_at DESC, id DESC`, 'CREATE INDEX ON posts (author_id, created_at, id)'],
  ];
  const problems: string[] = [];
  for (const [what, tail, fix] of queries) {
    const sql = `SELECT * FROM posts WHERE deleted_at IS NULL ${tail} LIMIT 21`;
    const { rows } = await db().query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`);
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    const nodes = plan ? planNodes(plan) : [];
    const scans = nodes.filter((n) => n['Relation Name'] === 'posts').map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`);
    const seqScans = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'posts').length;
    const label = what.startsWith('authorId') ? 'authorId' : what;
    record(`seq scans of posts, ${label} (plan: ${scans.join(', ')})`.slice(0, 200), seqScans, { threshold: '= 0' });
    if (seqScans > 0) {
      problems.push(`for ${what} (\`${sql.replace(author ?? '', '…')}\`) PostgreSQL plans a **Seq Scan** of \`posts\`; add \`${fix}\``);
    }
  }
  ensure(
    problems.length === 0,
    `With 20,000 posts seeded and \`ANALYZE\` run, the grader asked \`EXPLAIN\` how PostgreSQL would read a page of the list:\n- ${problems.join('\n- ')}\n\n` +
      'A sequential scan reads every row for each page; an index in the sort order reads only the page.',
  );
});

check('performance.list-p95', async () => {
  const bulk = await bulkData();
  const cursors: Record<string, string | undefined> = {};
  /** The i-th request of the mix: first page, pages through cursors, filters, title sort. */
  const pathFor = (i: number): string => {
    switch (i % 5) {
      case 0:
        return postsPath({ limit: 20 });
      case 1:
        return postsPath({ limit: 20, cursor: cursors.default });
      case 2:
        return postsPath({ limit: 20, authorId: bulk.authorIds[i % bulk.authorIds.length] });
      case 3:
        return postsPath({ limit: 20, tag: bulk.tagNames[i % bulk.tagNames.length] });
      default:
        return postsPath({ limit: 20, sort: 'title', cursor: cursors.title });
    }
  };
  const timings: number[] = [];
  for (let i = 0; i < WARM_UP_REQUESTS + MEASURED_REQUESTS; i += 1) {
    const path = pathFor(i);
    const started = process.hrtime.bigint();
    const res = await call('GET', path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    ensure(
      res.status === 200,
      `\`GET ${path.replace(/cursor=[^&]+/, 'cursor=…')}\` answered **${res.status}** with 20,000 posts seeded; expected 200.\n\n${showBody(res)}`,
    );
    const next = readPage(res).nextCursor ?? undefined;
    if (i % 5 === 1) cursors.default = next;
    if (i % 5 === 4) cursors.title = next;
    if (i >= WARM_UP_REQUESTS) timings.push(ms);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0;
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  record('p95 GET /posts', Math.round(p95 * 10) / 10, { unit: 'ms', threshold: `<= ${P95_BOUND_MS}` });
  record('median GET /posts', Math.round(median * 10) / 10, { unit: 'ms' });
  ensure(
    p95 <= P95_BOUND_MS,
    `With 20,000 posts seeded, ${MEASURED_REQUESTS} sequential \`GET /posts?limit=20\` requests (first pages, pages through ` +
      `cursors, \`authorId\` and \`tag\` filters, \`sort=title\`) took ${show(Math.round(median))} ms at the median and ` +
      `**${Math.round(p95)} ms at the 95th percentile**; expected at most ${P95_BOUND_MS} ms. Look at the checks ` +
      'on statements and indexes first: one query per page, reading an index in the sort order, with `LIMIT`.',
  );
});
