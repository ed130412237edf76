import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { FieldError, ValidationFailedException } from './validation-failed.exception';

/** The body of every error the API returns. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  path: string;
  timestamp: string;
  details?: FieldError[];
}

interface DescribedError {
  status: number;
  message: string;
  details?: FieldError[];
}

/**
 * Turns every error, Nest's own (unknown routes included) or not, into the one error shape.
 * Unexpected errors are logged with their stack and answered with a bare 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { status, message, details } = describeError(exception);

    if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      const trace = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(`${request.method} ${request.originalUrl}`, trace);
    }
    if (response.headersSent) return;

    const body: ErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      path: request.originalUrl.split('?')[0],
      timestamp: new Date().toISOString(),
      ...(details ? { details } : {}),
    };
    response.status(status).json(body);
  }
}

function describeError(exception: unknown): DescribedError {
  if (exception instanceof ValidationFailedException) {
    return { status: exception.getStatus(), message: exception.message, details: exception.details };
  }
  if (exception instanceof HttpException) {
    return { status: exception.getStatus(), message: messageOf(exception.getResponse(), exception.message) };
  }
  if (isClientError(exception)) {
    // body-parser's errors (malformed JSON, body too large) carry their own 4xx status.
    return { status: exception.status, message: exception.message };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}

function messageOf(response: string | object, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return fallback;
}

function isClientError(exception: unknown): exception is { status: number; message: string; expose: true } {
  if (typeof exception !== 'object' || exception === null) return false;
  const { status, expose } = exception as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}
