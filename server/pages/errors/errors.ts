/**
 * The one 404 middleware and the one error handler. Every error is logged with an id; the user
 * sees the id and a message that never carries a stack trace or internals.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type pino from 'pino';
import { HttpError } from '../../lib/errors';

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'There is nothing at this address.'));
}

const TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Not possible right now',
  413: 'Too large',
  429: 'Slow down',
  503: 'Temporarily unavailable',
};

/** Errors of the libraries we use (body parsers, csrf-sync) carry a 4xx status of their own. */
/** The database or Redis cannot be reached (a restart, an outage): a passing state, not a bug. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|Connection is closed|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(message)
  );
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (isUnavailable(error)) return 503;
  const candidate = (error as { status?: unknown; statusCode?: unknown } | null) ?? {};
  const status = Number(candidate.status ?? candidate.statusCode);
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}

function publicMessage(error: unknown, status: number): string {
  if (error instanceof HttpError) return error.message;
  if ((error as { code?: string } | null)?.code === 'EBADCSRFTOKEN') {
    return 'This form has expired or did not come from this site. Go back, reload the page and try again.';
  }
  if (status === 400) return 'The request could not be read.';
  if (status === 413) return 'The request is too large.';
  if (status < 500) return TITLES[status] ?? 'The request was refused.';
  if (status === 503) return 'Backend Pro is briefly unavailable (a service it needs is restarting). Nothing you submitted is lost; try again in a minute.';
  return 'Something went wrong on our side. Try again in a moment; if it keeps happening, tell your instructor the error id below.';
}

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path.endsWith('.json') || req.accepts(['html', 'json']) === 'json';
}

export function errorHandler(logger: pino.Logger) {
  // Express recognises error handlers by their four parameters.
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = statusOf(error);
    const errorId = randomBytes(6).toString('hex');
    const log = (req as Request & { log?: pino.Logger }).log ?? logger;
    if (status >= 500) log.error({ err: error, errorId, status }, 'request failed');
    else log.info({ errorId, status, reason: error instanceof Error ? error.message : String(error) }, 'request refused');

    if (res.headersSent) {
      // An event stream or a half-sent page: nothing better to do than to end it.
      res.end();
      return;
    }
    const message = publicMessage(error, status);
    // The error may come before the middlewares that set these (e.g. a session store failure).
    res.locals.user ??= null;
    res.locals.currentPath ??= req.path;
    res.locals.csrfToken ??= () => '';
    res.status(status).set('Cache-Control', 'no-store');
    if (wantsJson(req)) {
      res.json({ error: { status, message, errorId } });
      return;
    }
    res.render(
      'error',
      { title: `${TITLES[status] ?? 'Error'} — Backend Pro`, status, heading: TITLES[status] ?? 'Something went wrong', message, errorId },
      (renderError, html) => {
        if (renderError) {
          log.error({ err: renderError, errorId }, 'could not render the error page');
          res.type('text/plain').send(`${message}\nError id: ${errorId}`);
          return;
        }
        res.send(html);
      },
    );
  };
}
