/**
 * Phase 5 — Project 2, the Order/Payment service: every check, its points and who sees what.
 * The ids are stable: mutants (mutants/*.patch) and stored results refer to them.
 */
import { defineChecks } from '../harness/checkDefinitions';

export const checks = defineChecks({
  exerciseId: 'phase-5-orders',
  maxScore: 100,
  checks: [
    // Products & orders — 10
    {
      id: 'orders.create',
      group: 'Products & orders',
      points: 5,
      visibility: 'visible',
      name: 'POST /orders answers 201 with status CREATED, the items at their prices and the total, kept when a price changes later',
    },
    {
      id: 'orders.unknown-ids',
      group: 'Products & orders',
      points: 5,
      visibility: 'visible',
      name: 'Unknown orders and products are 404; an order naming an unknown product is 422',
    },

    // State machine — 20
    {
      id: 'state.allowed-transitions',
      group: 'State machine',
      points: 8,
      visibility: 'visible',
      timeoutSeconds: 40,
      required: true,
      name: 'Every allowed row of the transition table moves the order (and a refund its payment) as the brief says',
    },
    {
      id: 'state.forbidden-409',
      group: 'State machine',
      points: 7,
      visibility: 'visible',
      timeoutSeconds: 30,
      required: true,
      name: 'Every forbidden transition of CREATED, PENDING_PAYMENT, PAID and FAILED orders answers 409 and changes nothing',
    },
    {
      id: 'state.terminal',
      group: 'State machine',
      points: 5,
      visibility: 'visible',
      timeoutSeconds: 30,
      required: true,
      name: 'CANCELLED and REFUNDED are terminal: every transition answers 409',
    },

    // Background payments — 20
    {
      id: 'payments.accepted-quickly',
      group: 'Background payments',
      points: 6,
      visibility: 'visible',
      name: 'POST /payments answers 202 within 1 s with the payment PENDING (the charge runs later)',
    },
    {
      id: 'payments.paid-by-worker',
      group: 'Background payments',
      points: 5,
      visibility: 'visible',
      timeoutSeconds: 30,
      name: 'The worker charges 4242 4242 4242 4242: the order is PAID within 15 s, in 1 attempt',
    },
    {
      id: 'payments.declined-fails',
      group: 'Background payments',
      points: 4,
      visibility: 'visible',
      timeoutSeconds: 30,
      name: 'A declined card ends FAILED with card_declined after 1 attempt',
    },
    {
      id: 'payments.transient-retried',
      group: 'Background payments',
      points: 5,
      visibility: 'visible',
      timeoutSeconds: 30,
      name: 'Transient gateway failures are retried: 4000 0000 0000 9995 ends PAID after 3 attempts',
    },

    // Idempotency — 25
    {
      id: 'idempotency.key-required',
      group: 'Idempotency',
      points: 3,
      visibility: 'visible',
      name: 'POST /payments without Idempotency-Key is a 400 naming the header, and creates nothing',
    },
    {
      id: 'idempotency.replay',
      group: 'Idempotency',
      points: 7,
      visibility: 'visible',
      required: true,
      name: 'The same key and body again answers 202 with the same payment, and creates no other',
    },
    {
      id: 'idempotency.different-body-422',
      group: 'Idempotency',
      points: 6,
      visibility: 'visible',
      name: 'The same key with another body is a 422 and changes nothing',
    },
    {
      id: 'idempotency.concurrent-duplicates',
      group: 'Idempotency',
      points: 9,
      visibility: 'visible',
      required: true,
      name: '20 concurrent requests with one key all answer 202 with one payment, stored once',
    },

    // No duplicate payments — 10
    {
      id: 'load.one-payment-per-order',
      group: 'No duplicate payments',
      points: 10,
      visibility: 'hidden',
      timeoutSeconds: 90,
      required: true,
      name: 'A burst of mixed payment requests leaves exactly one succeeded payment per order',
      hint:
        'Under a burst of concurrent requests for the same orders (retries with one key, and other keys), ' +
        'every order must end PAID with exactly one payment row, and no answer may be a 5xx. Two requests ' +
        'that both read the order as CREATED and both write is the classic race: make the transition one ' +
        "conditional UPDATE (… WHERE status = 'CREATED') or lock the row, inside the payment's transaction. The 20 orders must all be PAID " +
        'within 15 s: your worker must charge at least 10 payments at once (BullMQ: concurrency 10 or more).',
    },

    // Cache — 15
    {
      id: 'cache.hit-rate',
      group: 'Cache',
      points: 8,
      visibility: 'visible',
      name: '100 reads of 10 products reach the database at most 30 times (hit rate ≥ 70%)',
    },
    {
      id: 'cache.fresh-after-update',
      group: 'Cache',
      points: 7,
      visibility: 'visible',
      name: 'A read after PATCH /products/:id returns the new values, 20 times in a row',
    },
  ],
});
