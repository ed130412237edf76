import { setTimeout as sleep } from 'node:timers/promises';

export const LATENCY_MS = 2000;

/**
 * The simulated payment gateway, called by the worker like a remote API: every call takes 2 s and
 * answers 'succeeded', 'declined' or 'transient'. The per-payment call counter lives in memory.
 */
const calls = new Map();

export async function charge({ paymentId, cardNumber }) {
  const call = (calls.get(paymentId) ?? 0) + 1;
  calls.set(paymentId, call);
  await sleep(LATENCY_MS);
  let outcome;
  if (cardNumber === '4242424242424242') outcome = 'succeeded';
  else if (cardNumber === '4000000000009995') outcome = call <= 2 ? 'transient' : 'succeeded';
  else outcome = 'declined';
  if (outcome !== 'transient') calls.delete(paymentId);
  return outcome;
}
