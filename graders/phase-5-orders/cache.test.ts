import { call, countStatements } from '../harness/context';
import { describeStatements } from '../harness/statementCounter';
import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { createProduct, isRecord } from './support/api';

const check = useChecks(checks);

const PRODUCTS = 10;
const READS_EACH = 10;
const MAX_STATEMENTS = 30;
const ROUNDS = 20;

check('cache.hit-rate', async () => {
  const products = [];
  for (let i = 0; i < PRODUCTS; i++) products.push(await createProduct(100 + i, 'cached'));
  const wrong: string[] = [];
  const count = await countStatements(async () => {
    for (let round = 0; round < READS_EACH; round++) {
      for (const product of products) {
        const res = await call('GET', `/products/${product.id}`);
        if (res.status !== 200 || !isRecord(res.body) || res.body.id !== product.id || res.body.priceCents !== product.priceCents) {
          wrong.push(`\`GET /products/${product.id}\` → ${res.status}`);
        }
      }
    }
  });
  ensure(wrong.length === 0, `${wrong.length} of ${PRODUCTS * READS_EACH} reads did not answer 200 with the product, e.g. ${wrong.slice(0, 3).join(', ')}.`);
  const productStatements = count.statements.filter((s) => /\bproducts\b/i.test(s.query));
  const reached = productStatements.reduce((sum, s) => sum + s.calls, 0);
  measure('product statements for 100 reads', reached, { threshold: `≤ ${MAX_STATEMENTS}` });
  if (reached > MAX_STATEMENTS) {
    const top = describeStatements({ ...count, statements: productStatements }, 3);
    fail(
      `${PRODUCTS * READS_EACH} reads of ${PRODUCTS} products ran **${reached}** SQL statements on \`products\`; expected at most ` +
        `**${MAX_STATEMENTS}** (a cache hit rate of at least 70%: the first read of each product misses, the others hit). ` +
        `Read through Redis: \`GET product:<id>\` first, the database only on a miss, then \`SET\` it with a TTL.\n\nMost frequent:\n${top}`,
    );
  }
});

check('cache.fresh-after-update', async () => {
  const product = await createProduct(500, 'fresh');
  for (let round = 1; round <= ROUNDS; round++) {
    const warm = await call('GET', `/products/${product.id}`);
    expectStatus(warm, 200, { when: 'for a product this check created', fix: 'Answer `200` with the product.' });
    const change = { name: `fresh v${round}`, priceCents: 500 + round };
    const patch = await call('PATCH', `/products/${product.id}`, { body: change });
    expectStatus(patch, 200, { when: `with ${show(change)}`, fix: 'Update the product and answer `200` with it.' });
    const read = await call('GET', `/products/${product.id}`);
    expectStatus(read, 200, { when: 'right after a PATCH', fix: 'Answer `200` with the product.' });
    const body = isRecord(read.body) ? read.body : {};
    if (body.name !== change.name || body.priceCents !== change.priceCents) {
      measure('stale reads', 1, { threshold: '= 0' });
      fail(
        `Round ${round} of ${ROUNDS}: after \`PATCH /products/:id\` answered 200 with ${show(change)}, \`GET /products/:id\` answered ` +
          `${show({ name: body.name, priceCents: body.priceCents })}: a stale read. Delete (or overwrite) the product's cache key in the ` +
          `PATCH, after the database write has committed.\n\n${showBody(read)}`,
      );
    }
  }
  measure('stale reads', 0, { threshold: '= 0' });
});
