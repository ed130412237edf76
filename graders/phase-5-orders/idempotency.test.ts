import { ensure, expectStatus, measure, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { sendSimultaneously } from './support/simultaneous';
import { CARDS, createOrder, expectPaymentRows, isRecord, newKey, orderStatus, pay, paymentRows, requestPayment } from './support/api';

const check = useChecks(checks);

const idOf = (body: unknown): unknown => (isRecord(body) ? body.id : undefined);

/** A replay answered 200 (or 201): the payment was found, only the status differs from the first answer. */
function replayedWithOtherStatus(status: number, who: string): string {
  return (
    `${who} with the same Idempotency-Key and body answered **${status}** where the first request answered **202**. ` +
    'An idempotent replay answers exactly what the first request answered: the same status (`202`) and the same payment. ' +
    'Finding the stored payment is already right; only the status code differs. Answer `202` on the replay path too ' +
    '(Express/Koa/Fastify: `res.status(202)` / `ctx.status = 202` / `reply.code(202)` in both branches; NestJS: `@HttpCode(202)` on the handler, ' +
    'and no `res.status(200)` for a replay).'
  );
}

check('idempotency.key-required', async () => {
  const order = await createOrder();
  const res = await requestPayment(order.id, CARDS.succeeds, null);
  expectStatus(res, 400, { when: 'without an `Idempotency-Key` header', fix: 'The header is required: answer `400` naming it.' });
  ensure(
    /idempotency-key/i.test(res.text),
    `The 400 does not name the header; expected \`Idempotency-Key\` in the error (for example a \`details\` entry with \`field: "Idempotency-Key"\`).\n\n${showBody(res)}`,
  );
  await expectPaymentRows(order.id, 0, 'After a refused request without a key', 'Validate the header before writing anything.');
  const status = await orderStatus(order.id);
  ensure(status === 'CREATED', `After a refused request the order is ${show(status)}; expected it unchanged (\`CREATED\`).`);
});

check('idempotency.replay', async () => {
  const order = await createOrder();
  const key = newKey();
  const firstId = await pay(order.id, CARDS.succeeds, key);
  const again = await requestPayment(order.id, CARDS.succeeds, key);
  ensure(again.status !== 200 && again.status !== 201, replayedWithOtherStatus(again.status, 'The retry'));
  expectStatus(again, 202, {
    when: 'a second time with the same Idempotency-Key and body',
    fix: 'A retry is answered like the first request: `202` with the same payment.',
  });
  ensure(
    idOf(again.body) === firstId,
    `The retry answered the payment ${show(idOf(again.body))}; expected the first one, ${show(firstId)}. Find the payment by its key and answer it again.`,
  );
  await expectPaymentRows(order.id, 1, 'After two requests with one key');
});

check('idempotency.different-body-422', async () => {
  const [order, other] = await Promise.all([createOrder(), createOrder()]);
  const key = newKey();
  await pay(order.id, CARDS.succeeds, key);
  const otherCard = await requestPayment(order.id, CARDS.declined, key);
  expectStatus(otherCard, 422, {
    when: 'with the same Idempotency-Key but another `cardNumber`',
    fix: 'Store a hash of the body with the key; the same key with another body is `422 Unprocessable Entity`.',
  });
  const otherOrder = await requestPayment(other.id, CARDS.succeeds, key);
  expectStatus(otherOrder, 422, {
    when: 'with the same Idempotency-Key but another `orderId`',
    fix: 'The same key with another body is `422 Unprocessable Entity`, even for another order.',
  });
  await expectPaymentRows(order.id, 1, 'After one payment and a refused reuse of its key');
  await expectPaymentRows(other.id, 0, 'After a refused request for it', 'Compare the body with the one stored for the key before writing anything.');
  const status = await orderStatus(other.id);
  ensure(status === 'CREATED', `The other order is ${show(status)} after a refused request; expected it unchanged (\`CREATED\`).`);
});

check('idempotency.concurrent-duplicates', async () => {
  const order = await createOrder();
  const key = newKey();
  const answers = await sendSimultaneously(
    Array.from({ length: 20 }, () => ({
      method: 'POST' as const,
      path: '/payments',
      headers: { 'Idempotency-Key': key },
      body: { orderId: order.id, cardNumber: CARDS.succeeds },
    })),
  );
  const statuses = answers.map((res) => res.status);
  const ids = new Set(answers.filter((res) => res.status === 202).map((res) => idOf(res.body)));
  const accepted = statuses.filter((status) => status === 202).length;
  measure('answers 202 of 20', accepted, { threshold: '= 20' });
  const replayedAs = statuses.filter((status) => status === 200 || status === 201);
  const stored = (await paymentRows(order.id)).length;
  measure('payment rows created', stored, { threshold: '= 1' });
  ensure(
    stored === 1,
    `20 concurrent requests with one Idempotency-Key created **${stored}** payment rows; expected **1**. A check-then-insert races: ` +
      'put a UNIQUE constraint on the key and, when the insert violates it, answer the payment that won.',
  );
  ensure(
    replayedAs.length === 0 ||
      !statuses.every((status) => [200, 201, 202].includes(status)) ||
      new Set(answers.filter((res) => [200, 201, 202].includes(res.status)).map((res) => idOf(res.body))).size > 1,
    `${replayedWithOtherStatus(replayedAs[0], `${replayedAs.length} of 20 concurrent requests`)} Statuses: ${show(statuses)}.`,
  );
  ensure(
    accepted === 20 && ids.size === 1,
    `20 concurrent requests with one Idempotency-Key answered ${show(statuses)} (${ids.size} distinct payment ids among the 202s); expected **202** twenty ` +
      'times with one payment id: each duplicate is a retry of the same request and gets the same answer. Insert the payment (with the ' +
      'unique key) before moving the order, so a duplicate waits on the key and replays the winner instead of meeting a `PENDING_PAYMENT` order.',
  );
});
