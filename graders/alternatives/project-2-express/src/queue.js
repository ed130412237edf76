import { Queue, Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { pool, tx } from './db.js';
import { charge } from './gateway.js';

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };
const NAME = 'payments';
const MAX_CALLS = 3;
const BACKOFF_MS = 300;

const queue = new Queue(NAME, { connection });

/** jobId = payment id: enqueueing the same payment twice (a replayed request) adds nothing. */
export async function enqueueCharge(paymentId, cardNumber) {
  await queue.add('charge', { paymentId, cardNumber }, { jobId: paymentId, removeOnComplete: true, removeOnFail: 1000 });
}

/** Settles the payment and its order together, each only from the state the worker owns. */
async function settle(paymentId, succeeded, failureReason) {
  await tx(async (db) => {
    const { rows } = await db.query(
      `UPDATE payments SET status = $2, failure_reason = $3, updated_at = now()
        WHERE id = $1 AND status = 'PENDING' RETURNING order_id`,
      [paymentId, succeeded ? 'SUCCEEDED' : 'FAILED', failureReason],
    );
    if (rows.length === 0) return;
    await db.query(
      `UPDATE orders SET status = $2, updated_at = now() WHERE id = $1 AND status = 'PENDING_PAYMENT'`,
      [rows[0].order_id, succeeded ? 'PAID' : 'FAILED'],
    );
  });
}

async function chargeJob(job) {
  const { paymentId, cardNumber } = job.data;
  const { rows } = await pool.query(`SELECT attempts FROM payments WHERE id = $1 AND status = 'PENDING'`, [paymentId]);
  if (rows.length === 0) return;
  for (let call = rows[0].attempts + 1; call <= MAX_CALLS; call++) {
    await pool.query('UPDATE payments SET attempts = $2, updated_at = now() WHERE id = $1', [paymentId, call]);
    const outcome = await charge({ paymentId, cardNumber });
    if (outcome === 'succeeded') return settle(paymentId, true, null);
    if (outcome === 'declined') return settle(paymentId, false, 'card_declined');
    if (call < MAX_CALLS) await sleep(BACKOFF_MS);
  }
  await settle(paymentId, false, 'gateway_unavailable');
}

export function startWorker() {
  const worker = new Worker(NAME, chargeJob, { connection, concurrency: 20 });
  worker.on('failed', (job, error) => console.error(`payment job ${job?.id} failed:`, error));
  return worker;
}

export const closeQueue = () => queue.close();
