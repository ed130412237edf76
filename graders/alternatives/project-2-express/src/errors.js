import { STATUS_CODES } from 'node:http';

export class HttpError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A 400 listing the invalid fields. */
export const invalid = (...details) => new HttpError(400, 'Validation failed', details.map(([field, message]) => ({ field, message: `${field} ${message}` })));

/** Path ids: malformed is a 400 (an unknown one is the route's 404). */
export function idParam(req) {
  const { id } = req.params;
  if (!UUID.test(id)) throw invalid(['id', 'must be a UUID']);
  return id.toLowerCase();
}

export function notFound(req, _res, next) {
  next(new HttpError(404, `Cannot ${req.method} ${req.path}`));
}

// eslint-disable-next-line no-unused-vars
export function errorHandler(err, req, res, _next) {
  let status = err instanceof HttpError ? err.status : Number(err.status ?? err.statusCode);
  let message = err.message;
  let details = err.details;
  if (err.type === 'entity.parse.failed') {
    message = 'Malformed JSON body';
    details = [{ field: 'body', message: 'the body is not valid JSON' }];
  }
  if (!Number.isInteger(status) || status < 400 || status > 599) status = 500;
  if (status >= 500) {
    console.error(err);
    message = 'Internal server error';
    details = undefined;
  }
  if (res.headersSent) return;
  const body = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: String(message || STATUS_CODES[status]), path: req.path, timestamp: new Date().toISOString() };
  if (details) body.details = details;
  res.status(status).json(body);
}
