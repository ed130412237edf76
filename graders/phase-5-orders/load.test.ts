import { setTimeout as sleep } from 'node:timers/promises';
import { ensure, measure, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { CARDS, SETTLE_SECONDS, createProduct, isRecord, newKey, paymentRows, requestPayment } from './support/api';
import { call } from '../harness/context';

const check = useChecks(checks);

const ORDERS = 20;

check('load.one-payment-per-order', async () => {
  const product = await createProduct(1500, 'load');
  const orders: string[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const res = await call('POST', '/orders', { body: { items: [{ productId: product.id, quantity: 1 }] } });
    ensure(res.status === 201 && isRecord(res.body) && typeof res.body.id === 'string', `\`POST /orders\` answered ${res.status}; expected 201 with the order (a step this check needs first).`);
    orders.push(res.body.id);
  }

  // Per order: a request, its retry with the same key, and another client's request with its own key, all at once.
  const burst = orders.flatMap((orderId) => {
    const key = newKey();
    return [
      () => requestPayment(orderId, CARDS.succeeds, key),
      () => requestPayment(orderId, CARDS.succeeds, key),
      () => requestPayment(orderId, CARDS.succeeds, newKey()),
    ];
  });
  const answers = await Promise.all(burst.map((send) => send()));
  const statuses = answers.map((res) => res.status);
  const unexpected = statuses.filter((status) => status !== 202 && status !== 409);
  measure('answers other than 202 or 409', unexpected.length, { threshold: '= 0' });
  ensure(
    unexpected.length === 0,
    `Of ${answers.length} concurrent \`POST /payments\`, ${unexpected.length} answered something else than 202 or 409: ${show(unexpected)}. ` +
      'A duplicate is replayed (202) and a request for an order already being paid is a 409, never an error.',
  );

  // Every order settles.
  const deadline = Date.now() + SETTLE_SECONDS * 1000;
  let notPaid: string[] = orders;
  while (notPaid.length && Date.now() < deadline) {
    await sleep(500);
    const now = await Promise.all(notPaid.map(async (id) => ({ id, res: await call('GET', `/orders/${id}`) })));
    notPaid = now.filter(({ res }) => !(isRecord(res.body) && res.body.status === 'PAID')).map(({ id }) => id);
  }

  let duplicated = 0;
  let withoutSucceeded = 0;
  for (const orderId of orders) {
    const rows = await paymentRows(orderId);
    if (rows.length > 1) duplicated++;
    if (rows.filter((row) => row.status === 'SUCCEEDED').length !== 1) withoutSucceeded++;
  }
  measure('orders with more than one payment row', duplicated, { threshold: '= 0' });
  ensure(
    duplicated === 0,
    `After the burst, **${duplicated} of ${ORDERS}** orders have more than one row in \`payments\`; expected exactly one each. ` +
      'Two requests with different keys both saw the order `CREATED` and both paid it: move the order with one conditional UPDATE ' +
      "(`… WHERE status = 'CREATED'`) inside the payment's transaction, and refuse the loser with a 409.",
  );
  ensure(
    notPaid.length === 0 && withoutSucceeded === 0,
    `${SETTLE_SECONDS} s after the burst, ${notPaid.length} of ${ORDERS} orders are not \`PAID\` and ${withoutSucceeded} have no single ` +
      '`SUCCEEDED` payment; expected every order `PAID` with exactly one `SUCCEEDED` payment.',
  );
});
