/**
 * The one error type of the web server: throw `new HttpError(403, 'Phase is locked')` from any
 * handler; the error handler (server/pages/errorHandler.ts) turns it into a page or JSON.
 * Its message is shown to the user, so it must never carry internals.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
