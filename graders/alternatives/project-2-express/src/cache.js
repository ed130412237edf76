import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const TTL_SECONDS = 300;
const key = (id) => `product:${id}`;

/** Read-through: the cached product, or load() stored for TTL_SECONDS (misses are not cached). */
export async function cachedProduct(id, load) {
  const hit = await redis.get(key(id)).catch(() => null);
  if (hit) return JSON.parse(hit);
  const product = await load();
  if (product) await redis.set(key(id), JSON.stringify(product), 'EX', TTL_SECONDS).catch(() => {});
  return product;
}

/** Called after the database write has committed: the next read misses and reloads. */
export async function evictProduct(id) {
  await redis.del(key(id));
}

export const closeCache = () => redis.quit();
