/** Responses of several statuses, from one route each, for checks about every response. */
import type { HttpExchange } from '../../harness/feedback';
import { newUser } from './api';
import { Client } from './client';

export interface Sample {
  label: string;
  res: HttpExchange;
}

/** A 200 (`GET /docs-json`), a 401, a 404 and, when the register limit works, a 429. */
export async function responseSamples(): Promise<Sample[]> {
  const client = new Client();
  const samples: Sample[] = [
    { label: '200 from `GET /docs-json`', res: await client.send('GET', '/docs-json') },
    { label: '401 from `GET /users/me` without a token', res: await client.send('GET', '/users/me') },
    { label: '404 from an unknown route', res: await client.send('GET', `/no-such-route-${Date.now().toString(36)}`) },
  ];
  // The 429 is a bonus: a missing limit is the rate-limit checks' finding, not this one's.
  const limited = new Client();
  for (let i = 0; i < 4; i += 1) {
    const res = await limited.send('POST', '/auth/register', { body: newUser('headers') });
    if (res.status === 429) {
      samples.push({ label: '429 from `POST /auth/register` past its limit', res });
      break;
    }
  }
  return samples;
}
