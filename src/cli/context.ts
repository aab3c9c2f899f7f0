import { hostname, userInfo } from 'node:os';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../config';
import { createKnex } from '../db/knex';
import type { DialpadClient } from '../dialpad/client';
import { opsDialpadClient, OpsError, type Actor } from '../ops';
import { createTemporalClient, type TemporalHandles } from '../temporal/connection';

/**
 * What a CLI command works with: the validated configuration, and Postgres, Temporal and Dialpad
 * opened on first use and closed when the command ends. With nothing configured it points at the
 * `npm run dev` stack (its embedded Postgres, Temporal dev server and Dialpad simulator), so the
 * commands work against a local system without any setup.
 */

// The dev stack's embedded Postgres credentials and database (tools/dev/postgres.ts, tools/dev/stack.ts).
const DEV_POSTGRES = { user: 'postgres', password: 'navigator-dev', database: 'navigator' };
const DEV_SIMULATOR_KEY = 'dialpad-simulator-key';

export interface ResolvedCliConfig {
  config: Config;
  /** What was filled in from the dev stack, told to the operator once a command uses it. */
  devDefaults: { database?: string; temporal?: string; dialpad?: string };
}

export function resolveCliConfig(env: NodeJS.ProcessEnv = process.env): ResolvedCliConfig {
  const config = loadConfig(env, 'dev');
  const devDefaults: ResolvedCliConfig['devDefaults'] = {};
  let { databaseUrl } = config;
  if (!databaseUrl) {
    databaseUrl = `postgres://${DEV_POSTGRES.user}:${DEV_POSTGRES.password}@127.0.0.1:${config.dev.postgresPort}/${DEV_POSTGRES.database}`;
    devDefaults.database = `DATABASE_URL is not set: using the npm run dev Postgres on 127.0.0.1:${config.dev.postgresPort}`;
  }
  let address = config.temporal.address;
  if (!address) {
    address = `127.0.0.1:${config.dev.temporalPort}`;
    devDefaults.temporal = `TEMPORAL_ADDRESS is not set: using the npm run dev Temporal on ${address}`;
  }
  let dialpad = config.dialpad;
  if (!dialpad.apiKey) {
    const url = `http://127.0.0.1:${config.dialpad.simulatorPort}`;
    dialpad = { ...dialpad, apiKey: DEV_SIMULATOR_KEY, apiBaseUrl: url };
    devDefaults.dialpad = `DIALPAD_API_KEY is not set: using the npm run dev Dialpad simulator at ${url}`;
  }
  return {
    config: { ...config, databaseUrl, temporal: { ...config.temporal, address }, dialpad },
    devDefaults,
  };
}

export class CliContext {
  private knex: Knex | undefined;
  private temporalHandles: TemporalHandles | undefined;
  private dialpadClient: DialpadClient | undefined;
  private readonly told = new Set<string>();

  constructor(
    readonly resolved: ResolvedCliConfig,
    private readonly note: (line: string) => void,
  ) {}

  get config(): Config {
    return this.resolved.config;
  }

  db(): Knex {
    this.tell('database');
    this.knex ??= createKnex(this.config.databaseUrl!, { max: 4, ca: this.config.databaseCa });
    return this.knex;
  }

  temporal(): TemporalHandles {
    this.tell('temporal');
    this.temporalHandles ??= createTemporalClient(this.config.temporal);
    return this.temporalHandles;
  }

  dialpad(): DialpadClient {
    this.tell('dialpad');
    this.dialpadClient ??= opsDialpadClient(this.config, this.db());
    if (!this.dialpadClient) throw new OpsError('unavailable', 'DIALPAD_API_KEY is not set');
    return this.dialpadClient;
  }

  /** The operating-system user and host, recorded as the actor of every change. */
  actor(): Actor {
    let user = process.env.USER ?? 'unknown';
    try {
      user = userInfo().username;
    } catch {
      // Some containers run as a uid without a passwd entry; $USER (or "unknown") will do.
    }
    return { actor: `cli:${user}@${hostname()}`, sourceAddress: null };
  }

  async close(): Promise<void> {
    await this.temporalHandles?.close();
    await this.knex?.destroy();
  }

  private tell(what: keyof ResolvedCliConfig['devDefaults']): void {
    const line = this.resolved.devDefaults[what];
    if (line && !this.told.has(what)) {
      this.told.add(what);
      this.note(line);
    }
  }
}
