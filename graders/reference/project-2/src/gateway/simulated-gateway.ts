import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

export type ChargeOutcome = 'succeeded' | 'declined' | 'transient_error';

/** How long every call takes: a real gateway is slow, which is why charging runs in the background. */
export const GATEWAY_LATENCY_MS = 2_000;

export const TEST_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  /** Fails transiently on the 1st and 2nd call for a payment, succeeds on the 3rd. */
  transientTwice: '4000000000009995',
} as const;

/**
 * The payment gateway, simulated inside the app but called like a remote API: slow, decided by
 * card number. The transient counter is per payment and lives in memory (one process).
 */
@Injectable()
export class SimulatedGateway {
  private readonly callsByPayment = new Map<string, number>();

  async charge(request: { paymentId: string; amountCents: number; cardNumber: string }): Promise<ChargeOutcome> {
    const call = (this.callsByPayment.get(request.paymentId) ?? 0) + 1;
    this.callsByPayment.set(request.paymentId, call);
    await sleep(GATEWAY_LATENCY_MS);
    switch (request.cardNumber) {
      case TEST_CARDS.succeeds:
        this.callsByPayment.delete(request.paymentId);
        return 'succeeded';
      case TEST_CARDS.transientTwice:
        if (call <= 2) return 'transient_error';
        this.callsByPayment.delete(request.paymentId);
        return 'succeeded';
      default:
        this.callsByPayment.delete(request.paymentId);
        return 'declined';
    }
  }
}
