import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ACTED_ON_STATES } from '../../../workflows/shared/call-event';
import { replayDeliveries, type ReplayResult } from '../../../src/ops/replay';
import { normalizePendingPhoneNumbers } from '../../../src/phone/pending';
import { generateConversations, type Conversation } from '../../simulator';
import type { ReliabilityEnv } from '../lib/env';
import { allLogFiles, LogScanner, scanInputOf, type Finding } from '../lib/logscan';
import { comparisonFailures, type Scenario } from '../lib/result';
import { scanTemporalFailures, type TemporalScan } from '../lib/temporal-scan';
import { expectationsOf } from '../lib/verify';
import { burst, callResult, noFailuresOnTheWire, type BurstOutcome, type Window } from '../lib/burst';
import { sleep } from '../../lib/wait';

/**
 * Database errors, with the real processes: knex's `compileSqlOnError` is off (src/db/knex.ts) and
 * database errors are summarised by SQLSTATE and constraint (src/db/errors.ts), so no value of an
 * event may reach a log, a failure Temporal keeps, or `apply_error`. This scenario drives both error
 * paths and then looks:
 *
 * 1. A constraint violation: a CHECK added to `dialpad_call_legs` (NOT VALID, so only new rows)
 *    refuses a quarter of the legs (by a hash of the leg id). Every acted-on event of those legs is
 *    refused by Postgres (SQLSTATE 23514, whose DETAIL holds the whole row) and its call run sets it
 *    aside as a dead letter.
 * 2. Postgres going away mid-request: mid-burst the runner locks `dialpad_webhook_deliveries`, waits
 *    until the ingress's inserts (and the worker's updates) queue behind the lock, and SIGKILLs a
 *    backend: the postmaster ends every connection and recovers, so those queries fail with
 *    "Connection terminated unexpectedly" (no SQLSTATE; the path where a compiled query's values
 *    would be the whole message).
 *
 * Then it scans, for every phone number, contact name, transcript, voicemail and Ai recap sentence
 * the emitter sent (and the secrets): every log file of the run (ingress, worker, Temporal's own,
 * the runner's), every failure and cause in the histories of the runs started since the scenario
 * began (`fetchHistory()`), and `apply_error` / `last_signal_error` of every delivery. Postgres's own
 * server log is scanned too and reported (its DETAIL lines are Postgres's, not the product's).
 *
 * Afterwards the refused events must be replayable: the CHECK is dropped, `replay --dead-letters`
 * (`replayDeliveries(db, { deadLetters: true })`) requeues them, the relay delivers, and every
 * event is judged (lib/verify.ts): 0 lost. The scenario also sets up Navigator records (customers
 * holding some contacts' numbers), so each conversation's link is checked too.
 */

const CONSTRAINT = 'reliability_refuse_some_legs';
/** A quarter of the legs, by a hash of their id: the runner can tell which afterwards. */
const REFUSED = '(hashtext(call_id) & 3) = 0';

interface Crash {
  at: number;
  backAt: number;
  /** Product queries waiting on the lock when the backend was killed: mid-request. */
  blockedQueries: number;
  killedPid: number;
}

/** Locks the deliveries table, lets product queries queue behind it, then kills a backend. */
async function crashPostgresMidRequest(env: ReliabilityEnv): Promise<Crash> {
  const client = new pg.Client({ connectionString: env.databaseUrl, application_name: 'reliability-lock' });
  client.on('error', () => undefined); // the connection is about to die
  await client.connect();
  const pid = Number((await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid);
  await client.query('begin');
  await client.query('lock table dialpad_webhook_deliveries in share row exclusive mode');
  let blockedQueries = 0;
  const until = Date.now() + 2500;
  while (Date.now() < until) {
    const r = await env.db.raw<{ rows: { n: number }[] }>(
      `select count(*)::int as n from pg_stat_activity
        where application_name = 'navigator-dialpad' and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    blockedQueries = r.rows[0]!.n;
    if (blockedQueries >= 6) break;
    await sleep(50);
  }
  const at = Date.now();
  process.kill(pid, 'SIGKILL');
  env.note(`  Postgres backend ${pid} SIGKILLed with ${blockedQueries} product queries waiting mid-request`);
  void client.end().catch(() => undefined);
  // The postmaster ends every other backend, recovers, and accepts connections again.
  const deadline = Date.now() + 120_000;
  for (;;) {
    await sleep(250);
    try {
      await env.db.raw('select 1');
      break;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Postgres did not come back after the crash: ${String(err)}`, { cause: err });
    }
  }
  const backAt = Date.now();
  env.note(`  Postgres back after ${((backAt - at) / 1000).toFixed(1)} s (crash recovery)`);
  return { at, backAt, blockedQueries, killedPid: pid };
}

/**
 * Navigator records for two thirds of the known contacts the burst will call (its conversations
 * are generated from the seed ahead of the emission, exactly as the emitter will), one customer per
 * number, in the account of the conversation's office. Returns account → E.164 → customer id
 * (numbers held by one record only).
 */
async function setUpRecords(
  env: ReliabilityEnv,
  seed: string,
  calls: number,
): Promise<Map<string, Map<string, string>>> {
  const sim = env.sim.state;
  const preview = generateConversations(
    {
      company: {
        ...sim.company,
        contacts: [...sim.contacts.all()],
        contactsCreatedWithUid: sim.contacts.createdWithUid(),
      },
      seed,
      aiOfficeIds: new Set(sim.aiOffices),
      placeAt: () => 0,
    },
    calls,
  );
  const rows: { account_id: string; name: string; phone: string }[] = [];
  const seen = new Set<string>();
  preview.forEach((c, i) => {
    const accountId = env.accounts.get(c.expected.officeId);
    const phone = c.expected.externalNumber;
    if (!accountId || !c.expected.knownContact || c.expected.isInternal || i % 3 === 2) return;
    if (seen.has(`${accountId} ${phone}`)) return;
    seen.add(`${accountId} ${phone}`);
    rows.push({ account_id: accountId, name: `Reliability customer ${rows.length + 1}`, phone });
  });
  if (rows.length) await env.db('customers').insert(rows);
  for (let n = 0; n < 100; n++) {
    const r = await normalizePendingPhoneNumbers(env.db, { limit: 5000 });
    if (r.processed === 0) break;
  }
  const numbers: { account_id: string; e164: string; entity_id: string }[] = await env
    .db('record_phone_numbers')
    .whereIn('account_id', [...env.accounts.values()])
    .andWhere({ normalization_status: 'ok', entity_type: 'customer' })
    .select('account_id', 'e164', 'entity_id');
  const counts = new Map<string, number>();
  for (const n of numbers) counts.set(`${n.account_id} ${n.e164}`, (counts.get(`${n.account_id} ${n.e164}`) ?? 0) + 1);
  const out = new Map<string, Map<string, string>>();
  for (const n of numbers) {
    if (counts.get(`${n.account_id} ${n.e164}`) !== 1) continue;
    const m = out.get(n.account_id) ?? new Map<string, string>();
    m.set(n.e164, n.entity_id);
    out.set(n.account_id, m);
  }
  env.note(`  ${rows.length} customers set up for numbers the burst will call`);
  return out;
}

/** The record each conversation must end up linked to: the customer holding its number, if any. */
function expectedLinks(
  conversations: readonly Conversation[],
  accounts: ReadonlyMap<string, string>,
  records: Map<string, Map<string, string>>,
): Map<string, { type: string; id: string } | null> {
  const out = new Map<string, { type: string; id: string } | null>();
  for (const c of conversations) {
    const accountId = accounts.get(c.expected.officeId);
    const id = c.expected.isInternal || !accountId ? undefined : records.get(accountId)?.get(c.expected.externalNumber);
    out.set(c.expected.key, id ? { type: 'customer', id } : null);
  }
  return out;
}

async function dropConstraint(env: ReliabilityEnv): Promise<void> {
  await env.db.raw(`alter table dialpad_call_legs drop constraint if exists ${CONSTRAINT}`);
}

export const dbErrorsScenario: Scenario = {
  name: 'db-errors',
  title:
    'a CHECK refusing legs and Postgres killed mid-request: no value in logs, Temporal failures or apply_error; refused events replayed, 0 lost',
  run: async (env: ReliabilityEnv) => {
    const o = env.options;
    const since = Date.now() - 1000;
    const failures: string[] = [];
    const seed = 'reliability-db-errors';
    const records = await setUpRecords(env, seed, o.burstCalls);
    await env.db.raw(`alter table dialpad_call_legs add constraint ${CONSTRAINT} check (not (${REFUSED})) not valid`);
    env.note(`  CHECK ${CONSTRAINT} refuses legs where ${REFUSED}`);

    let crash: Crash | undefined;
    const beforeReplay = {
      refusedLegs: 0,
      refusedEvents: 0,
      deadLetters: 0,
      applyErrors: {} as Record<string, number>,
      waitedSeconds: 0,
    };
    let replay: ReplayResult | undefined;
    let outcome: BurstOutcome;
    try {
      outcome = await burst(
        env,
        { calls: o.burstCalls, rate: o.burstRate, seed, duplicates: o.burstDuplicates },
        async (started): Promise<Window[]> => {
          await sleep(o.dbCrashAtS * 1000 - (Date.now() - started));
          crash = await crashPostgresMidRequest(env);
          return [{ label: 'Postgres crashed and recovering', from: crash.at, to: crash.backAt }];
        },
        {
          expectations: (emission) =>
            expectationsOf(
              emission.result.conversations,
              env.accounts,
              expectedLinks(emission.result.conversations, env.accounts, records),
            ),
          beforeSettle: async (emission) => {
            // Which legs the CHECK refuses, and so which events must have become dead letters.
            const legIds = emission.result.conversations.flatMap((c) => c.expected.legCallIds);
            const refused = new Set(
              (
                await env.db.raw<{ rows: { id: string }[] }>(
                  `select call_id as id from unnest(?::text[]) as call_id where ${REFUSED}`,
                  [legIds],
                )
              ).rows.map((r) => r.id),
            );
            const refusedEvents = new Set(
              emission.result.conversations.flatMap((c) =>
                c.events
                  .filter((e) => refused.has(e.callId) && ACTED_ON_STATES.has(e.state))
                  .map((e) => `${e.callId}:${e.state}:${e.eventTimestamp}`),
              ),
            );
            beforeReplay.refusedLegs = refused.size;
            beforeReplay.refusedEvents = refusedEvents.size;
            env.note(
              `  ${refused.size} of ${legIds.length} legs refused: waiting for their ${refusedEvents.size} events to be dead letters`,
            );
            const t0 = Date.now();
            const deadline = t0 + o.settleTimeoutS * 1000;
            let dead: { dedupe_key: string; apply_error: string | null }[] = [];
            while (Date.now() < deadline) {
              dead = await env
                .db('dialpad_webhook_deliveries')
                .whereIn('call_id', [...refused])
                .andWhere({ signal_status: 'dead_letter' })
                .select('dedupe_key', 'apply_error');
              if (dead.length >= refusedEvents.size) break;
              await sleep(2000);
            }
            beforeReplay.waitedSeconds = Math.round((Date.now() - t0) / 1000);
            beforeReplay.deadLetters = dead.length;
            for (const d of dead) {
              // What kind of error, never the text (it is scanned below).
              const kind = /^SQLSTATE \w{5}(?: \([^)]*\))?/.exec(d.apply_error ?? '')?.[0] ?? 'not a SQLSTATE summary';
              beforeReplay.applyErrors[kind] = (beforeReplay.applyErrors[kind] ?? 0) + 1;
            }
            env.note(
              `  ${dead.length} dead letters after ${beforeReplay.waitedSeconds} s: ${JSON.stringify(beforeReplay.applyErrors)}`,
            );
            if (dead.length < refusedEvents.size)
              failures.push(
                `only ${dead.length} of the ${refusedEvents.size} refused events became dead letters within ${o.settleTimeoutS} s`,
              );
            // The cause is fixed: drop the CHECK, replay the dead letters, let the relay deliver.
            await dropConstraint(env);
            replay = await replayDeliveries(
              env.db,
              { deadLetters: true },
              { actor: 'reliability', sourceAddress: null },
            );
            env.note(`  replay --dead-letters: ${replay.requeued} requeued (${replay.deadLetters} dead letters)`);
          },
        },
      );
    } finally {
      await dropConstraint(env).catch(() => undefined);
    }

    failures.push(...comparisonFailures(outcome.comparison));
    // A request held by the runner's lock and then cut off may run out of Dialpad's 5 s and answer
    // 503 (Dialpad retries it): only during the crash. Any other 5xx, and anything given up, fails.
    noFailuresOnTheWire(outcome, failures, true);
    const stray5xx = outcome.emission.attempts.filter(
      (a) => a.status !== null && a.status >= 500 && (!crash || a.at < crash.at - 3000 || a.at >= crash.backAt),
    ).length;
    if (stray5xx) failures.push(`${stray5xx} answers were 5xx outside the crash`);
    if (!crash || crash.blockedQueries === 0)
      failures.push('no product query was waiting when Postgres went away: not mid-request');
    if (beforeReplay.refusedEvents === 0) failures.push('the CHECK refused no event: nothing was dead-lettered');
    const notSummarised = beforeReplay.applyErrors['not a SQLSTATE summary'] ?? 0;
    if (notSummarised) failures.push(`${notSummarised} apply_error(s) are not a SQLSTATE summary`);
    if (!Object.keys(beforeReplay.applyErrors).some((k) => k.startsWith('SQLSTATE 23514')))
      failures.push('no dead letter names SQLSTATE 23514 (the CHECK violation)');
    if (outcome.expected.every((e) => !e.link))
      failures.push('no conversation was expected to link to a record: the records were not set up');
    if (replay && replay.deadLetters < beforeReplay.deadLetters)
      failures.push(`replay took ${replay.deadLetters} dead letters of ${beforeReplay.deadLetters}`);

    // The scans: every value the emitter sent, everywhere an error message can end up.
    const input = scanInputOf(env);
    const scanner = new LogScanner(input);
    const files = allLogFiles(env.logsDir).filter((f) => f !== 'postgres.log');
    for (const f of files) await scanner.scanFile(join(env.logsDir, f), f);
    const logLines = scanner.lines;
    let temporal: TemporalScan | undefined;
    try {
      temporal = await scanTemporalFailures(env.temporalClient, since, scanner);
    } catch (err) {
      failures.push(`could not read Temporal's histories: ${(err as Error).message.split('\n')[0]}`);
    }
    const legIds = outcome.expected.flatMap((e) => e.conversation.legCallIds);
    let errorColumns = 0;
    for (let i = 0; i < legIds.length; i += 2000) {
      const rows: { id: number; apply_error: string | null; last_signal_error: string | null }[] = await env
        .db('dialpad_webhook_deliveries')
        .whereIn('call_id', legIds.slice(i, i + 2000))
        .andWhere((q) => q.whereNotNull('apply_error').orWhereNotNull('last_signal_error'))
        .select('id', 'apply_error', 'last_signal_error');
      for (const r of rows) {
        errorColumns++;
        scanner.scanText(`dialpad_webhook_deliveries ${r.id}`, 'error columns', {
          apply_error: r.apply_error ?? '',
          last_signal_error: r.last_signal_error ?? '',
        });
      }
    }
    // Postgres's own server log: reported, not held against the product (DETAIL is Postgres's).
    const pgScanner = new LogScanner(input);
    if (files.length !== allLogFiles(env.logsDir).length)
      await pgScanner.scanFile(join(env.logsDir, 'postgres.log'), 'postgres.log');

    // Evidence that queries were cut off mid-request (the path where a compiled query would leak).
    let cutOff = 0;
    for (const f of files.filter((x) => /^(ingress|worker)/.test(x)))
      cutOff += (readFileSync(join(env.logsDir, f), 'utf8').match(/Connection terminated unexpectedly/g) ?? []).length;
    if (cutOff === 0) failures.push('no product log shows a query cut off mid-request (Connection terminated)');
    if (!files.some((f) => f.startsWith('ingress')) || !files.some((f) => f.startsWith('worker')))
      failures.push(`expected ingress and worker logs, found: ${files.join(', ') || 'none'}`);
    if (temporal && temporal.failures === 0)
      failures.push('no failure recorded in Temporal: the call runs did not see the database errors');
    if (errorColumns === 0) failures.push('no apply_error recorded: nothing to scan');
    const grouped = new Map<string, Finding[]>();
    for (const f of scanner.findings) {
      const source = /^temporal history/.test(f.file)
        ? 'Temporal history'
        : /^dialpad_webhook_deliveries/.test(f.file)
          ? 'dialpad_webhook_deliveries'
          : f.file.replace(/-\d+\.log$/, '');
      const key = `${f.what} in ${source} (${f.level})`;
      grouped.set(key, [...(grouped.get(key) ?? []), f]);
    }
    for (const [what, list] of grouped) {
      failures.push(`${list.length} × ${what}`);
      failures.push(
        ...[...new Map(list.map((f) => [f.where, f])).values()]
          .slice(0, 3)
          .map((f) => `  e.g. ${f.file}${f.line ? `:${f.line}` : ''} (${f.where})`),
      );
    }

    return callResult('db-errors', dbErrorsScenario.title, outcome, failures, {
      crash: crash
        ? {
            answers5xx: outcome.emission.attempts.filter((a) => a.status !== null && a.status >= 500).length,
            blockedQueries: crash.blockedQueries,
            recoverySeconds: +((crash.backAt - crash.at) / 1000).toFixed(1),
            killedBackendPid: crash.killedPid,
          }
        : null,
      constraint: { name: CONSTRAINT, refuses: REFUSED, ...beforeReplay },
      replay: replay
        ? {
            selected: replay.selected,
            requeued: replay.requeued,
            deadLetters: replay.deadLetters,
            reparsed: replay.reparsed,
          }
        : null,
      linkedRecordsExpected: outcome.expected.filter((e) => e.link).length,
      scanned: {
        logFiles: files,
        logLines,
        temporal,
        deliveryErrorColumns: errorColumns,
        queriesCutOffInLogs: cutOff,
        lookedFor: {
          phoneNumbers: input.phoneNumbers.size,
          sentences: input.sentences.size,
          contactNames: input.names?.size ?? 0,
          secrets: Object.keys(input.secrets).length,
        },
        findings: scanner.findings.length,
      },
      postgresServerLog: {
        lines: pgScanner.lines,
        findings: pgScanner.findings.length,
        what: [...new Set(pgScanner.findings.map((f) => f.what))],
      },
    });
  },
};
