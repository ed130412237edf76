/** Where an order is in its life. CANCELLED and REFUNDED are terminal. */
export type OrderStatus = 'CREATED' | 'PENDING_PAYMENT' | 'PAID' | 'FAILED' | 'CANCELLED' | 'REFUNDED';

/** Everything that may move an order, and the only statuses it may start from. */
export const ORDER_TRANSITIONS = {
  pay: { from: ['CREATED'], to: 'PENDING_PAYMENT' },
  charged: { from: ['PENDING_PAYMENT'], to: 'PAID' },
  chargeFailed: { from: ['PENDING_PAYMENT'], to: 'FAILED' },
  reopen: { from: ['FAILED'], to: 'CREATED' },
  cancel: { from: ['CREATED', 'FAILED'], to: 'CANCELLED' },
  refund: { from: ['PAID'], to: 'REFUNDED' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;
