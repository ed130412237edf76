import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource, Repository } from 'typeorm';
import { SimulatedGateway } from '../gateway/simulated-gateway';
import { OrdersService } from '../orders/orders.service';
import { FailureReason, Payment } from './payment.entity';
import type { PaymentJob } from './payment-queue';

/** Thrown for a transient gateway failure so that BullMQ retries the job. */
export class TransientGatewayError extends Error {
  constructor() {
    super('gateway temporarily unavailable');
  }
}

/** Charges one payment through the gateway and settles the payment and its order together. */
@Injectable()
export class PaymentProcessor {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: OrdersService,
    private readonly gateway: SimulatedGateway,
  ) {}

  processJob(job: Job<PaymentJob>): Promise<void> {
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.processPayment(job.data.paymentId, job.data.cardNumber, isLastAttempt);
  }

  async processPayment(paymentId: string, cardNumber: string, isLastAttempt: boolean): Promise<void> {
    const payment = await this.payments.findOneBy({ id: paymentId });
    // Settled already (a duplicate or replayed job): never charge twice.
    if (!payment || payment.status !== 'PENDING') return;
    await this.payments.increment({ id: paymentId }, 'attempts', 1);

    const outcome = await this.gateway.charge({ paymentId, amountCents: payment.amountCents, cardNumber });
    if (outcome === 'succeeded') return this.settle(payment, 'SUCCEEDED', null);
    if (outcome === 'declined') return this.settle(payment, 'FAILED', 'card_declined');
    if (isLastAttempt) return this.settle(payment, 'FAILED', 'gateway_unavailable');
    throw new TransientGatewayError();
  }

  private async settle(payment: Payment, status: 'SUCCEEDED' | 'FAILED', reason: FailureReason | null): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Payment)
        .set({ status, failureReason: reason })
        .where("id = :id AND status = 'PENDING'", { id: payment.id })
        .execute();
      if (result.affected !== 1) return;
      await this.orders.transition(status === 'SUCCEEDED' ? 'charged' : 'chargeFailed', payment.orderId, manager);
    });
  }
}
