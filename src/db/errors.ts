/**
 * Telling a Postgres outage from content Postgres refuses. An outage (no connection, the server
 * shutting down, a pool timeout, a serialisation conflict) passes: retrying later works. Refused
 * content (SQLSTATE class 22 data exception, 23 integrity violation, 42 a statement that cannot
 * run) and errors of our own code do not pass by waiting: they are poison for the event at hand.
 */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57', '58', 'XX']);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Postgres refused the values, not an outage: class 22 (a data exception, e.g. a NUL character in
 * text or jsonb) or 54 (a program limit, e.g. jsonb nested past its stack depth).
 */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('54'));
}

/** Whether waiting and trying again can succeed: the database (or the way to it) is the problem. */
export function isTransientDbError(err: unknown): boolean {
  const state = sqlState(err);
  if (state) return TRANSIENT_CLASSES.has(state.slice(0, 2));
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && TRANSIENT_NODE_CODES.has(e.code)) return true;
  if (e?.name === 'KnexTimeoutError') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connect ECONNREFUSED|server closed the connection|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i.test(
    message,
  );
}

/** A short description of a database error that carries no values (no row content, no SQL). */
export function dbErrorSummary(err: unknown): string {
  const state = sqlState(err);
  const e = err as { constraint?: unknown; table?: unknown; column?: unknown; name?: unknown } | null;
  if (state) {
    const where = [e?.table, e?.column, e?.constraint].filter((x): x is string => typeof x === 'string');
    // Postgres quotes the offending value in its message ("invalid input syntax for type bigint:
    // "8951.03""): keep the sentence, never the value.
    const message = err instanceof Error ? err.message.split('\n')[0]!.split(' - ').pop()! : '';
    const sentence = message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\(.*\)=\(.*\)/g, '(…)=(…)');
    return `SQLSTATE ${state}${where.length ? ` (${where.join(', ')})` : ''}${sentence ? `: ${sentence.slice(0, 200)}` : ''}`;
  }
  return err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]!.slice(0, 200)}` : String(err);
}

/**
 * What to log for an error: a database error as its summary (pg errors carry the row's values in
 * `detail`, `where` and the message, which a logger would print whole), anything else as it is.
 */
export function loggableError(err: unknown): unknown {
  return sqlState(err) ? { type: 'DatabaseError', message: dbErrorSummary(err) } : err;
}
