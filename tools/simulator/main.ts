import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigOrExit } from '../../src/config';
import { createLogger } from '../../src/logger';
import { DEFAULT_COMPANY_SIZE, DEFAULT_SEED } from './company';
import { startSimulator } from './server';

/** `npm run simulator`: the Dialpad simulator alone, on DIALPAD_SIM_PORT (default 8788), loopback only. */

const count = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};

async function main(): Promise<void> {
  const config = loadConfigOrExit('dev');
  const program = new Command('simulator')
    .description('Serve a simulated Dialpad API (/api/v2) over a seeded company, with /_sim admin endpoints')
    .option('--port <port>', 'port (DIALPAD_SIM_PORT)', count('port'), config.dialpad.simulatorPort)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <seed>', 'company seed', DEFAULT_SEED)
    .option('--offices <n>', 'offices', count('offices'), DEFAULT_COMPANY_SIZE.offices)
    .option('--departments <n>', 'departments', count('departments'), DEFAULT_COMPANY_SIZE.departments)
    .option('--call-centers <n>', 'call centres', count('call-centers'), DEFAULT_COMPANY_SIZE.callCenters)
    .option('--users <n>', 'users', count('users'), DEFAULT_COMPANY_SIZE.users)
    .option('--contacts <n>', 'contacts', count('contacts'), DEFAULT_COMPANY_SIZE.contacts)
    .option('--large-ids', 'give every entity an id above 2^53', false)
    .option('--api-key <key>', 'accept only this API key (default: any non-empty key)')
    .addOption(
      new Option('--rest-ids <format>', 'how REST writes int64 fields').choices(['string', 'number']).default('string'),
    )
    .option('--no-rate-limits', "do not enforce Dialpad's rate limits")
    .option('--page-size <n>', 'items per page', count('page-size'), 100);
  program.parse();
  const o = program.opts<{
    port: number;
    host: string;
    seed: string;
    offices: number;
    departments: number;
    callCenters: number;
    users: number;
    contacts: number;
    largeIds: boolean;
    apiKey?: string;
    restIds: 'string' | 'number';
    rateLimits: boolean;
    pageSize: number;
  }>();

  const log = createLogger(config.logLevel, 'dialpad-simulator');
  const started = performance.now();
  const sim = await startSimulator({
    port: o.port,
    host: o.host,
    seed: o.seed,
    size: {
      offices: o.offices,
      departments: o.departments,
      callCenters: o.callCenters,
      users: o.users,
      contacts: o.contacts,
    },
    largeIds: o.largeIds,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    restIdFormat: o.restIds,
    rateLimits: o.rateLimits,
    pageSize: o.pageSize,
    logger: log,
  });
  const { company } = sim.state;
  log.info(
    {
      url: sim.url,
      startupMs: Math.round(performance.now() - started),
      company: company.name,
      offices: company.offices.map((x) => ({ id: x.id, name: x.name, ai: sim.state.aiOffices.has(x.id) })),
      users: company.users.length,
      contacts: company.contacts.length,
    },
    `Dialpad simulator listening on ${sim.url} (API under /api/v2, admin under /_sim)`,
  );

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping Dialpad simulator');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
