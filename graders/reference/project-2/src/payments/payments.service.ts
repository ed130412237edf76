import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { Order } from '../orders/order.entity';
import { OrdersService } from '../orders/orders.service';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { Payment, PaymentResponse, toPaymentResponse } from './payment.entity';
import { PaymentQueue } from './payment-queue';

const UNIQUE_VIOLATION = '23505';

export interface PaymentRequestResult {
  payment: PaymentResponse;
  /** True when this key was seen before and the first payment is answered again. */
  replayed: boolean;
}

@Injectable()
export class PaymentsService {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: OrdersService,
    private readonly queue: PaymentQueue,
  ) {}

  /**
   * Records a payment for an order and enqueues its charge. The idempotency key is unique in
   * `payments`: a retry finds the first payment; a concurrent duplicate blocks on the unique
   * index until the first commits, then replays it. Refused requests leave nothing behind.
   */
  async requestPayment(idempotencyKey: string, dto: CreatePaymentDto): Promise<PaymentRequestResult> {
    const requestHash = createHash('sha256').update(JSON.stringify([dto.orderId, dto.cardNumber])).digest('hex');
    const existing = await this.payments.findOneBy({ idempotencyKey });
    if (existing) return this.replay(existing, requestHash);

    const order = await this.orders.selectOrder(dto.orderId);
    let payment: Payment;
    try {
      payment = await this.dataSource.transaction(async (manager) => {
        // The payment first, then the order: a duplicate of this key must meet the unique index
        // (and replay), not the order's new status (and a 409).
        const created = await manager.save(
          manager.create(Payment, {
            orderId: order.id,
            idempotencyKey,
            requestHash,
            status: 'PENDING',
            amountCents: order.totalCents,
            cardLast4: dto.cardNumber.slice(-4),
            attempts: 0,
            failureReason: null,
          }),
        );
        await this.orders.transition('pay', order.id, manager);
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const winner = await this.payments.findOneBy({ idempotencyKey });
        if (winner) return this.replay(winner, requestHash);
      }
      throw error;
    }
    await this.queue.enqueue({ paymentId: payment.id, cardNumber: dto.cardNumber });
    return { payment: toPaymentResponse(payment), replayed: false };
  }

  async selectPayment(id: string): Promise<Payment | null> {
    return this.payments.findOneBy({ id });
  }

  /** PAID → REFUNDED, and its succeeded payment with it. */
  async refundOrder(orderId: string): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.orders.transition('refund', orderId, manager);
      await manager.update(Payment, { orderId, status: 'SUCCEEDED' }, { status: 'REFUNDED' });
      return order;
    });
  }

  private replay(payment: Payment, requestHash: string): PaymentRequestResult {
    if (payment.requestHash !== requestHash) {
      throw new UnprocessableEntityException('This Idempotency-Key was already used with a different request');
    }
    return { payment: toPaymentResponse(payment), replayed: true };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION;
}
