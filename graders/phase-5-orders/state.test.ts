/**
 * The state machine, every case derived from the brief's transition table (support/transitions.ts,
 * kept equal to the brief by test/unit/phase5Transitions.test.ts): each allowed row is tried from
 * its status, and every other (status, request) pair must answer 409 and change nothing.
 */
import { call } from '../harness/context';
import { ensure, expectStatus, measure, show, showBody, useChecks } from '../harness/check';
import type { HttpExchange } from '../harness/feedback';
import { checks } from './checks';
import { CARDS, createOrder, isRecord, newKey, orderStatus, paymentNow, paymentRows, requestPayment, waitForOrder } from './support/api';
import {
  ORDER_STATUSES,
  TERMINAL,
  allowedCases,
  forbiddenCases,
  pathTo,
  workerMoves,
  type AllowedCase,
  type OrderRequest,
  type OrderStatus,
  type Step,
} from './support/transitions';

const check = useChecks(checks);

interface OrderAt {
  id: string;
  /** The last payment made on the way (its id), if any. */
  paymentId?: string;
}

/** The card that makes the worker end where the next step wants; 9995 keeps it PENDING_PAYMENT longest. */
function cardFor(next: OrderStatus | undefined): string {
  if (next === 'PAID') return CARDS.succeeds;
  if (next === 'FAILED') return CARDS.declined;
  // The order is wanted in PENDING_PAYMENT itself: 9995 needs three 2 s gateway calls, so the order
  // stays PENDING_PAYMENT for at least 6 s after the 202 (the brief's gateway contract), while the
  // requests a check sends it take milliseconds. If a loaded machine ever let the worker finish
  // first, the order would be PAID and the same requests must be refused there too: the reference
  // cannot fail because of load, only a mutant could escape.
  return CARDS.transientTwice;
}

/** Sends one request of the table's `request` column for the order. */
function send(orderId: string, request: OrderRequest, card: string = CARDS.succeeds): Promise<HttpExchange> {
  if (request === 'POST /payments') return requestPayment(orderId, card, newKey());
  return call('POST', request.replace(':id', orderId).replace(/^POST /, ''));
}

const verb = (request: OrderRequest): string => (request === 'POST /payments' ? 'pay' : (request.split('/').pop() as string));

/**
 * The check that tests a step on the way to a status: a failure there is that step's, not the rule
 * of the check bringing the order (results.ts drops a `needs` naming the check itself).
 */
function stepNeeds(step: Step): string {
  if (step.kind === 'worker') return step.to === 'FAILED' ? 'payments.declined-fails' : 'payments.paid-by-worker';
  return step.request === 'POST /payments' ? 'payments.accepted-quickly' : 'state.allowed-transitions';
}

/** Brings a new order to `status` along the table's shortest path from CREATED. */
async function orderIn(status: OrderStatus): Promise<OrderAt> {
  const order: OrderAt = { id: (await createOrder()).id };
  const steps = pathTo(status);
  for (const [index, step] of steps.entries()) {
    if (step.kind === 'worker') {
      await waitForOrder(order.id, [step.to], `Bringing an order to \`${status}\` (a step this check needs first)`, order.paymentId, stepNeeds(step));
      continue;
    }
    const card = cardFor(steps[index + 1]?.to);
    const res = await send(order.id, step.request, card);
    const expected = step.request === 'POST /payments' ? 202 : 200;
    expectStatus(res, expected, {
      when: `on an order the table allows it for, to bring it to \`${status}\` (a step this check needs first)`,
      fix: `The brief's table allows it: move the order to \`${step.to}\` and answer \`${expected}\`.`,
      needs: stepNeeds(step),
    });
    if (step.request === 'POST /payments' && isRecord(res.body) && typeof res.body.id === 'string') order.paymentId = res.body.id;
  }
  return order;
}

/** Runs one async job per item at once, lets every one finish, then throws the first failure in item order. */
async function allOf<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(items.map(run));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

const statusesAllowing = (request: OrderRequest): OrderStatus[] =>
  allowedCases()
    .filter((c) => c.request === request)
    .map((c) => c.from);
const list = (statuses: readonly string[]): string => statuses.map((s) => `\`${s}\``).join(' or ');

/** "a `FAILED` order must first be reopened (`POST /orders/:id/reopen` → `CREATED`)" when the table has such a way. */
function wayAround(from: OrderStatus, request: OrderRequest): string {
  const targets = statusesAllowing(request);
  const detour = allowedCases().find((c) => c.from === from && targets.includes(c.to));
  return detour ? ` A \`${from}\` order must first go \`${detour.request}\` → \`${detour.to}\`.` : '';
}

async function tryAllowed(c: AllowedCase): Promise<void> {
  const order = await orderIn(c.from);
  const res = await send(order.id, c.request);
  const isPay = c.request === 'POST /payments';
  expectStatus(res, isPay ? 202 : 200, {
    when: `on a \`${c.from}\` order`,
    fix: `The brief's table allows it: move the order to \`${c.to}\` and answer \`${isPay ? 202 : 200}\` with the ${isPay ? 'payment' : 'order'}.`,
  });
  const answered = isRecord(res.body) ? res.body.status : undefined;
  if (isPay) {
    ensure(
      answered === 'PENDING',
      `\`POST /payments\` on a \`CREATED\` order answered a payment whose \`status\` is ${show(answered)}; expected \`PENDING\`.\n\n${showBody(res)}`,
    );
  } else {
    ensure(
      answered === c.to,
      `\`${c.request}\` on a \`${c.from}\` order answered an order whose \`status\` is ${show(answered)}; expected \`${c.to}\`. Answer the order as it is after the transition.\n\n${showBody(res)}`,
    );
  }
  const now = await orderStatus(order.id);
  // PENDING_PAYMENT may already be settled by the worker when it is read (the card is 4242: ~2 s).
  const acceptable = [c.to, ...workerMoves(c.to)];
  ensure(
    typeof now === 'string' && acceptable.includes(now as OrderStatus),
    `After \`${c.request}\` on a \`${c.from}\` order, \`GET /orders/:id\` answers \`status\` ${show(now)}; expected ${list(acceptable)}.`,
  );

  // What the brief says such a transition does besides the order's status.
  if (c.request === 'POST /orders/:id/refund' && order.paymentId) {
    // "a refund moves the succeeded payment to REFUNDED"
    const payment = await paymentNow(order.paymentId, 'payments.paid-by-worker');
    const rows = await paymentRows(order.id);
    ensure(
      payment.status === 'REFUNDED' && rows.every((row) => row.status !== 'SUCCEEDED'),
      `After refunding a \`PAID\` order (answered ${res.status}, order \`${String(answered)}\`), its payment is ${show({ status: payment.status })} ` +
        `and its rows in \`payments\` are ${show(rows.map((row) => row.status))}; expected the succeeded payment \`REFUNDED\`. ` +
        'A refund moves the order and its payment together: update both in one transaction.',
    );
  }
  if (c.request === 'POST /orders/:id/reopen' && c.to === 'CREATED') {
    // "`CREATED` (it can be paid again)"
    const again = await requestPayment(order.id, CARDS.succeeds, newKey());
    expectStatus(again, 202, {
      when: `on an order reopened after a failed payment (a new Idempotency-Key)`,
      fix: 'A reopened order is `CREATED` again and can be paid: record a new payment and answer `202`.',
    });
    const paymentId = isRecord(again.body) && typeof again.body.id === 'string' ? again.body.id : undefined;
    await waitForOrder(order.id, ['PAID'], 'Paying a reopened order with 4242 4242 4242 4242', paymentId);
  }
}

/** Every forbidden request on an order in `from` answers 409 and changes neither the order nor its payments. */
async function refuseAll(from: OrderStatus): Promise<void> {
  const requests = forbiddenCases()
    .filter((c) => c.from === from)
    .map((c) => c.request);
  if (requests.length === 0) return;
  const order = await orderIn(from);
  // The worker alone may still move it (PENDING_PAYMENT → PAID): that is not the request's doing.
  const mayBecome = [from, ...workerMoves(from)];
  const rowsBefore = await paymentRows(order.id);
  let tried = 0;
  for (const request of requests) {
    // The worker alone may have moved it meanwhile (card 9995 keeps it PENDING_PAYMENT ≥ 6 s, so
    // only an extremely loaded machine, or an app that charges inside the request, gets here): then
    // the request is tried against the status the order really has, when that status forbids it too,
    // and skipped otherwise. A correct app can never fail because of it; a mutant could escape.
    const current = workerMoves(from).length > 0 ? await orderStatus(order.id) : from;
    const at: OrderStatus = ORDER_STATUSES.includes(current as OrderStatus) ? (current as OrderStatus) : from;
    if (at !== from && !forbiddenCases().some((c) => c.from === at && c.request === request)) continue;
    tried++;
    const res = await send(order.id, request);
    const allowedFrom = statusesAllowing(request);
    expectStatus(res, 409, {
      when: `on a \`${at}\` order${request === 'POST /payments' ? ' (a new Idempotency-Key)' : ''}`,
      fix:
        `The brief's table allows ${verb(request)} only from ${list(allowedFrom)}: from \`${at}\` it is a forbidden transition, ` +
        `answer \`409 Conflict\` and change nothing.${wayAround(at, request)}`,
    });
    const now = await orderStatus(order.id);
    ensure(
      typeof now === 'string' && mayBecome.includes(now as OrderStatus),
      `\`${request}\` on a \`${at}\` order answered 409, but the order's \`status\` is now ${show(now)}; expected it unchanged ` +
        `(${list(mayBecome)}). A refused transition changes nothing: check the status in the same statement that writes it.`,
    );
    const rowsNow = await paymentRows(order.id);
    const statuses = (rows: Array<{ status: string }>): string => JSON.stringify(rows.map((row) => row.status).sort());
    const same = workerMoves(from).length > 0 ? rowsNow.length === rowsBefore.length : statuses(rowsNow) === statuses(rowsBefore);
    ensure(
      same,
      `\`${request}\` on a \`${at}\` order answered 409, but the order's rows in \`payments\` went from ${show(rowsBefore.map((r) => r.status))} ` +
        `to ${show(rowsNow.map((r) => r.status))}; expected them unchanged. Refuse the request before writing anything (or roll the write back).`,
    );
  }
  if (workerMoves(from).length > 0) measure(`forbidden requests tried while ${from}`, tried, { threshold: `= ${requests.length}` });
}

check('state.allowed-transitions', async () => {
  await allOf(allowedCases(), tryAllowed);
});

check('state.forbidden-409', async () => {
  await allOf(
    ORDER_STATUSES.filter((status) => !TERMINAL.includes(status)),
    refuseAll,
  );
});

check('state.terminal', async () => {
  await allOf(TERMINAL, refuseAll);
});
