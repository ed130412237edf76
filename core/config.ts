/**
 * The platform's configuration: one zod schema, parsed once, the only reader of process.env.
 * Every variable is documented in .env.example.
 */
import path from 'node:path';
import { z } from 'zod';

export const ROOT_DIR = path.resolve(__dirname, '..');

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    );

/** A whole number of at least 1, `fallback` when unset. */
const atLeastOne = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    BASE_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (npm start sets it for the local cluster)'),
    REDIS_URL: z.string().min(1, 'REDIS_URL is required (npm start sets it for the local server)'),
    SESSION_SECRET: z.string().optional(),
    GITHUB_CLIENT_ID: z.string().optional(),
    GITHUB_CLIENT_SECRET: z.string().optional(),
    GITHUB_CALLBACK_URL: z.string().url().optional(),
    // GitHub's web and API addresses: github.com by default, a GitHub Enterprise server or the
    // tests' fake GitHub on loopback otherwise.
    GITHUB_WEB_URL: z
      .string()
      .url()
      .default('https://github.com')
      .transform((value) => value.replace(/\/+$/, '')),
    GITHUB_API_URL: z
      .string()
      .url()
      .default('https://api.github.com')
      .transform((value) => value.replace(/\/+$/, '')),
    // A token that can write commit statuses (and create webhooks) on the learners' repositories.
    GITHUB_TOKEN: z.string().optional(),
    // Accepted on every webhook delivery besides each link's own secret.
    GITHUB_WEBHOOK_SECRET: z.string().optional(),
    WEBHOOK_MAX_KB: z.coerce
      .number()
      .int()
      .min(1)
      .max(25 * 1024)
      .default(1024),
    INSTRUCTORS: list(''),
    // Burst limits per minute (counted in Redis, shared by every server process): sign-in per
    // client IP, submissions and "grade again" per learner (instructors exempt), webhook per IP.
    RATE_LIMIT_SIGNIN_PER_MINUTE: atLeastOne(20),
    RATE_LIMIT_SUBMIT_PER_MINUTE: atLeastOne(10),
    RATE_LIMIT_WEBHOOK_PER_MINUTE: atLeastOne(120),
    RATE_LIMIT_GITHUB_PER_MINUTE: atLeastOne(10),
    // Which proxies in front of the server are trusted for the client address (X-Forwarded-For)
    // and protocol: a hop count ("1") or addresses/subnets ("loopback, 10.0.0.0/8"). Unset: 1 in
    // production (one TLS-terminating proxy), none otherwise. Never "true": any client could then
    // choose its own address and escape the per-IP limits.
    TRUST_PROXY: z
      .string()
      .optional()
      .refine((value) => value === undefined || !/^true$/i.test(value.trim()), 'name the hop count or the proxy addresses, not "true"'),
    QUEUE_NAME: z.string().default('grading'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
    // How long a worker's hold on a job lasts without renewal (renewed every half of it), and how
    // often workers look for jobs whose holder died (then re-queued once, containers removed).
    WORKER_LOCK_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
    WORKER_STALLED_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    START_WORKER: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    GIT_ALLOWED_HOSTS: list('github.com,gitlab.com,bitbucket.org'),
    GIT_HTTP_HOSTS: list(''),
    // The hosts the install step's network lets through on 443 (worker/sandbox/registryNetwork.ts).
    // A host that does not resolve on the worker is skipped (and logged), never fatal.
    INSTALL_ALLOWED_HOSTS: list('registry.npmjs.org,registry.yarnpkg.com,binaries.prisma.sh'),
    // Where Prisma downloads its engines instead of binaries.prisma.sh (its host is allowed too).
    PRISMA_ENGINES_MIRROR: z.string().url().optional(),
    CLONE_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(60),
    CLONE_MAX_MB: atLeastOne(200),
    CLONE_MAX_FILES: atLeastOne(50000),
    JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(30).default(1200),
    DATA_DIR: z
      .string()
      .default('.data')
      .transform((value) => path.resolve(ROOT_DIR, value)),
    // A worker inside a container (docker/compose.yml) copies graders/ and node_modules/ under
    // DATA_DIR, a folder at the same path on the host, because the engine resolves bind mounts there.
    SHARE_PLATFORM_FILES: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    // One learner runtime image per supported Node major (worker/stages/nodeVersion.ts NODE_MAJORS).
    IMAGE_RUNTIME_NODE20: z.string().optional(),
    IMAGE_RUNTIME_NODE22: z.string().optional(),
    IMAGE_RUNTIME_NODE24: z.string().optional(),
    IMAGE_SERVICES: z.string().optional(),
    IMAGE_TESTER: z.string().optional(),
  })
  .transform((env) => ({
    ...env,
    BASE_URL: env.BASE_URL ?? `http://localhost:${env.PORT}`,
    SESSION_SECRET: env.SESSION_SECRET ?? (env.NODE_ENV === 'production' ? '' : 'dev-only-session-secret'),
    TRUST_PROXY: trustProxySetting(env.TRUST_PROXY, env.NODE_ENV),
  }))
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.SESSION_SECRET.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'set SESSION_SECRET (32+ characters) in production' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Express's `trust proxy` setting: a hop count, false, or a list of trusted addresses. */
function trustProxySetting(value: string | undefined, nodeEnv: string): number | false | string {
  const trimmed = value?.trim();
  if (!trimmed) return nodeEnv === 'production' ? 1 : false;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (/^false$/i.test(trimmed)) return false;
  return trimmed;
}

let cached: Config | undefined;

/** Parses the environment once and fails fast with every problem named. */
export function getConfig(): Config {
  if (!cached) cached = parseConfig(process.env);
  return cached;
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable (`GITHUB_CLIENT_ID=` copied from .env.example) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** Tests and the start script set the environment after services come up, then re-read it. */
export function resetConfigForTests(): void {
  cached = undefined;
}
