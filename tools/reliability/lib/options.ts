/**
 * Scenario sizes and timings. Defaults are issue 11's sizes; each can be changed with an environment
 * variable (`REL_DUP_CALLS=200`) or a flag after `--` (`--dup-calls=200`, the same name in lower
 * case with dashes and without the `REL_` prefix).
 */
export interface ReliabilityOptions {
  /** Scenario 1: conversations, and the most copies of each event (1 = no duplicates). */
  dupCalls: number;
  dupMaxCopies: number;
  /** Conversations started per second in scenario 1. */
  dupRate: number;
  /** Copies are posted within this many ms after the original. */
  dupSpreadMs: number;
  /** Scenarios 2–4: conversations per burst and their rate. */
  burstCalls: number;
  burstRate: number;
  /** Probability of one extra copy of an event in the outage bursts (the emitter's own duplicates). */
  burstDuplicates: number;
  /** Scenario 2: seconds into the burst when the worker is killed, and seconds it stays dead. */
  killAtS: number;
  killDownS: number;
  /** Scenario 3: seconds into the burst when Postgres stops, and for how long. */
  pgOutageAtS: number;
  pgOutageS: number;
  /** Scenario 4: Temporal. */
  temporalOutageAtS: number;
  temporalOutageS: number;
  /**
   * Scenario 5: conversations, when both stop, how long after the stop began Postgres is started
   * again (it then takes a few seconds to accept connections), and Temporal that much later.
   */
  bothCalls: number;
  bothRate: number;
  bothOutageAtS: number;
  bothOutageS: number;
  bothTemporalExtraS: number;
  /** Scenario 5b: an outage longer than Dialpad's retry window; what Dialpad gives up on is lost. */
  bothLongOutageS: number;
  /** db-errors: seconds into its burst (of burstCalls at burstRate) when a Postgres backend is killed. */
  dbCrashAtS: number;
  /** Scenario 6: generated bad requests, concurrency, fast-check seed. */
  hostileRequests: number;
  hostileConcurrency: number;
  hostileSeed: number;
  /** How long a scenario may take to settle after its last delivery. */
  settleTimeoutS: number;
  /** CALL_AI_WAIT_SECONDS for the ingress: how long an answered leg waits for Ai events. */
  aiWaitSeconds: number;
  /** Ai events are "minutes after hangup"; delivered that many minutes × timeScale later. */
  timeScale: number;
}

export const DEFAULTS: ReliabilityOptions = {
  dupCalls: 1000,
  dupMaxCopies: 10,
  dupRate: 2.5,
  dupSpreadMs: 6000,
  burstCalls: 200,
  burstRate: 3,
  burstDuplicates: 0.2,
  killAtS: 25,
  killDownS: 8,
  pgOutageAtS: 15,
  pgOutageS: 30,
  temporalOutageAtS: 10,
  temporalOutageS: 60,
  bothCalls: 120,
  bothRate: 6,
  bothOutageAtS: 6,
  bothOutageS: 3,
  bothTemporalExtraS: 4,
  bothLongOutageS: 25,
  dbCrashAtS: 10,
  hostileRequests: 10_000,
  hostileConcurrency: 24,
  hostileSeed: 1111,
  settleTimeoutS: 300,
  aiWaitSeconds: 15,
  timeScale: 0.01,
};

const envName = (key: string) => `REL_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): { options: ReliabilityOptions; scenarios: string[] } {
  const options: ReliabilityOptions = { ...DEFAULTS };
  const scenarios: string[] = [];
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (m) flags.set(m[1]!, m[2]!);
    else if (arg.startsWith('--')) throw new Error(`unknown flag ${arg} (flags are --name=value)`);
    else scenarios.push(...arg.split(',').filter(Boolean));
  }
  for (const key of Object.keys(DEFAULTS) as (keyof ReliabilityOptions)[]) {
    const raw = flags.get(flagName(key)) ?? env[envName(key)];
    flags.delete(flagName(key));
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`${envName(key)} / --${flagName(key)}: expected a number, got ${raw}`);
    options[key] = n;
  }
  if (flags.size) throw new Error(`unknown flag(s): ${[...flags.keys()].map((f) => `--${f}`).join(', ')}`);
  return { options, scenarios };
}

export function describeOptions(): string {
  return (Object.keys(DEFAULTS) as (keyof ReliabilityOptions)[])
    .map((k) => `  --${flagName(k)}=N  (${envName(k)}, default ${DEFAULTS[k]})`)
    .join('\n');
}
