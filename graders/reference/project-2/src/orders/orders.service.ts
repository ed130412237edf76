import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { ValidationFailedException } from '../common/validation-failed.exception';
import { Product } from '../products/product.entity';
import { CreateOrderDto } from './dto/create-order.dto';
import { Order, OrderItem } from './order.entity';
import { ORDER_TRANSITIONS, OrderAction } from './order-status';

@Injectable()
export class OrdersService {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  /** Prices come from the database, never from the cache: an order is money. */
  async insertOrder(dto: CreateOrderDto): Promise<Order> {
    return this.orders.manager.transaction(async (manager) => {
      const ids = dto.items.map((item) => item.productId);
      const products = await manager.findBy(Product, { id: In(ids) });
      const byId = new Map(products.map((product) => [product.id, product]));
      const missing = dto.items
        .map((item, index) => ({ item, index }))
        .filter(({ item }) => !byId.has(item.productId))
        .map(({ index }) => ({ field: `items.${index}.productId`, message: 'no product has this id' }));
      if (missing.length) throw new ValidationFailedException(missing, 422);

      const items: OrderItem[] = dto.items.map((item) => {
        const product = byId.get(item.productId) as Product;
        return { productId: product.id, name: product.name, quantity: item.quantity, unitPriceCents: product.priceCents };
      });
      const totalCents = items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0);
      return manager.save(manager.create(Order, { status: 'CREATED', items, totalCents }));
    });
  }

  async selectOrder(id: string, manager: EntityManager = this.orders.manager): Promise<Order> {
    const order = await manager.findOneBy(Order, { id });
    if (!order) throw new NotFoundException('Order not found');
    return order;
  }

  /**
   * Moves an order with one conditional UPDATE, so two concurrent transitions never both
   * succeed: the second one waits for the first's row lock, then finds the status changed.
   * 404 for an unknown order, 409 naming the current status for a forbidden transition.
   */
  async transition(action: OrderAction, id: string, manager: EntityManager = this.orders.manager): Promise<Order> {
    const { from, to } = ORDER_TRANSITIONS[action];
    const result = await manager
      .createQueryBuilder()
      .update(Order)
      .set({ status: to })
      .where('id = :id AND status IN (:...from)', { id, from })
      .execute();
    if (result.affected === 1) return this.selectOrder(id, manager);
    const current = await this.selectOrder(id, manager);
    throw new ConflictException(`Cannot ${action} an order that is ${current.status}`);
  }
}
