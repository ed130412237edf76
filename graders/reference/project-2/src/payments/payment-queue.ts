import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config';
import { PaymentProcessor } from './payment.processor';

export interface PaymentJob {
  paymentId: string;
  /** Kept in the job only (removed from Redis once done), never in the database. */
  cardNumber: string;
}

const QUEUE_NAME = 'payments';

/**
 * The payments queue and its worker, in this process. A transient gateway failure throws and
 * BullMQ retries it (3 attempts, 300 ms apart); the job id is the payment id, so a duplicate
 * enqueue is a no-op.
 */
@Injectable()
export class PaymentQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PaymentQueue.name);
  private queue: Queue<PaymentJob>;
  private worker: Worker<PaymentJob>;
  private connections: Redis[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: PaymentProcessor,
  ) {}

  onModuleInit(): void {
    const connect = (): Redis => {
      const connection = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      return connection;
    };
    this.queue = new Queue<PaymentJob>(QUEUE_NAME, { connection: connect() });
    this.worker = new Worker<PaymentJob>(QUEUE_NAME, (job: Job<PaymentJob>) => this.processor.processJob(job), {
      connection: connect(),
      // Gateway calls mostly wait: many can run at once.
      concurrency: 50,
    });
    this.worker.on('error', (error) => this.logger.error(`worker: ${error.message}`));
    this.worker.on('failed', (job, error) => this.logger.warn(`payment job ${job?.id} attempt failed: ${error.message}`));
  }

  async enqueue(job: PaymentJob): Promise<void> {
    await this.queue.add('charge', job, {
      jobId: job.paymentId,
      attempts: 3,
      backoff: { type: 'fixed', delay: 300 },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => undefined)));
  }
}
