// Security headers, HTTPS enforcement and CORS, written by hand (no helmet, no cors package).
import { config } from './config.js';
import { HttpError } from './errors.js';

const HEADERS = {
  // An API serves JSON only: nothing may be loaded, framed or run from its responses.
  'Content-Security-Policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** First middleware: every response, errors and 429s included, carries the headers. */
export function securityHeaders(_req, res, next) {
  res.removeHeader('X-Powered-By');
  for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
  next();
}

/**
 * In production the proxy terminates TLS and says so in X-Forwarded-Proto (req.protocol, with
 * one trusted hop). Plain HTTP is redirected with 308, which keeps the method: a POST is not
 * run over HTTP, the client must send it again over https.
 */
export function requireHttps(req, res, next) {
  if (!config.production || req.protocol === 'https') return next();
  const host = req.get('host');
  if (!host || !/^[a-z0-9.-]+(:\d+)?$/i.test(host)) return next(new HttpError(403, 'HTTPS is required'));
  res.redirect(308, `https://${host}${req.originalUrl}`);
}

const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Content-Type, Authorization';

/** Only CORS_ORIGIN (compared exactly) is allowed, with credentials; other origins get no CORS header. */
export function cors(req, res, next) {
  res.vary('Origin');
  const origin = req.get('origin');
  if (!origin || !config.corsOrigin || origin !== config.corsOrigin) return next();
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.vary('Access-Control-Request-Headers');
    return res.status(204).end();
  }
  next();
}
