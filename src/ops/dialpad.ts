import type { Knex } from 'knex';
import type { Config } from '../config';
import { DialpadClient, type DialpadAttempt, type DialpadLogger } from '../dialpad/client';
import { PostgresRateLimiter } from '../dialpad/pg-rate-limiter';

/**
 * The Dialpad client administrator actions use: the same budget in Postgres as the workers, so a
 * doctor run or a registration cannot push the company past Dialpad's limits while calls flow.
 * (The same construction as the worker's createDialpadClient, without importing the worker.)
 */
export function opsDialpadClient(
  config: Pick<Config, 'dialpad'>,
  db: Knex,
  logger?: DialpadLogger,
  onAttempt?: (attempt: DialpadAttempt) => void,
): DialpadClient | undefined {
  if (!config.dialpad.apiKey) return undefined;
  return new DialpadClient({
    apiKey: config.dialpad.apiKey,
    baseUrl: config.dialpad.apiBaseUrl,
    rateLimiter: new PostgresRateLimiter(db),
    ...(logger ? { logger } : {}),
    ...(onAttempt ? { onAttempt } : {}),
  });
}
