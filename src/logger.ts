import pino, { type Logger, type LoggerOptions } from 'pino';
import { traceLogFields } from './telemetry/context';

/**
 * Paths redacted from every log line. Secrets, tokens and personal data never reach the logs:
 * webhook bodies are not logged at all, and phone numbers are masked with `maskPhone` before use.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  'api_key',
  'secret',
  'token',
  'password',
  'transcript',
  '*.apiKey',
  '*.secret',
  '*.token',
  '*.password',
  '*.transcript',
];

export interface LogOptions {
  /** With tracing on: `trace_id` and `span_id` of the active span on each line written inside one. */
  traceIds?: boolean;
}

export function loggerOptions(level: string, name: string, opts: LogOptions = {}): LoggerOptions {
  const pretty = process.stdout.isTTY && !process.env.CI && process.env.NODE_ENV !== 'test';
  return {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(opts.traceIds ? { mixin: traceLogFields } : {}),
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  };
}

export function createLogger(level: string, name: string, opts: LogOptions = {}): Logger {
  return pino(loggerOptions(level, name, opts));
}

/** "+14155550142" → "+1415•••0142": enough to recognise, not enough to dial. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length <= 6) return '•'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'•'.repeat(Math.max(0, phone.length - 9))}${phone.slice(-4)}`;
}

export type { Logger };
