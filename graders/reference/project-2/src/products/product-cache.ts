import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { ProductResponse } from './product.entity';

const TTL_SECONDS = 300;

const keyOf = (id: string): string => `product:${id}`;

/**
 * The read-through cache of products in Redis. Redis being away is never an error: a miss
 * (the database answers) or a skipped write (the next read misses).
 */
@Injectable()
export class ProductCache {
  private readonly logger = new Logger(ProductCache.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async get(id: string): Promise<ProductResponse | null> {
    try {
      const cached = await this.redis.get(keyOf(id));
      return cached ? (JSON.parse(cached) as ProductResponse) : null;
    } catch (error) {
      this.logger.warn(`cache read failed: ${(error as Error).message}`);
      return null;
    }
  }

  async set(product: ProductResponse): Promise<void> {
    try {
      await this.redis.set(keyOf(product.id), JSON.stringify(product), 'EX', TTL_SECONDS);
    } catch (error) {
      this.logger.warn(`cache write failed: ${(error as Error).message}`);
    }
  }

  /** Called after the database write committed, so no reader can refill the old value. */
  async invalidate(id: string): Promise<void> {
    await this.redis.del(keyOf(id));
  }
}
