import { STATUS_CODES } from 'node:http';

export class HttpError extends Error {
  constructor(status, message, details, headers) {
    super(message);
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

/** Turns a zod error into the brief's 400: one entry per invalid field. */
export function validationError(zodError, source, where = 'body') {
  const details = [];
  const has = (key) => source !== null && typeof source === 'object' && Object.hasOwn(source, key);
  for (const issue of zodError.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ field: key, message: `${key} is not allowed` });
    } else {
      const field = issue.path.length > 0 ? issue.path.join('.') : where;
      let message = issue.message;
      if (issue.code === 'invalid_type') message = issue.path.length > 0 && !has(issue.path[0]) ? 'is required' : `must be ${issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
      if (!details.some((d) => d.field === field)) details.push({ field, message: `${field} ${message}` });
    }
  }
  return new HttpError(400, 'Validation failed', details);
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
  const body = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: String(message || STATUS_CODES[status]), path: req.path, timestamp: new Date().toISOString() };
  if (details) body.details = details;
  if (err instanceof HttpError && err.headers) res.set(err.headers);
  res.status(status).json(body);
}
