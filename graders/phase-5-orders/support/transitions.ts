/**
 * The order state machine of the brief (exercises/phase-5-orders/README.md, "The order state
 * machine"), as data. The state checks derive every case from it: each allowed row is a case of
 * state.allowed-transitions, every other (status, request) pair a case of state.forbidden-409 (or
 * state.terminal for a terminal status), and the way to bring an order into a status is found by
 * walking the same table from `CREATED`. A new row in the brief's table is a new case here.
 *
 * The tester container sees only graders/ (not exercises/), so the table is copied, and
 * test/unit/phase5Transitions.test.ts parses the brief's markdown table and fails when the two
 * differ.
 */

export const ORDER_STATUSES = ['CREATED', 'PENDING_PAYMENT', 'PAID', 'FAILED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The `request` column of the table: a route, or the worker. */
export const REQUESTS = ['POST /payments', 'POST /orders/:id/cancel', 'POST /orders/:id/reopen', 'POST /orders/:id/refund'] as const;
export type OrderRequest = (typeof REQUESTS)[number];
export const WORKER = '(your worker only)';

export interface TransitionRow {
  from: readonly OrderStatus[];
  request: OrderRequest | typeof WORKER;
  /** One status for a request; the worker may end in several. */
  to: readonly OrderStatus[];
}

/** The brief's table, row by row, in its order. */
export const TRANSITION_TABLE: readonly TransitionRow[] = [
  { from: ['CREATED'], request: 'POST /payments', to: ['PENDING_PAYMENT'] },
  { from: ['CREATED', 'FAILED'], request: 'POST /orders/:id/cancel', to: ['CANCELLED'] },
  { from: ['PENDING_PAYMENT'], request: WORKER, to: ['PAID', 'FAILED'] },
  { from: ['FAILED'], request: 'POST /orders/:id/reopen', to: ['CREATED'] },
  { from: ['PAID'], request: 'POST /orders/:id/refund', to: ['REFUNDED'] },
];

/** "**`CANCELLED` and `REFUNDED` are terminal.**" */
export const TERMINAL: readonly OrderStatus[] = ['CANCELLED', 'REFUNDED'];

export interface Case {
  from: OrderStatus;
  request: OrderRequest;
}

export interface AllowedCase extends Case {
  to: OrderStatus;
}

/** Every (status, request) pair the table allows, in table order. */
export function allowedCases(table: readonly TransitionRow[] = TRANSITION_TABLE): AllowedCase[] {
  const cases: AllowedCase[] = [];
  for (const row of table) {
    if (row.request === WORKER) continue;
    for (const from of row.from) cases.push({ from, request: row.request, to: row.to[0] });
  }
  return cases;
}

/** Every (status, request) pair the table does not allow: a `409` that changes nothing. */
export function forbiddenCases(table: readonly TransitionRow[] = TRANSITION_TABLE): Case[] {
  const allowed = new Set(allowedCases(table).map((c) => `${c.from} ${c.request}`));
  const cases: Case[] = [];
  for (const from of ORDER_STATUSES) {
    for (const request of REQUESTS) if (!allowed.has(`${from} ${request}`)) cases.push({ from, request });
  }
  return cases;
}

/** The statuses the worker alone may move an order to from `status` (none for most). */
export function workerMoves(status: OrderStatus, table: readonly TransitionRow[] = TRANSITION_TABLE): OrderStatus[] {
  return table.filter((row) => row.request === WORKER && row.from.includes(status)).flatMap((row) => [...row.to]);
}

/** One step towards a status: a request the grader sends, or waiting for the worker to reach `to`. */
export type Step = { kind: 'request'; request: OrderRequest; to: OrderStatus } | { kind: 'worker'; to: OrderStatus };

/**
 * The shortest way, along the table, from a new (`CREATED`) order to `status`: the steps the
 * checks take to bring an order there. Throws when the table cannot reach it (a table error).
 */
export function pathTo(status: OrderStatus, table: readonly TransitionRow[] = TRANSITION_TABLE): Step[] {
  const paths = new Map<OrderStatus, Step[]>([['CREATED', []]]);
  const queue: OrderStatus[] = ['CREATED'];
  while (queue.length) {
    const current = queue.shift() as OrderStatus;
    for (const row of table) {
      if (!row.from.includes(current)) continue;
      for (const to of row.to) {
        if (paths.has(to)) continue;
        const step: Step = row.request === WORKER ? { kind: 'worker', to } : { kind: 'request', request: row.request, to };
        paths.set(to, [...(paths.get(current) as Step[]), step]);
        queue.push(to);
      }
    }
  }
  const path = paths.get(status);
  if (!path) throw new Error(`the transition table never reaches ${status}`);
  return path;
}
