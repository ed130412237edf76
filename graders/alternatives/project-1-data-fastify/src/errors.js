// The Phase 1 error shape, produced by one Fastify error handler.
import { STATUS_CODES } from 'node:http';

export class HttpError extends Error {
  constructor(statusCode, message, details) {
    super(message);
    this.statusCode = statusCode;
    this.details = details;
  }
}

export const badRequest = (details, message = 'Validation failed') => new HttpError(400, message, details);

/** zod issues → [{ field, message }], `field` being the issue's path joined with dots. */
export function zodDetails(error) {
  const details = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ field: [...issue.path, key].join('.'), message: `${key} is not allowed` });
    } else {
      const field = issue.path.length ? issue.path.join('.') : 'body';
      details.push({ field, message: `${field}: ${issue.message}` });
    }
  }
  return details;
}

export function errorBody(statusCode, message, path, details) {
  const body = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    path,
    timestamp: new Date().toISOString(),
  };
  if (details) body.details = details;
  return body;
}

export function installErrorHandling(app) {
  app.setErrorHandler((err, request, reply) => {
    const path = request.raw.url.split('?')[0];
    let status = err.statusCode ?? 500;
    if (status < 400 || status > 599) status = 500;
    if (status >= 500) {
      request.log.error(err);
      return reply.code(500).send(errorBody(500, 'Internal server error', path));
    }
    // Fastify's own 4xx (bad JSON, wrong content type, body too large) get a `body` detail.
    const details = err instanceof HttpError ? err.details : status === 400 ? [{ field: 'body', message: err.message }] : undefined;
    return reply.code(status).send(errorBody(status, err.message, path, details));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.raw.url.split('?')[0];
    reply.code(404).send(errorBody(404, `Cannot ${request.method} ${path}`, path));
  });
}
