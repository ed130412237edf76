import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';

// version: the build stamp written by `pnpm build` (package version + commit), else package.json's version.
function readVersion(explicit) {
  if (explicit) return explicit;
  const stamp = new URL('../dist/build-info.json', import.meta.url);
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8')).version;
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** checkDatabase: () => Promise<boolean>, optional; its answer is an extra field, never the status. */
export function createApp(config, { checkDatabase } = {}) {
  const version = readVersion(config.version);
  const startedAt = Date.now();
  return createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = { status: 'ok', environment: config.stage, version, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
      if (checkDatabase) body.database = (await checkDatabase()) ? 'up' : 'down';
      return send(res, 200, body);
    }
    return send(res, 404, { statusCode: 404, message: `Cannot ${req.method} ${path}` });
  });
}
