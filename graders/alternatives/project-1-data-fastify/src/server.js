import Fastify from 'fastify';
import { createKnex } from './db.js';
import { installErrorHandling } from './errors.js';
import { authRoutes, ensureAdmin } from './auth.js';
import { postRoutes } from './posts.js';

const knex = createKnex();
const app = Fastify({ logger: { level: 'warn' } });

// An empty JSON body (a DELETE sent with a JSON content type) is "no body", not an error.
app.removeContentTypeParser('application/json');
app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
  if (text === '') return done(null, undefined);
  try {
    done(null, JSON.parse(text));
  } catch (err) {
    err.statusCode = 400;
    err.message = 'Body is not valid JSON';
    done(err);
  }
});

installErrorHandling(app);
await app.register(authRoutes, { knex });
await app.register(postRoutes, { knex });

await ensureAdmin(knex);
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await app.close();
    await knex.destroy();
    process.exit(0);
  });
}
