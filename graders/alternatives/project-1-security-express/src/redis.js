import { Redis } from 'ioredis';
import { config } from './config.js';

export const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
redis.on('error', (error) => console.error(`redis: ${error.message}`));
