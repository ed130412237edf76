import { randomUUID } from 'node:crypto';
import { call } from '../harness/context';
import { ensure, expectObserved, expectStatus, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { CARDS, createProduct, isRecord, requestPayment } from './support/api';

const check = useChecks(checks);

check('orders.create', async () => {
  const keyboard = await createProduct(1250, 'keyboard');
  const mouse = await createProduct(899, 'mouse');
  const res = await call('POST', '/orders', {
    body: {
      items: [
        { productId: keyboard.id, quantity: 2 },
        { productId: mouse.id, quantity: 1 },
      ],
    },
  });
  expectStatus(res, 201, { when: 'with two existing products', fix: 'Create the order and answer `201 Created` with it.' });
  const order = isRecord(res.body) ? res.body : {};
  ensure(typeof order.id === 'string', `\`POST /orders\` answered 201 without an \`id\`.\n\n${showBody(res)}`);
  expectObserved("The new order's `status`", order.status, 'CREATED', 'A new order starts in `CREATED`.');
  expectObserved("The new order's `totalCents`", order.totalCents, 2 * 1250 + 899, 'Sum `unitPriceCents × quantity` over the items.');
  const items = Array.isArray(order.items) ? order.items.filter(isRecord) : [];
  const line = (productId: string) => items.find((item) => item.productId === productId);
  ensure(
    line(keyboard.id)?.unitPriceCents === 1250 && line(keyboard.id)?.quantity === 2 && line(mouse.id)?.unitPriceCents === 899,
    `The order's \`items\` are ${show(order.items, 400)}; expected one entry per product with its \`productId\`, \`quantity\` and \`unitPriceCents\` (the product's price now).`,
  );
  const again = await call('GET', `/orders/${order.id}`);
  expectStatus(again, 200, { when: 'for the order just created', fix: 'Answer `200` with the order.' });
  const read = isRecord(again.body) ? again.body : {};
  ensure(
    read.id === order.id && read.status === 'CREATED' && read.totalCents === order.totalCents,
    `\`GET /orders/:id\` answered ${show({ id: read.id, status: read.status, totalCents: read.totalCents })}; expected the order just created.`,
  );

  // "`unitPriceCents` is the product's price when the order is created": a later price change
  // must not reach an existing order.
  const repriced = await call('PATCH', `/products/${keyboard.id}`, { body: { priceCents: 1999 } });
  expectStatus(repriced, 200, {
    when: 'with a new `priceCents` (a step this check needs first)',
    fix: 'Update the product and answer `200` with it.',
  });
  const later = await call('GET', `/orders/${order.id}`);
  expectStatus(later, 200, { when: 'for the order, after a price change of one of its products', fix: 'Answer `200` with the order.' });
  const kept = isRecord(later.body) ? later.body : {};
  const keptItems = Array.isArray(kept.items) ? kept.items.filter(isRecord) : [];
  const keptLine = keptItems.find((item) => item.productId === keyboard.id);
  ensure(
    keptLine?.unitPriceCents === 1250 && kept.totalCents === order.totalCents,
    `After the keyboard's price changed from 1250 to 1999, \`GET /orders/:id\` of an order created before answers the keyboard line at ` +
      `\`unitPriceCents\` ${show(keptLine?.unitPriceCents)} and \`totalCents\` ${show(kept.totalCents)}; expected 1250 and ${String(order.totalCents)}, ` +
      'unchanged. An order keeps the price each product had when the order was created: store `unitPriceCents` (and the total) ' +
      'on the order line when you create it, and never look the price up again when you read the order.',
  );
});

check('orders.unknown-ids', async () => {
  const nobody = randomUUID();
  const order = await call('GET', `/orders/${nobody}`);
  expectStatus(order, 404, { when: 'for a UUID that is no order', fix: 'Answer `404 Not Found`.' });
  const product = await call('GET', `/products/${nobody}`);
  expectStatus(product, 404, { when: 'for a UUID that is no product', fix: 'Answer `404 Not Found` (and do not cache it as a product).' });
  const payment = await requestPayment(nobody, CARDS.succeeds);
  expectStatus(payment, 404, { when: 'for an `orderId` that is no order', fix: 'Answer `404 Not Found`.' });
  const malformed = await call('GET', '/orders/not-a-uuid');
  expectStatus(malformed, 400, { when: 'with a malformed id', fix: 'Validate path ids as UUIDs: a malformed one is a `400`.' });
  const unknownProduct = await call('POST', '/orders', { body: { items: [{ productId: nobody, quantity: 1 }] } });
  expectStatus(unknownProduct, 422, {
    when: 'naming a product that does not exist',
    fix: 'A well-formed `productId` that matches no product is a `422 Unprocessable Entity`.',
  });
});
