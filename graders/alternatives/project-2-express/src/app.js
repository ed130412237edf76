import { createHash } from 'node:crypto';
import express from 'express';
import { cachedProduct, evictProduct } from './cache.js';
import { pool, tx } from './db.js';
import { errorHandler, HttpError, idParam, invalid, notFound, UUID } from './errors.js';
import { enqueueCharge } from './queue.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;
const body = (req) => {
  if (!isObject(req.body)) throw invalid(['body', 'must be a JSON object']);
  return req.body;
};

// ---- products -------------------------------------------------------------------------------

const productJson = (r) => ({ id: r.id, name: r.name, priceCents: r.price_cents, currency: r.currency, createdAt: r.created_at, updatedAt: r.updated_at });

function productFields(b, partial) {
  const errors = [];
  if (b.name !== undefined || !partial) {
    if (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > 100) errors.push(['name', 'must be a string of 1 to 100 characters']);
  }
  if (b.priceCents !== undefined || !partial) {
    if (!isInt(b.priceCents, 1, 10_000_000)) errors.push(['priceCents', 'must be an integer from 1 to 10000000']);
  }
  if (errors.length) throw invalid(...errors);
  return { name: b.name ?? null, priceCents: b.priceCents ?? null };
}

// ---- orders ---------------------------------------------------------------------------------

async function loadOrder(db, id) {
  const { rows } = await db.query(
    `SELECT o.*, coalesce(json_agg(json_build_object('productId', i.product_id, 'name', i.name, 'quantity', i.quantity,
            'unitPriceCents', i.unit_price_cents) ORDER BY i.position) FILTER (WHERE i.order_id IS NOT NULL), '[]') AS items
       FROM orders o LEFT JOIN order_items i ON i.order_id = o.id WHERE o.id = $1 GROUP BY o.id`,
    [id],
  );
  if (rows.length === 0) return null;
  const o = rows[0];
  return { id: o.id, status: o.status, items: o.items, totalCents: o.total_cents, currency: o.currency, createdAt: o.created_at, updatedAt: o.updated_at };
}

/** The state machine: one conditional UPDATE per request; no row updated means 404 or 409. */
const TRANSITIONS = {
  cancel: { from: ['CREATED', 'FAILED'], to: 'CANCELLED' },
  reopen: { from: ['FAILED'], to: 'CREATED' },
  refund: { from: ['PAID'], to: 'REFUNDED' },
};

async function transition(id, action) {
  const { from, to } = TRANSITIONS[action];
  return tx(async (db) => {
    const { rowCount } = await db.query(
      `UPDATE orders SET status = $2, updated_at = now() WHERE id = $1 AND status = ANY($3) RETURNING id`,
      [id, to, from],
    );
    if (rowCount === 0) {
      const { rows } = await db.query('SELECT status FROM orders WHERE id = $1', [id]);
      if (rows.length === 0) throw new HttpError(404, `Order ${id} not found`);
      throw new HttpError(409, `Cannot ${action} an order in status ${rows[0].status}`);
    }
    if (action === 'refund') {
      await db.query(`UPDATE payments SET status = 'REFUNDED', updated_at = now() WHERE order_id = $1 AND status = 'SUCCEEDED'`, [id]);
    }
    return loadOrder(db, id);
  });
}

// ---- payments -------------------------------------------------------------------------------

const paymentJson = (r) => ({
  id: r.id, orderId: r.order_id, status: r.status, amountCents: r.amount_cents, currency: r.currency, cardLast4: r.card_last4,
  attempts: r.attempts, failureReason: r.failure_reason, createdAt: r.created_at, updatedAt: r.updated_at,
});

/**
 * Insert under the UNIQUE idempotency key first (ON CONFLICT DO NOTHING waits for a concurrent
 * duplicate to commit, then yields nothing), then move the order CREATED → PENDING_PAYMENT with a
 * conditional UPDATE. A conflict replays the stored payment; a different body behind the key is a 422.
 */
async function createPayment(key, orderId, cardNumber) {
  const hash = createHash('sha256').update(`${orderId}\n${cardNumber}`).digest('hex');
  return tx(async (db) => {
    const inserted = await db.query(
      `INSERT INTO payments (order_id, idempotency_key, request_hash, amount_cents, currency, card_last4)
       SELECT id, $2, $3, total_cents, currency, $4 FROM orders WHERE id = $1
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [orderId, key, hash, cardNumber.slice(-4)],
    );
    if (inserted.rows.length === 0) {
      const { rows } = await db.query('SELECT * FROM payments WHERE idempotency_key = $1', [key]);
      if (rows.length === 0) throw new HttpError(404, `Order ${orderId} not found`);
      if (rows[0].request_hash !== hash) throw new HttpError(422, 'This Idempotency-Key was already used with a different request body');
      return { payment: rows[0], replay: true };
    }
    const moved = await db.query(
      `UPDATE orders SET status = 'PENDING_PAYMENT', updated_at = now() WHERE id = $1 AND status = 'CREATED' RETURNING id`,
      [orderId],
    );
    if (moved.rowCount === 0) throw new HttpError(409, 'Only an order in status CREATED can be paid');
    return { payment: inserted.rows[0], replay: false };
  });
}

// ---- routes ---------------------------------------------------------------------------------

export function createApp() {
  const app = express();
  app.use(express.json());

  app.post('/products', async (req, res) => {
    const { name, priceCents } = productFields(body(req), false);
    const { rows } = await pool.query('INSERT INTO products (name, price_cents) VALUES ($1, $2) RETURNING *', [name, priceCents]);
    res.status(201).json(productJson(rows[0]));
  });

  app.get('/products/:id', async (req, res) => {
    const id = idParam(req);
    const product = await cachedProduct(id, async () => {
      const { rows } = await pool.query('SELECT * FROM products WHERE id = $1', [id]);
      return rows[0] ? productJson(rows[0]) : null;
    });
    if (!product) throw new HttpError(404, `Product ${id} not found`);
    res.json(product);
  });

  app.patch('/products/:id', async (req, res) => {
    const id = idParam(req);
    const { name, priceCents } = productFields(body(req), true);
    const { rows } = await pool.query(
      `UPDATE products SET name = coalesce($2, name), price_cents = coalesce($3, price_cents), updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, name, priceCents],
    );
    if (rows.length === 0) throw new HttpError(404, `Product ${id} not found`);
    await evictProduct(id);
    res.json(productJson(rows[0]));
  });

  app.post('/orders', async (req, res) => {
    const { items } = body(req);
    if (!Array.isArray(items) || items.length < 1 || items.length > 20) throw invalid(['items', 'must be an array of 1 to 20 entries']);
    const errors = [];
    items.forEach((item, i) => {
      if (!isObject(item) || typeof item.productId !== 'string' || !UUID.test(item.productId)) errors.push([`items.${i}.productId`, 'must be a UUID']);
      if (!isObject(item) || !isInt(item.quantity, 1, 100)) errors.push([`items.${i}.quantity`, 'must be an integer from 1 to 100']);
    });
    if (errors.length) throw invalid(...errors);
    const ids = [...new Set(items.map((item) => item.productId.toLowerCase()))];
    const order = await tx(async (db) => {
      const { rows } = await db.query('SELECT id, name, price_cents FROM products WHERE id = ANY($1::uuid[])', [ids]);
      const byId = new Map(rows.map((p) => [p.id, p]));
      const missing = ids.filter((id) => !byId.has(id));
      if (missing.length) throw new HttpError(422, `Unknown product: ${missing.join(', ')}`);
      const lines = items.map((item) => ({ product: byId.get(item.productId.toLowerCase()), quantity: item.quantity }));
      const total = lines.reduce((sum, l) => sum + l.product.price_cents * l.quantity, 0);
      const created = await db.query('INSERT INTO orders (total_cents) VALUES ($1) RETURNING id', [total]);
      const orderId = created.rows[0].id;
      await db.query(
        `INSERT INTO order_items (order_id, position, product_id, name, quantity, unit_price_cents)
         SELECT $1, n, p, nm, q, u FROM unnest($2::int[], $3::uuid[], $4::text[], $5::int[], $6::int[]) AS t(n, p, nm, q, u)`,
        [orderId, lines.map((_, i) => i), lines.map((l) => l.product.id), lines.map((l) => l.product.name), lines.map((l) => l.quantity), lines.map((l) => l.product.price_cents)],
      );
      return loadOrder(db, orderId);
    });
    res.status(201).json(order);
  });

  app.get('/orders/:id', async (req, res) => {
    const id = idParam(req);
    const order = await loadOrder(pool, id);
    if (!order) throw new HttpError(404, `Order ${id} not found`);
    res.json(order);
  });

  for (const action of Object.keys(TRANSITIONS)) {
    app.post(`/orders/:id/${action}`, async (req, res) => {
      res.json(await transition(idParam(req), action));
    });
  }

  app.post('/payments', async (req, res) => {
    const key = req.get('Idempotency-Key');
    if (!key || key.trim() === '' || key.length > 255) throw invalid(['Idempotency-Key', 'header is required (1 to 255 characters)']);
    const { orderId, cardNumber } = body(req);
    const errors = [];
    if (typeof orderId !== 'string' || !UUID.test(orderId)) errors.push(['orderId', 'must be a UUID']);
    if (typeof cardNumber !== 'string' || !/^\d{12,19}$/.test(cardNumber)) errors.push(['cardNumber', 'must be a string of 12 to 19 digits']);
    if (errors.length) throw invalid(...errors);
    const { payment } = await createPayment(key, orderId.toLowerCase(), cardNumber);
    // Also on a replay: jobId = payment id makes it a no-op, and it recovers a job lost before enqueueing.
    if (payment.status === 'PENDING') await enqueueCharge(payment.id, cardNumber);
    res.status(202).json(paymentJson(payment));
  });

  app.get('/payments/:id', async (req, res) => {
    const id = idParam(req);
    const { rows } = await pool.query('SELECT * FROM payments WHERE id = $1', [id]);
    if (rows.length === 0) throw new HttpError(404, `Payment ${id} not found`);
    res.json(paymentJson(rows[0]));
  });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
