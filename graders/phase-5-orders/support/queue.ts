/**
 * What the grader can see of the learner's queue, to tell "the worker is not running" from "the
 * worker is too slow" from "the worker ran but a read is stale" when an order does not settle in
 * time. Everything here is best effort: a queue the grader does not recognise is reported as
 * unknown, never as a failure.
 *
 * - BullMQ and Bull keep each queue in Redis under `<prefix>:<queue>:<part>` (default prefix
 *   `bull`): `wait`, `paused` and `prioritized` hold jobs not started yet, `active` those being
 *   processed, `delayed` those waiting for their backoff. The app's Redis is its own for the run.
 * - Otherwise the payments themselves say it: `attempts` is the number of gateway calls so far, so
 *   a `PENDING` payment with `attempts: 0` never reached the gateway (it waits in the queue).
 */
import Redis from 'ioredis';
import { db, graderEnv } from '../../harness/context';

export interface QueueBacklog {
  /** `bull:payments` */
  queue: string;
  /** Not started yet: wait + paused + prioritized. */
  waiting: number;
  active: number;
  /** Waiting for a retry's backoff. */
  delayed: number;
}

const PARTS = ['wait', 'paused', 'prioritized', 'active', 'delayed', 'meta', 'id', 'events', 'completed', 'failed', 'marker', 'stalled-check'];

/** Queues found in the app's Redis with their job counts; undefined when Redis cannot be read. */
export async function readQueueBacklog(): Promise<QueueBacklog[] | undefined> {
  const url = graderEnv().REDIS_URL;
  if (!url) return undefined;
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const queues = new Map<string, QueueBacklog>();
    let cursor = '0';
    let scanned = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
      cursor = next;
      scanned += keys.length;
      for (const key of keys) {
        const cut = key.lastIndexOf(':');
        const part = key.slice(cut + 1);
        if (cut <= 0 || !PARTS.includes(part)) continue;
        const name = key.slice(0, cut);
        const queue = queues.get(name) ?? { queue: name, waiting: 0, active: 0, delayed: 0 };
        queues.set(name, queue);
        if (part === 'wait' || part === 'paused' || part === 'active') {
          const length = await redis.llen(key).catch(() => 0);
          if (part === 'active') queue.active += length;
          else queue.waiting += length;
        } else if (part === 'prioritized' || part === 'delayed') {
          const size = await redis.zcard(key).catch(() => 0);
          if (part === 'delayed') queue.delayed += size;
          else queue.waiting += size;
        }
      }
    } while (cursor !== '0' && scanned < 100_000);
    return [...queues.values()];
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** "queue `bull:payments`: 12 waiting, 1 active, 0 delayed" for each queue found. */
export function describeBacklog(backlog: QueueBacklog[] | undefined): string {
  if (backlog === undefined) return 'The grader could not read your Redis to see your queue.';
  if (backlog.length === 0) return 'The grader found no BullMQ/Bull queue in your Redis (a queue on PostgreSQL is fine: it cannot see it).';
  return `Your Redis holds ${backlog
    .map((q) => `queue \`${q.queue}\`: **${q.waiting} waiting**, **${q.active} active**, ${q.delayed} delayed for a retry`)
    .join('; ')}.`;
}

/** The rows of `payments` for an order, with whatever else the row holds (for diagnosis only). */
export async function paymentRowsOf(orderId: string): Promise<Array<Record<string, unknown>>> {
  try {
    const { rows } = await db().query<{ row: Record<string, unknown> }>('SELECT to_jsonb(p) AS row FROM payments p WHERE order_id::text = $1', [orderId]);
    return rows.map((r) => r.row);
  } catch {
    return [];
  }
}

/**
 * The order's own row in the learner's database, found without knowing its table: a row of a
 * table other than `payments` whose `id` is the order's id and that has a `status` column.
 */
export async function orderRowStatus(orderId: string): Promise<string | undefined> {
  try {
    const { rows } = await db().query<{ table_schema: string; table_name: string }>(
      `SELECT c.table_schema, c.table_name FROM information_schema.columns c
         JOIN information_schema.columns s ON s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.column_name = 'status'
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.column_name = 'id' AND c.table_name <> 'payments'
          AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    for (const { table_schema: schema, table_name: table } of rows) {
      const quoted = `"${schema.replace(/"/g, '""')}"."${table.replace(/"/g, '""')}"`;
      const found = await db().query<{ status: string }>(`SELECT status::text AS status FROM ${quoted} WHERE id::text = $1 LIMIT 1`, [orderId]);
      if (found.rows[0]) return found.rows[0].status;
    }
  } catch {
    // Diagnosis only: an unreadable schema leaves the question open.
  }
  return undefined;
}
