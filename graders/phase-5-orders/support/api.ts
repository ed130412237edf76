/**
 * The steps most checks start with (a product, an order, a payment, waiting for the worker).
 * Each one fails with feedback that says it was a prerequisite, so a learner sees the first
 * thing that broke.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, db } from '../../harness/context';
import { ensure, expectStatus, fail, show, showBody, type HttpExchange } from '../../harness/feedback';
import { describeBacklog, orderRowStatus, paymentRowsOf, readQueueBacklog } from './queue';

export const CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  transientTwice: '4000000000009995',
} as const;

/** How long the worker may take to settle a payment after the 202 (the brief's bound). */
export const SETTLE_SECONDS = 15;

export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export const newKey = (): string => `grader-${randomUUID()}`;

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

/** Creates a product (201 expected). */
export async function createProduct(priceCents = 1000, label = 'product'): Promise<Product> {
  const name = `${label} ${randomUUID().slice(0, 8)}`;
  const res = await call('POST', '/products', { body: { name, priceCents } });
  expectStatus(res, 201, {
    when: 'with a valid product (a step this check needs first)',
    fix: 'Creating products must work before this check can go on.',
    needs: 'orders.create',
  });
  const id = isRecord(res.body) ? res.body.id : undefined;
  ensure(typeof id === 'string', `\`POST /products\` answered 201 without the product's \`id\` (a step this check needs first).\n\n${showBody(res)}`, {
    needs: 'orders.create',
  });
  return { id, name, priceCents };
}

/** Creates an order of `quantity` × a new product (201 expected) and returns its id and total. */
export async function createOrder(priceCents = 1000, quantity = 1): Promise<{ id: string; totalCents: number }> {
  const product = await createProduct(priceCents);
  const res = await call('POST', '/orders', { body: { items: [{ productId: product.id, quantity }] } });
  expectStatus(res, 201, {
    when: 'with one existing product (a step this check needs first)',
    fix: 'Creating orders must work before this check can go on: see the check orders.create.',
    needs: 'orders.create',
  });
  const id = isRecord(res.body) ? res.body.id : undefined;
  ensure(typeof id === 'string', `\`POST /orders\` answered 201 without the order's \`id\` (a step this check needs first).\n\n${showBody(res)}`, {
    needs: 'orders.create',
  });
  return { id, totalCents: priceCents * quantity };
}

/** Sends one payment request, whatever it answers. */
export function requestPayment(orderId: string, cardNumber: string, key: string | null = newKey()): Promise<HttpExchange> {
  return call('POST', '/payments', {
    body: { orderId, cardNumber },
    headers: key === null ? {} : { 'Idempotency-Key': key },
  });
}

/**
 * Pays an order (202 expected) and returns the payment's id. A first payment of a `CREATED` order
 * is what payments.accepted-quickly tests: a failure here is that step, not the calling check's rule.
 */
export async function pay(orderId: string, cardNumber: string, key = newKey()): Promise<string> {
  const res = await requestPayment(orderId, cardNumber, key);
  expectStatus(res, 202, {
    when: `for a payable order with card ${cardNumber} and a new Idempotency-Key (a step this check needs first)`,
    fix: 'Record the payment, enqueue its charge and answer `202 Accepted` with the payment.',
    needs: 'payments.accepted-quickly',
  });
  const id = isRecord(res.body) ? res.body.id : undefined;
  ensure(typeof id === 'string', `\`POST /payments\` answered 202 without the payment's \`id\`.\n\n${showBody(res)}`, {
    needs: 'payments.accepted-quickly',
  });
  return id;
}

/** The order's status now (200 expected; reading an order is tested by orders.create). */
export async function orderStatus(orderId: string): Promise<unknown> {
  const res = await call('GET', `/orders/${orderId}`);
  expectStatus(res, 200, { when: 'for an order this check created', fix: 'Answer `200` with the order.', needs: 'orders.create' });
  return isRecord(res.body) ? res.body.status : undefined;
}

/**
 * How many payments the brief asks the worker to charge at once. Each gateway call takes 2 s, and
 * the burst of load.one-payment-per-order puts 20 payments in the queue together and wants them
 * settled within 15 s: 10 at once settle them in 2 rounds (about 4 s); one at a time needs 40 s.
 */
export const MIN_CONCURRENCY = 10;

const CONCURRENCY_FIX =
  `Each gateway call takes 2 s, so a worker that charges one payment at a time falls behind as soon as a few arrive together; ` +
  `the brief asks for at least ${MIN_CONCURRENCY} at once. BullMQ: \`new Worker(name, processor, { concurrency: ${MIN_CONCURRENCY} })\` ` +
  '(`@Processor(name, { concurrency: 10 })` with @nestjs/bullmq); other queues have the same setting (pg-boss `teamSize`/`batchSize`, bee-queue `process(10, …)`).';

const SETTLED_PAYMENT: Record<string, string> = { SUCCEEDED: 'PAID', FAILED: 'FAILED' };

/**
 * Why an order did not reach the status a check waited for, from what can be observed: the
 * payment's row in `payments`, `GET /payments/:id`, the order's own row when the grader finds it,
 * and the queue in the app's Redis. Tells a worker that never ran from one that is too slow (jobs
 * waiting behind active ones) from one that ran while a read stayed stale.
 */
export async function diagnoseUnsettled(orderId: string, seen: unknown, paymentId?: string): Promise<string> {
  const rows = await paymentRowsOf(orderId);
  const row = rows.find((r) => paymentId !== undefined && String(r.id) === paymentId) ?? rows[rows.length - 1];
  const rowStatus = row ? String(row.status) : undefined;
  let apiPayment: Record<string, unknown> | undefined;
  if (paymentId) {
    const res = await call('GET', `/payments/${paymentId}`);
    if (res.status === 200 && isRecord(res.body)) apiPayment = res.body;
  }
  const facts: string[] = [];
  if (rowStatus !== undefined && rowStatus in SETTLED_PAYMENT) {
    const expected = SETTLED_PAYMENT[rowStatus];
    const dbOrder = await orderRowStatus(orderId);
    if (dbOrder === expected) {
      return (
        `Your worker did run: the payment's row in \`payments\` is \`${rowStatus}\` and the order's row in your database is \`${dbOrder}\`, ` +
        `but \`GET /orders/:id\` still answers ${show(seen)}: **a stale read**. Whatever caches orders (a Redis key, an in-memory map, an ` +
        'HTTP cache) must be deleted or updated when the worker settles the order, or orders must not be cached.'
      );
    }
    if (dbOrder !== undefined) {
      return (
        `Your worker did run: the payment's row in \`payments\` is \`${rowStatus}\`, but the order's row in your database is still ` +
        `\`${dbOrder}\` (expected \`${expected}\`). Settle the payment and move the order together, in one transaction.`
      );
    }
    return (
      `Your worker did run: the payment's row in \`payments\` is \`${rowStatus}\`, yet \`GET /orders/:id\` still answers ${show(seen)} ` +
      `(expected \`${expected}\`). Either the worker settles the payment without moving the order (do both in one transaction), or the ` +
      'order is read from a stale cache (delete or update it when the worker settles the order).'
    );
  }
  if (apiPayment && rowStatus !== undefined && apiPayment.status !== rowStatus) {
    facts.push(
      `\`GET /payments/:id\` answers \`status: ${String(apiPayment.status)}\` while its row in \`payments\` says \`${rowStatus}\`: ` +
        'the payment is read from a stale cache.',
    );
  }
  const attempts = apiPayment?.attempts;
  const backlog = await readQueueBacklog();
  const waiting = backlog?.reduce((sum, q) => sum + q.waiting + q.delayed, 0) ?? 0;
  const active = backlog?.reduce((sum, q) => sum + q.active, 0) ?? 0;
  const queueSeen = describeBacklog(backlog);
  if (rowStatus === undefined) {
    facts.push('The `payments` table holds no row for the order.');
  } else if (attempts === 0 || attempts === undefined) {
    const never =
      attempts === 0 ? 'The gateway was never called for this payment (`attempts: 0`, still `PENDING`). ' : `The payment is still \`${rowStatus}\`. `;
    if (waiting > 0 && active > 0) {
      facts.push(
        `${never}${queueSeen} Its job is waiting behind the ${active} your worker is charging: **your worker is too slow**, not stopped. ${CONCURRENCY_FIX}`,
      );
    } else if (waiting > 0) {
      facts.push(
        `${never}${queueSeen} Jobs wait and none is active: **is your queue worker running** (in the same process, or one your start script launches), and listening on the queue you add jobs to?`,
      );
    } else {
      facts.push(
        `${never}${queueSeen} Is your queue worker running (in the same process, or one your start script launches), is the job enqueued after the payment is committed, and does the worker move the order when the gateway answers?`,
      );
    }
  } else {
    facts.push(
      `The worker called the gateway ${JSON.stringify(attempts)} time(s) and the payment is still \`${rowStatus}\`. ${queueSeen} ` +
        'Each call takes 2 s, a retry waits a short backoff (about 300 ms): settle the payment and the order as soon as the gateway answers.',
    );
  }
  return facts.join(' ');
}

/**
 * Polls the order until its status is one of `statuses`; fails after SETTLE_SECONDS with what
 * it last saw and why (see {@link diagnoseUnsettled}). Returns the status reached and the seconds
 * it took. The bound is the brief's 15 s; a healthy worker needs 2 s per gateway call (7 s for
 * the card that needs three), so it leaves 8 s or more for a loaded machine. `needs`: when the
 * caller only brings an order to a status, the check that tests the worker reaching it.
 */
export async function waitForOrder(
  orderId: string,
  statuses: readonly string[],
  what: string,
  paymentId?: string,
  needs?: string,
): Promise<{ status: string; seconds: number }> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < SETTLE_SECONDS * 1000) {
    last = await orderStatus(orderId);
    if (typeof last === 'string' && statuses.includes(last)) return { status: last, seconds: (Date.now() - started) / 1000 };
    await sleep(250);
  }
  fail(
    `${what}: after ${SETTLE_SECONDS} s the order's \`status\` is still ${show(last)}; expected ${statuses.map((s) => `\`${s}\``).join(' or ')}. ` +
      (await diagnoseUnsettled(orderId, last, paymentId)),
    needs ? { needs } : {},
  );
}

/** The payment now (200 expected). `needs`: the check that tests reading payments, when the caller is another. */
export async function paymentNow(paymentId: string, needs?: string): Promise<Record<string, unknown>> {
  const res = await call('GET', `/payments/${paymentId}`);
  expectStatus(res, 200, {
    when: 'for a payment this check created',
    fix: 'Answer `200` with the payment as it is now.',
    ...(needs ? { needs } : {}),
  });
  return isRecord(res.body) ? res.body : {};
}

/** The rows of the `payments` table for one order, as superuser. */
export async function paymentRows(orderId: string): Promise<Array<{ status: string }>> {
  try {
    const { rows } = await db().query<{ status: string }>('SELECT status::text AS status FROM payments WHERE order_id::text = $1', [orderId]);
    return rows;
  } catch (error) {
    const err = error as { code?: string; message?: string };
    // 42P01 undefined table, 42703 undefined column: the learner's schema, not the grader.
    if (err.code === '42P01' || err.code === '42703') {
      fail(
        `The grader could not read your \`payments\` table: ${err.message}. The brief names it: a table \`payments\` with the columns \`order_id\` and \`status\`.`,
      );
    }
    throw error;
  }
}

const DUPLICATE_FIX =
  'Store the Idempotency-Key with the payment under a UNIQUE constraint, so a duplicate request finds the first payment instead of creating another.';

/** Fails unless the order has exactly `expected` rows in `payments`. */
export async function expectPaymentRows(orderId: string, expected: number, when: string, fix = DUPLICATE_FIX): Promise<number> {
  const rows = await paymentRows(orderId);
  ensure(rows.length === expected, `${when}, the \`payments\` table holds **${rows.length}** rows for the order; expected **${expected}**. ${fix}`);
  return rows.length;
}
