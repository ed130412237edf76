import pino from 'pino';

/** Structured JSON logs (pino); pretty enough in a terminal, parseable everywhere else. */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { service: 'backend-pro' }, redact: ['req.headers.cookie', 'req.headers.authorization'] });
}
