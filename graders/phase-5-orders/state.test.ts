import { call } from '../harness/context';
import { ensure, expectObserved, expectStatus, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { CARDS, createOrder, isRecord, orderStatus, pay, requestPayment, waitForOrder } from './support/api';

const check = useChecks(checks);

type Action = 'cancel' | 'reopen' | 'refund';

async function transition(orderId: string, action: Action, expected: number, from: string, to?: string): Promise<void> {
  const res = await call('POST', `/orders/${orderId}/${action}`);
  expectStatus(res, expected, {
    when: `on a \`${from}\` order`,
    fix:
      expected === 200
        ? `The state machine allows ${action} from \`${from}\`: move the order to \`${to}\` and answer \`200\` with it.`
        : `${action} is not allowed from \`${from}\`: answer \`409 Conflict\` and change nothing.`,
  });
  if (expected === 200) {
    const status = isRecord(res.body) ? res.body.status : undefined;
    expectObserved(`\`POST /orders/:id/${action}\` answered an order whose \`status\``, status, to, `Answer the order as it is after the transition.`);
  }
}

/** Every forbidden action answers 409 and the order stays in `status`. */
async function expectAllRefused(orderId: string, status: string, actions: Action[]): Promise<void> {
  for (const action of actions) await transition(orderId, action, 409, status);
  const pay = await requestPayment(orderId, CARDS.succeeds);
  expectStatus(pay, 409, { when: `for a \`${status}\` order (new Idempotency-Key)`, fix: `Only \`CREATED\` orders can be paid: answer \`409 Conflict\`.` });
  const now = await orderStatus(orderId);
  ensure(now === status, `After the refused requests the order's \`status\` is ${show(now)}; expected it unchanged (\`${status}\`). A refused transition changes nothing.`);
}

check('state.allowed-transitions', async () => {
  const cancelled = await createOrder();
  await transition(cancelled.id, 'cancel', 200, 'CREATED', 'CANCELLED');

  const [retried, abandoned] = await Promise.all([createOrder(), createOrder()]);
  await Promise.all([pay(retried.id, CARDS.declined), pay(abandoned.id, CARDS.declined)]);
  await waitForOrder(retried.id, ['FAILED'], 'A payment with the declined card 4000 0000 0000 0002');
  await waitForOrder(abandoned.id, ['FAILED'], 'A payment with the declined card 4000 0000 0000 0002');
  await transition(abandoned.id, 'cancel', 200, 'FAILED', 'CANCELLED');
  await transition(retried.id, 'reopen', 200, 'FAILED', 'CREATED');

  await pay(retried.id, CARDS.succeeds);
  await waitForOrder(retried.id, ['PAID'], 'Paying the reopened order with 4242 4242 4242 4242');
  await transition(retried.id, 'refund', 200, 'PAID', 'REFUNDED');
});

check('state.forbidden-409', async () => {
  const created = await createOrder();
  await transition(created.id, 'refund', 409, 'CREATED');
  await transition(created.id, 'reopen', 409, 'CREATED');
  ensure((await orderStatus(created.id)) === 'CREATED', 'After the refused requests the order is no longer `CREATED`; expected it unchanged.');

  const paid = await createOrder();
  await pay(paid.id, CARDS.succeeds);
  await waitForOrder(paid.id, ['PAID'], 'A payment with 4242 4242 4242 4242');
  await expectAllRefused(paid.id, 'PAID', ['cancel', 'reopen']);
});

check('state.terminal', async () => {
  const cancelled = await createOrder();
  await transition(cancelled.id, 'cancel', 200, 'CREATED', 'CANCELLED');
  await expectAllRefused(cancelled.id, 'CANCELLED', ['cancel', 'reopen', 'refund']);

  const refunded = await createOrder();
  await pay(refunded.id, CARDS.succeeds);
  await waitForOrder(refunded.id, ['PAID'], 'A payment with 4242 4242 4242 4242');
  await transition(refunded.id, 'refund', 200, 'PAID', 'REFUNDED');
  await expectAllRefused(refunded.id, 'REFUNDED', ['refund', 'cancel', 'reopen']);
});
