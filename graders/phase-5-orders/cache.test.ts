import { call, countStatements } from '../harness/context';
import { describeStatements } from '../harness/statementCounter';
import { ensure, expectStatus, fail, measure, show, showBody, useChecks } from '../harness/check';
import { checks } from './checks';
import { createProduct, isRecord, type Product } from './support/api';

const check = useChecks(checks);

const PRODUCTS = 10;
const READS_EACH = 10;
const MAX_STATEMENTS = 30;
const ROUNDS = 20;

check('cache.hit-rate', async () => {
  const products: Product[] = [];
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

/** What a round's PATCH changes: the brief's turns, both fields, the price alone, the name alone. */
type Change = { name?: string; priceCents?: number };
const KINDS = ['the name and the price', 'the price alone', 'the name alone'] as const;

function changeFor(round: number): { change: Change; kind: (typeof KINDS)[number] } {
  const kind = KINDS[(round - 1) % KINDS.length];
  const name = `fresh v${round}`;
  const priceCents = 500 + round;
  if (kind === 'the price alone') return { change: { priceCents }, kind };
  if (kind === 'the name alone') return { change: { name }, kind };
  return { change: { name, priceCents }, kind };
}

check('cache.fresh-after-update', async () => {
  const created = await createProduct(500, 'fresh');
  // The product as it is in the database: what a fresh read must answer.
  let current = { name: created.name, priceCents: created.priceCents };
  const freshAfter = new Set<string>();
  for (let round = 1; round <= ROUNDS; round++) {
    const warm = await call('GET', `/products/${created.id}`);
    expectStatus(warm, 200, { when: 'for a product this check created', fix: 'Answer `200` with the product.' });
    const { change, kind } = changeFor(round);
    const patch = await call('PATCH', `/products/${created.id}`, { body: change });
    expectStatus(patch, 200, { when: `with ${show(change)}`, fix: 'Update the product and answer `200` with it.' });
    const before = current;
    current = { ...current, ...change };
    const read = await call('GET', `/products/${created.id}`);
    expectStatus(read, 200, { when: 'right after a PATCH', fix: 'Answer `200` with the product.' });
    const body = isRecord(read.body) ? read.body : {};
    const wrong = (['name', 'priceCents'] as const).filter((field) => body[field] !== current[field]);
    if (wrong.length > 0) {
      measure('stale reads', 1, { threshold: '= 0' });
      const fields = wrong.map((field) => {
        const seen = body[field];
        const old = seen === before[field] ? ' (its value before this PATCH: a stale read)' : '';
        return `\`${field}\` ${show(seen)}${old}, expected ${show(current[field])}`;
      });
      const earlier = [...freshAfter].filter((k) => k !== kind);
      const pattern =
        earlier.length > 0
          ? ` Earlier rounds read fresh values after a PATCH of ${earlier.join(' and of ')}, so the key is deleted on some writes only: ` +
            `this PATCH changed ${kind}. Delete (or overwrite) the key on every successful PATCH, whichever fields it changed ` +
            '(no `if` on the fields, no comparison of old and new name).'
          : " Delete (or overwrite) the product's cache key in the PATCH, after the database write has committed.";
      fail(
        `Round ${round} of ${ROUNDS}: \`PATCH /products/:id\` with ${show(change)} (${kind}) answered 200, then \`GET /products/:id\` answered ` +
          `${fields.join('; ')}.${pattern}\n\n${showBody(read)}`,
      );
    }
    freshAfter.add(kind);
  }
  measure('stale reads', 0, { threshold: '= 0' });
});
