import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

test('GET /health reports the stage it was started as', async () => {
  for (const stage of ['staging', 'production']) {
    const server = createApp(loadConfig({ APP_ENV: stage, APP_VERSION: '9.9.9' }));
    server.listen(0);
    await once(server, 'listening');
    const res = await fetch(`http://127.0.0.1:${server.address().port}/health`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual([body.status, body.environment, body.version], ['ok', stage, '9.9.9']);
    server.close();
  }
});

test('an unknown APP_ENV is refused at start-up', () => {
  assert.throws(() => loadConfig({ APP_ENV: 'prod' }), /APP_ENV/);
});
