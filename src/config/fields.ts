import { z } from 'zod';

/**
 * The building blocks of the environment schema: each reads one variable's text, treats an empty
 * value as unset, and names what it expects in its message (quoted in the ConfigError).
 */

/** The parsed values of a section's fields. */
export type VarsOf<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const port = (fallback: number) =>
  z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected an integer port between 1 and 65535').optional())
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((n) => n >= 1 && n <= 65535, 'expected an integer port between 1 and 65535');

/** A port with no default: unset means the feature is off. */
export const optionalPort = () =>
  z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected an integer port between 1 and 65535').optional())
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((n) => n === undefined || (n >= 1 && n <= 65535), 'expected an integer port between 1 and 65535');

export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

export const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, 'expected a URL like postgres://user:password@host:5432/database')
    .optional(),
);

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const httpUrl = (fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z.string().refine(isHttpUrl, 'expected an http(s) URL such as https://dialpad.com').default(fallback),
  );

export const optionalHttpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine(isHttpUrl, 'expected an http(s) URL such as https://navigator.example.com/webhooks/dialpad')
    .optional(),
);

/** The OTLP/HTTP collector's base URL: traces go to <url>/v1/traces, as the OpenTelemetry spec says. */
export const otlpEndpoint = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine(isHttpUrl, 'expected the http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318')
    .optional(),
);

export const hostPort = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
);

export const bool = (fallback: boolean) =>
  z
    .preprocess(
      emptyToUndefined,
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).optional(),
    )
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

export const durationSeconds = (fallback: number) =>
  z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected a whole number of seconds').optional())
    .transform((v) => (v === undefined ? fallback : Number(v)));

/** A whole number matching `pattern` (which bounds it), or `fallback` when unset. */
export const boundedWholeNumber = <F extends number | undefined>(pattern: RegExp, message: string, fallback: F) =>
  z
    .preprocess(emptyToUndefined, z.string().regex(pattern, message).optional())
    .transform((v) => (v === undefined ? fallback : Number(v)));

export const token = z.preprocess(
  emptyToUndefined,
  z.string().min(16, 'expected at least 16 characters (use a long random value)').optional(),
);

/** A name of letters, digits, `.`, `_` and `-` (a Temporal namespace or task queue), with its default. */
export const temporalName = (message: string, fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, message)
      .default(fallback),
  );
