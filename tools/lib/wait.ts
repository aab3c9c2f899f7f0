export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Why the thing waited for can no longer come (e.g. "exited with 1"), or undefined while it can. */
  gone?: () => string | undefined;
  /** Appended to the error, e.g. where the logs are. */
  hint?: () => string;
}

/**
 * Polls `check` until it returns a truthy value (which it returns). A check that throws counts as
 * "not yet" (its error is quoted if time runs out); fails as soon as `gone` gives a reason.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const hint = () => (opts.hint ? opts.hint() : '');
  let lastError: unknown;
  for (;;) {
    const why = opts.gone?.();
    if (why) throw new Error(`${what}: ${why} before it was ready${hint()}`);
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause =
        lastError === undefined
          ? ''
          : `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`${what} not ready after ${opts.timeoutMs / 1000} s${cause}${hint()}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

/** `p`, or an error after `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
