import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type PaymentStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'REFUNDED';
export type FailureReason = 'card_declined' | 'gateway_unavailable';

@Entity('payments')
export class Payment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  /** SHA-256 of the request body: the same key with another body is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  status: PaymentStatus;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ name: 'card_last4', type: 'char', length: 4 })
  cardLast4: string;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'failure_reason', type: 'varchar', length: 32, nullable: true })
  failureReason: FailureReason | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export interface PaymentResponse {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amountCents: number;
  currency: 'USD';
  cardLast4: string;
  attempts: number;
  failureReason: FailureReason | null;
  createdAt: string;
  updatedAt: string;
}

export function toPaymentResponse(payment: Payment): PaymentResponse {
  return {
    id: payment.id,
    orderId: payment.orderId,
    status: payment.status,
    amountCents: payment.amountCents,
    currency: 'USD',
    cardLast4: payment.cardLast4,
    attempts: payment.attempts,
    failureReason: payment.failureReason,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}
