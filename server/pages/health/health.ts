/** `GET /healthz`: 200 {ok:true} when PostgreSQL answers, else 503 (for load balancers and scripts). */
import { Router } from 'express';
import { getPool } from '../../../core/db/sql';

export function healthRouter(): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await getPool().query('SELECT 1');
      res.set('Cache-Control', 'no-store').json({ ok: true });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ ok: false, error: 'database unavailable' });
    }
  });
  return router;
}
