import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { OrderStatus } from './order-status';

/** One line of an order: the product's name and price when the order was created. */
export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

@Entity('orders')
export class Order {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 20 })
  status: OrderStatus;

  @Column({ type: 'jsonb' })
  items: OrderItem[];

  @Column({ name: 'total_cents', type: 'integer' })
  totalCents: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export interface OrderResponse {
  id: string;
  status: OrderStatus;
  items: OrderItem[];
  totalCents: number;
  currency: 'USD';
  createdAt: string;
  updatedAt: string;
}

export function toOrderResponse(order: Order): OrderResponse {
  return {
    id: order.id,
    status: order.status,
    items: order.items,
    totalCents: order.totalCents,
    currency: 'USD',
    createdAt: new Date(order.createdAt).toISOString(),
    updatedAt: new Date(order.updatedAt).toISOString(),
  };
}
