/**
 * Assembles the web server: security headers, sessions, CSRF, the signed-in user, the pages,
 * rate limits, the live event stream, one 404 and one error handler. The caller owns the database
 * pool (initPool before createApp), the BullMQ queue, the one shared QueueEvents connection and
 * the Redis client the rate limits count with (it closes them; the app opens none of its own).
 */
import path from 'node:path';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { csrfSync } from 'csrf-sync';
import express from 'express';
import helmet from 'helmet';
import type pino from 'pino';
import { pinoHttp } from 'pino-http';
import { ROOT_DIR, type Config } from '../core/config';
import type { GradingJobData } from '../core/queue';
import { isGitHubEnabled } from './auth/github';
import { loadCurrentUser } from './auth/middleware';
import { authRouter, isDevSignInEnabled } from './auth/routes';
import { createSessionMiddleware } from './auth/session';
import { SubmissionEventHub } from './events/hub';
import { submissionEventsRouter } from './events/submissionEvents';
import { formatDateTime, formatDuration, formatPercent, formatPoints, shortSha } from '../core/lib/format';
import { createRateLimits } from './lib/rateLimits';
import { createStatusReporter } from './github/statuses';
import { webhookRouter } from './github/webhook';
import { badgeRouter } from './pages/badge/badge';
import { errorHandler, notFound } from './pages/errors/errors';
import { githubLinkRouter } from './pages/github/github';
import { healthRouter } from './pages/health/health';
import { homeRouter } from './pages/home/home';
import { instructorRouter } from './pages/instructor/instructor';
import { phaseRouter } from './pages/phase/phase';
import { submissionRouter } from './pages/submission/submission';

export interface AppDeps {
  config: Config;
  queue: Queue<GradingJobData>;
  queueEvents: QueueEvents;
  /** A ready producer connection (fails fast, no offline queue): the rate limits' counters. */
  redis: Redis;
  logger: pino.Logger;
}

export const VIEWS_DIR = path.join(ROOT_DIR, 'views');
export const PUBLIC_DIR = path.join(__dirname, 'public');

/** Where GitHub serves avatars from: the only image origin besides our own. */
const AVATAR_ORIGIN = 'https://avatars.githubusercontent.com';

export function createApp(deps: AppDeps): express.Express {
  const { config, queue, queueEvents, redis, logger } = deps;
  const production = config.NODE_ENV === 'production';
  const app = express();

  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('query parser', 'simple');
  // Behind the TLS-terminating proxy (TRUST_PROXY, 1 hop by default in production): secure
  // cookies need the forwarded protocol, the per-IP rate limits the forwarded client address.
  app.set('trust proxy', config.TRUST_PROXY);
  Object.assign(app.locals, {
    productName: 'Backend Pro',
    githubEnabled: isGitHubEnabled(config),
    devSignInEnabled: isDevSignInEnabled(config),
    formatDateTime,
    formatDuration,
    formatPercent,
    formatPoints,
    shortSha,
  });

  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || (req.url ?? '').startsWith('/public/') },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Never log cookies or the session id.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', AVATAR_ORIGIN],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          ...(production ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: production,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );

  const limits = createRateLimits({ config, redis, logger });

  app.use(healthRouter());
  // Before sessions and CSRF: GitHub signs its deliveries, and badges are public images.
  app.use(webhookRouter({ config, queue, logger, statuses: createStatusReporter(config, logger), rateLimit: limits.webhook }));
  app.use(badgeRouter());
  app.use('/public', express.static(PUBLIC_DIR, { maxAge: production ? '1h' : 0, index: false }));

  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use(createSessionMiddleware(config));

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
    },
  });
  app.use(loadCurrentUser);
  app.use((req, res, next) => {
    // Lazy: only pages that render a form put a token (and so a session) in place.
    res.locals.csrfToken = () => generateToken(req);
    res.locals.currentPath = req.path;
    next();
  });
  app.use(csrfSynchronisedProtection);

  const hub = new SubmissionEventHub(queueEvents, queue, logger);
  app.locals.eventHub = hub;

  app.use(authRouter(config, limits.signIn));
  app.use(homeRouter());
  app.use(phaseRouter({ config, queue, rateLimit: limits.submit }));
  app.use(submissionEventsRouter({ queue, hub, logger }));
  app.use(submissionRouter({ config, queue, logger, rateLimit: limits.submit }));
  app.use(instructorRouter());
  app.use(githubLinkRouter({ config, logger, rateLimit: limits.github }));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
