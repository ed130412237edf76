import { ensure, fail, show, useChecks } from '../harness/check';
import { effectiveInstructions, parseDockerfile } from './support/dockerfile';
import { appService, isMap, readCompose, requireDatabase, rootFile } from './support/files';
import { imagePin } from './support/dockerfile';
import { checks } from './checks';

const check = useChecks(checks);

function requireApp(compose: ReturnType<typeof readCompose>) {
  const app = appService(compose);
  if (!app)
    fail(
      `No service of \`${compose.name}\` has \`build\` (services: ${
        Object.keys(compose.services)
          .map((n) => `\`${n}\``)
          .join(', ') || 'none'
      }). Give your app service \`build: .\` so Compose builds your Dockerfile.`,
    );
  return app;
}

/** A healthcheck's `test` as one string, or null when there is none or it is disabled. */
function healthTest(healthcheck: unknown): string | null {
  if (!isMap(healthcheck) || healthcheck.disable === true) return null;
  const test = Array.isArray(healthcheck.test) ? healthcheck.test.map(String).join(' ') : typeof healthcheck.test === 'string' ? healthcheck.test : '';
  return test && !/^NONE\b/.test(test) ? test : null;
}

check('compose.app-build', async () => {
  requireApp(readCompose());
});

check('compose.database-pinned', async () => {
  const compose = readCompose();
  const db = requireDatabase(compose);
  // Compose interpolates `${VAR:-default}` from the environment: the default is what a fresh clone runs.
  const image = db.image.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1');
  const { tag, digest } = imagePin(image);
  ensure(
    Boolean(digest) || (tag !== null && tag.toLowerCase() !== 'latest' && !tag.includes('$')),
    `The \`${db.name}\` service of \`${compose.name}\` runs \`${db.image}\`; expected a pinned tag such as \`postgres:16-alpine\`. ` +
      'A floating tag can move your data to a new major version that cannot read it.',
  );
});

check('compose.database-volume', async () => {
  const compose = readCompose();
  const db = requireDatabase(compose);
  const declared = isMap(compose.doc.volumes) ? Object.keys(compose.doc.volumes) : [];
  const mounts = Array.isArray(db.service.volumes) ? db.service.volumes : [];
  const named = mounts
    .map((mount) => {
      if (typeof mount === 'string') {
        const [source, target] = mount.split(':');
        return target !== undefined ? { source, target } : null;
      }
      if (isMap(mount) && (mount.type === undefined || mount.type === 'volume') && typeof mount.source === 'string' && typeof mount.target === 'string')
        return { source: mount.source, target: mount.target };
      return null;
    })
    .filter((m): m is { source: string; target: string } => m !== null && m.target.startsWith('/var/lib/postgresql'));
  const good = named.find((m) => declared.includes(m.source));
  ensure(
    good !== undefined,
    `The \`${db.name}\` service mounts ${named.length ? named.map((m) => `\`${m.source}:${m.target}\``).join(', ') : 'nothing'} on \`/var/lib/postgresql…\`, and the top-level \`volumes:\` declares ${declared.map((v) => `\`${v}\``).join(', ') || 'nothing'}. ` +
      'Mount a named volume on the data folder (`db-data:/var/lib/postgresql/data`) and declare it under the top-level `volumes:` so the data outlives the container.',
  );
});

check('compose.database-healthcheck', async () => {
  const compose = readCompose();
  const db = requireDatabase(compose);
  ensure(
    healthTest(db.service.healthcheck) !== null,
    `The \`${db.name}\` service has no enabled \`healthcheck\` (observed ${show(db.service.healthcheck ?? null)}). ` +
      'Add `healthcheck: { test: ["CMD-SHELL", "pg_isready -U app"], interval: 5s }` so Compose knows when PostgreSQL accepts connections.',
  );
});

check('compose.depends-on-healthy', async () => {
  const compose = readCompose();
  const app = requireApp(compose);
  const db = requireDatabase(compose);
  const dependsOn = app.service.depends_on;
  const entry = isMap(dependsOn) ? dependsOn[db.name] : undefined;
  ensure(
    isMap(entry) && entry.condition === 'service_healthy',
    `The \`${app.name}\` service's \`depends_on\` is ${show(dependsOn ?? null)}; expected \`${db.name}\` with \`condition: service_healthy\`. ` +
      `The list form only waits for the container to start, not for PostgreSQL to accept connections. Write \`depends_on: { ${db.name}: { condition: service_healthy } }\`.`,
  );
});

check('compose.app-healthcheck', async () => {
  const compose = readCompose();
  const app = requireApp(compose);
  const composeTest = healthTest(app.service.healthcheck);
  if (composeTest?.includes('/health')) return;
  const dockerfile = rootFile('Dockerfile');
  const file = dockerfile === null ? null : parseDockerfile(dockerfile);
  const final = file?.stages[file.stages.length - 1];
  // HEALTHCHECK is inherited like USER and ENV: a final stage built FROM an earlier stage keeps its.
  const instruction =
    file && final
      ? effectiveInstructions(file, final)
          .filter((i) => i.keyword === 'HEALTHCHECK')
          .pop()
      : undefined;
  ensure(
    instruction !== undefined && /\/health\b/.test(instruction.args) && !/^NONE\b/i.test(instruction.args),
    `The \`${app.name}\` service's healthcheck is ${composeTest ? `\`${composeTest.slice(0, 100)}\`` : 'absent'} and the Dockerfile's final stage has ${instruction ? `\`HEALTHCHECK ${instruction.args.slice(0, 100)}\`` : 'no `HEALTHCHECK`'}; neither calls \`/health\`. ` +
      'Add `healthcheck: { test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/health"] }` to the app service (or a `HEALTHCHECK` to the Dockerfile).',
  );
});
