import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { errorBody } from '../common/http-error.filter';
import type { SecurityConfig } from '../config';
import { authRateLimits } from './rate-limits';

/**
 * Everything that runs before Nest's router, in this order: who the client is (one trusted
 * proxy), plain HTTP refused, security headers, CORS, then the per-route rate limits — so a 429
 * still carries the headers and a limited request never reaches a controller.
 */
export function applySecurity(app: NestExpressApplication, config: SecurityConfig): void {
  // The proxy in front appends the client's address to X-Forwarded-For: trust that one hop only,
  // so addresses a client writes to its left can never choose its rate-limit bucket.
  app.set('trust proxy', 1);
  app.disable('x-powered-by');
  app.use(requireHttps);
  app.use(helmet());
  app.enableCors({
    // A function, not the string: the string form sends the allowed origin to every caller.
    origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
      callback(null, origin === config.corsOrigin),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization'],
  });
  for (const { method, path, limiter } of authRateLimits(config.rateLimitWindowSeconds)) {
    app.use(path, (req: Request, res: Response, next: NextFunction) =>
      req.method === method ? limiter(req, res, next) : next(),
    );
  }
}

/**
 * Behind a TLS-terminating proxy, `X-Forwarded-Proto: http` means the client used plain HTTP:
 * reads are redirected to https, anything else is refused before it can change state.
 * A request without the header did not come through the proxy (a health check) and is served.
 */
function requireHttps(req: Request, res: Response, next: NextFunction): void {
  if (!req.headers['x-forwarded-proto'] || req.secure) return next();
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(301, `https://${req.get('host') ?? 'localhost'}${req.originalUrl}`);
    return;
  }
  res.status(403).json(errorBody(403, 'HTTPS is required', req));
}
