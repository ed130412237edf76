import pg from 'pg';
import { loadConfig } from './config.js';
import { createApp } from './app.js';

const config = loadConfig();
const pool = config.databaseUrl ? new pg.Pool({ connectionString: config.databaseUrl, max: 2, connectionTimeoutMillis: 300 }) : null;
pool?.on('error', () => {}); // an idle client dropped by the server must not crash the process

// The database ping is bounded so that /health always answers well within a second.
async function checkDatabase() {
  const timeout = new Promise((resolve) => setTimeout(resolve, 300, false).unref());
  const ping = pool.query('SELECT 1').then(() => true, () => false);
  return Promise.race([ping, timeout]);
}

const server = createApp(config, pool ? { checkDatabase } : {});
server.listen(config.port, () => {
  if (config.logLevel !== 'warn') console.log(`listening on ${config.port} as ${config.stage}`);
});

// ENTRYPOINT is exec form, so node is PID 1 and gets SIGTERM from `docker stop`.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => (pool ? pool.end() : Promise.resolve()).finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
