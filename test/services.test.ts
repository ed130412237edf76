/**
 * Proves scripts/services.ts: PostgreSQL, Redis, Docker and the sandbox images come up once, a second
 * call finds them up and does nothing, and each image runs under the worker's sandbox profile.
 * Run: npx jest --rootDir /work/main --preset ts-jest --testEnvironment node test/services.test.ts
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ensureServices, ServicesInfo } from '../scripts/services';
import { NODE_MAJORS, NODE_RUNTIMES } from '../worker/stages/nodeVersion';

jest.setTimeout(60_000);

const repoRoot = path.resolve(__dirname, '..');
const jobLabel = { 'org.backendpro.test': 'services' };
let info: ServicesInfo;
let docker: Docker;
const logLines: string[] = [];

/** The worker's profile for every sandbox container (docs/ARCHITECTURE.md, Sandbox profile). */
function sandboxHostConfig(extra: Docker.HostConfig): Docker.HostConfig {
  return {
    ReadonlyRootfs: true,
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: 256,
    Memory: 512 * 1024 * 1024,
    MemorySwap: 512 * 1024 * 1024,
    NanoCpus: 1_000_000_000,
    Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
    Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
    ...extra,
  };
}

/** Runs a command to completion in a new container and returns its exit code and output. */
async function runInContainer(image: string, cmd: string[], hostConfig: Docker.HostConfig, user?: string) {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, User: user, Labels: jobLabel, HostConfig: hostConfig });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw = await container.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode: StatusCode, output: demux(raw) };
  } finally {
    await container.remove({ force: true });
  }
}

/** Docker multiplexes stdout and stderr in frames of an 8-byte header and a payload. */
function demux(buffer: Buffer): string {
  let text = '';
  for (let offset = 0; offset + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(offset + 4);
    text += buffer.subarray(offset + 8, offset + 8 + size).toString();
    offset += 8 + size;
  }
  return text;
}

async function execInContainer(container: Docker.Container, cmd: string[]): Promise<number> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
  return (await exec.inspect()).ExitCode ?? -1;
}

beforeAll(async () => {
  // Cold, this builds the images (about a minute with a debootstrap base); warm it takes well under a second.
  info = await ensureServices({ log: (line) => logLines.push(line) });
  docker = new Docker({ socketPath: info.dockerSocket.replace(/^unix:\/\//, '') });
}, 30 * 60_000);

describe('ensureServices', () => {
  test('When called again, then it finds everything up, changes nothing and is fast', async () => {
    const lines: string[] = [];
    const startedAt = Date.now();
    const again = await ensureServices({ log: (line) => lines.push(line) });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(again).toEqual(info);
    expect(lines.join('\n')).not.toMatch(/\b(started|built|created|install)/);
  });

  test('When services are skipped, then their fields are empty strings', async () => {
    const only = await ensureServices({ postgres: false, docker: false, images: false, log: () => undefined });
    expect(only).toEqual({
      databaseUrl: '',
      redisUrl: info.redisUrl,
      dockerSocket: '',
      images: { runtimes: { '20': '', '22': '', '24': '' }, services: '', tester: '' },
    });
  });
});

describe('PostgreSQL', () => {
  test('When connecting with the generated password, then both databases answer and pg_stat_statements is loaded', async () => {
    if (!process.env.DATABASE_URL) {
      expect(fs.statSync(path.join(repoRoot, '.data/postgres-password')).mode & 0o777).toBe(0o600);
    }
    const client = new Client({ connectionString: info.databaseUrl });
    await client.connect();
    try {
      const preload = await client.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
      expect(preload.rows[0].shared_preload_libraries).toContain('pg_stat_statements');
      const ext = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
      expect(ext.rowCount).toBe(1);
      await client.query('SELECT count(*) FROM pg_stat_statements');
      const dbs = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname IN ('backendpro', 'backendpro_test') ORDER BY 1");
      expect(dbs.rows.map((r) => r.datname)).toEqual(['backendpro', 'backendpro_test']);
    } finally {
      await client.end();
    }
  });

  test('When the password is wrong, then the connection is refused', async () => {
    const url = new URL(info.databaseUrl);
    url.password = 'wrong';
    const client = new Client({ connectionString: url.toString() });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });
});

test('Redis answers PING', async () => {
  const redis = new Redis(info.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    expect(await redis.ping()).toBe('PONG');
  } finally {
    redis.disconnect();
  }
});

test('Docker answers', async () => {
  expect(((await docker.ping()) as Buffer).toString()).toBe('OK');
});

describe('images', () => {
  test.each(NODE_MAJORS)(
    'When the Node %s runtime image runs as in the sandbox, then it has that Node, npm, corepack, headers and g++ as uid 10001',
    async (major) => {
      const { exitCode, output } = await runInContainer(
        info.images.runtimes[major],
        [
          'bash',
          '-c',
          'id -u && node -v && npm -v && corepack --version && g++ --version | head -1 && python3 --version && git --version && echo "nodedir=$npm_config_nodedir" && test -f "$npm_config_nodedir/include/node/node_api.h" && cd /tmp && echo \'{"scripts":{"noop":"true"}}\' > package.json && npm run -s noop',
        ],
        sandboxHostConfig({ NetworkMode: 'none' }),
      );
      expect({ exitCode, output }).toMatchObject({ exitCode: 0 });
      // npm_config_nodedir is the image's own setting: npm must not print it into learners' logs.
      expect(output).not.toMatch(/Unknown .*config/);
      const [uid, node, npm, corepack] = output.split('\n');
      expect(uid).toBe('10001');
      expect([node, npm, corepack]).toEqual([`v${NODE_RUNTIMES[major].node}`, NODE_RUNTIMES[major].npm, NODE_RUNTIMES[major].corepack]);
      expect(output).toMatch(/g\+\+ .* 12\./);
    },
  );

  test('When the three runtimes are inspected, then they share every layer of the build tools (apt runs once for all)', async () => {
    const layers = async (image: string) => (await docker.getImage(image).inspect()).RootFS.Layers ?? [];
    const [node20, node22, node24] = await Promise.all(NODE_MAJORS.map((major) => layers(info.images.runtimes[major])));
    const shared = node20.filter((layer, index) => node22[index] === layer && node24[index] === layer);
    // The Debian base plus the apt layer at least; each runtime adds only its Node (one COPY per part).
    expect(shared.length).toBeGreaterThanOrEqual(2);
    expect(node24.length - shared.length).toBeLessThanOrEqual(4);
  });

  test('When the tester image runs, then it has Node 20 and is not root', async () => {
    const { exitCode, output } = await runInContainer(info.images.tester, ['sh', '-c', 'id -u && node -v && pwd'], sandboxHostConfig({ NetworkMode: 'none' }));
    expect(exitCode).toBe(0);
    const [uid, node, cwd] = output.trim().split('\n');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(node).toMatch(/^v20\./);
    expect(cwd).toBe('/platform');
  });

  test('When the services container runs with the worker profile, then it gets ready and the app role can connect over the pod loopback but is not superuser', async () => {
    const superPassword = randomBytes(12).toString('hex');
    const appPassword = randomBytes(12).toString('hex');
    const services = await docker.createContainer({
      Image: info.images.services,
      User: 'postgres',
      Labels: jobLabel,
      Env: [`POSTGRES_SUPERUSER_PASSWORD=${superPassword}`, `APP_DB_PASSWORD=${appPassword}`, 'APP_DB_USER=app', 'APP_DB_NAME=app'],
      HostConfig: sandboxHostConfig({
        NetworkMode: 'none',
        Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=256m', '/run/postgresql': 'rw,nosuid,nodev,size=1m' },
      }),
    });
    try {
      const startedAt = Date.now();
      await services.start();
      let ready = false;
      while (!ready && Date.now() - startedAt < 20_000) {
        ready = (await execInContainer(services, ['test', '-f', '/tmp/ready'])) === 0;
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const readyMs = Date.now() - startedAt;
      expect(ready).toBe(true);
      process.stdout.write(`services container ready ${readyMs} ms after start\n`);
      expect(await execInContainer(services, ['pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432'])).toBe(0);
      expect(await execInContainer(services, ['bash', '-c', '[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]'])).toBe(0);

      // A peer in the pod: the tester image with the platform's node_modules, as the worker mounts them.
      const probe = `
        const { Client } = require('/platform/node_modules/pg');
        const connect = async (user, password, database) => {
          const c = new Client({ host: '127.0.0.1', port: 5432, user, password, database });
          await c.connect();
          return c;
        };
        (async () => {
          const app = await connect('app', process.env.APP_PW, 'app');
          const { rows } = await app.query("SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user");
          await app.query('CREATE TABLE probe (id int)');
          await app.end();
          let wrong = 'accepted';
          await connect('app', 'wrong', 'app').then((c) => c.end(), (e) => { wrong = e.message; });
          const su = await connect('postgres', process.env.SU_PW, 'app');
          const stats = await su.query("SELECT count(*)::int AS n FROM pg_stat_statements WHERE query LIKE 'CREATE TABLE probe%'");
          await su.end();
          console.log(JSON.stringify({ who: rows[0].who, rolsuper: rows[0].rolsuper, wrong, statements: stats.rows[0].n }));
        })().catch((e) => { console.error(e.message); process.exit(1); });`;
      const peer = await docker.createContainer({
        Image: info.images.tester,
        Cmd: ['node', '-e', probe],
        Env: [`APP_PW=${appPassword}`, `SU_PW=${superPassword}`],
        Labels: jobLabel,
        HostConfig: sandboxHostConfig({
          NetworkMode: `container:${services.id}`,
          Binds: [`${path.join(repoRoot, 'node_modules')}:/platform/node_modules:ro`],
        }),
      });
      try {
        await peer.start();
        const { StatusCode } = (await peer.wait()) as { StatusCode: number };
        const output = demux(await peer.logs({ stdout: true, stderr: true })).trim();
        expect({ StatusCode, output }).toMatchObject({ StatusCode: 0 });
        expect(JSON.parse(output)).toEqual({ who: 'app', rolsuper: false, wrong: expect.stringMatching(/password authentication failed/), statements: 1 });
      } finally {
        await peer.remove({ force: true });
      }
    } finally {
      await services.remove({ force: true });
    }
  });
});
