import { US_AREA_CODES } from '../../simulator/phones';
import type { Knex } from 'knex';
import type pg from 'pg';
import { normalizePhoneNumber } from '../../../src/phone/normalize';
import { findCandidates, matchCallToRecord } from '../../../src/matching';
import type { BenchStack } from '../lib/stack';
import { ratio } from '../lib/report';
import { distribution, log, round } from '../lib/util';
import type { BenchmarkOutput } from './types';

/**
 * Matching at scale: a million Navigator phone numbers across 20 accounts' customers, contacts and
 * suppliers, loaded with set-based SQL: each record's `phone` mirrored into `record_phone_numbers`
 * (by the mirror trigger for a share of them, written directly for the rest), with its E.164
 * reading written in bulk, the one the normaliser gives, which a sample checks. Then, for calls
 * with random numbers (70 % known to the account), one at a time and interleaved: the baseline
 * (the bare indexed equality SELECT on record_phone_numbers (account_id, e164)), the matching
 * code's lookup (findCandidates: the figure) and the whole matchCallToRecord (for context).
 */
export interface MatchOptions {
  rows: number;
  lookups: number;
}

const US_AREAS = US_AREA_CODES;

/** Loads `rows` phone numbers (see above); returns how many have an E.164 reading and how long it took. */
export async function loadMatchData(
  db: Knex,
  opts: Pick<MatchOptions, 'rows'>,
): Promise<{ rows: number; loadSeconds: number }> {
  const t0 = performance.now();
  // 20 accounts: the stack's own and more, a fifth of them reading national numbers as British.
  const existing = Number((await db('accounts').count<{ count: string }[]>('* as count'))[0]!.count);
  const more = Math.max(0, 20 - existing);
  for (let i = 0; i < more; i++) {
    await db('accounts').insert({ name: `Bench match ${i}`, default_region: i % 4 === 0 ? 'GB' : 'US' });
  }
  const primaries = Math.round(opts.rows * 0.9);
  const extras = opts.rows - primaries;
  const customers = Math.round(primaries * 0.3);
  const contacts = Math.round(primaries * 0.55);

  log(`match: generating ${opts.rows.toLocaleString('en')} phone numbers`);
  await db.raw('drop table if exists bench_gen');
  await db.raw(`
    create unlogged table bench_gen as
    with accts as (select id, default_region, (row_number() over (order by id)) - 1 as idx from accounts),
    nums as (
      select g,
             (g % (select count(*) from accts)) as idx,
             (array[${US_AREAS.map((a) => `'${a}'`).join(',')}])[1 + floor(random() * ${US_AREAS.length})::int] as npa,
             lpad((200 + floor(random() * 800))::int::text, 3, '0') as nxx,
             lpad(floor(random() * 10000)::int::text, 4, '0') as line,
             (array['3','7'])[1 + floor(random() * 2)::int] || lpad(floor(random() * 1000)::int::text, 3, '0') as ldn_a,
             lpad(floor(random() * 10000)::int::text, 4, '0') as ldn_b
        from generate_series(1, ${primaries}) g
    )
    select gen_random_uuid() as id,
           case when g <= ${customers} then 'customer' when g <= ${customers + contacts} then 'contact' else 'supplier' end as kind,
           a.id as account_id,
           case when a.default_region = 'GB' then
             case g % 3 when 0 then '020 ' || ldn_a || ' ' || ldn_b
                        when 1 then '+44 20 ' || ldn_a || ' ' || ldn_b
                        else '(020) ' || ldn_a || '-' || ldn_b end
           else
             case g % 4 when 0 then '(' || npa || ') ' || nxx || '-' || line
                        when 1 then npa || '-' || nxx || '-' || line
                        when 2 then '+1 ' || npa || ' ' || nxx || ' ' || line
                        else npa || '.' || nxx || '.' || line end
           end as raw,
           case when a.default_region = 'GB' then '+4420' || ldn_a || ldn_b
                else '+1' || npa || nxx || line end as e164,
           g
      from nums n join accts a on a.idx = n.idx
  `);
  // x11 exchanges are service codes, not numbers.
  await db.raw(`delete from bench_gen where e164 ~ '^\\+1\\d{3}\\d11'`);

  // One record in 50 goes through the mirror trigger, as Navigator's own writes do (a 'pending'
  // row, then its reading written in bulk, as the normaliser would). The rest is loaded with
  // triggers off and its mirror rows written directly in that final state: the same rows, in a
  // fraction of the time.
  log('match: inserting customers, contacts and suppliers');
  const insertRecords = async (q: Knex | Knex.Transaction, where: string) => {
    await q.raw(`insert into customers (id, account_id, name, phone)
                 select id, account_id, 'Customer ' || g, raw from bench_gen where kind = 'customer' and ${where}`);
    await q.raw(`insert into contacts (id, account_id, first_name, last_name, phone)
                 select id, account_id, 'Contact', '#' || g, raw from bench_gen where kind = 'contact' and ${where}`);
    await q.raw(`insert into suppliers (id, account_id, name, phone)
                 select id, account_id, 'Supplier ' || g, raw from bench_gen where kind = 'supplier' and ${where}`);
  };
  await db.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await insertRecords(trx, 'g % 50 <> 0');
    await trx.raw(`insert into record_phone_numbers (account_id, entity_type, entity_id, is_primary, raw, e164, normalization_status, normalized_at)
                   select account_id, kind, id, true, raw, e164, 'ok', now() from bench_gen where g % 50 <> 0`);
  });
  await insertRecords(db, 'g % 50 = 0');
  await db.raw(`update record_phone_numbers r
                   set e164 = g.e164, normalization_status = 'ok', normalized_at = now()
                  from bench_gen g
                 where r.entity_id = g.id and r.is_primary and r.normalization_status = 'pending'`);
  // Additional numbers: a second line on some records (plain rows, is_primary = false).
  await db.raw(`
    insert into record_phone_numbers (account_id, entity_type, entity_id, is_primary, label, raw, e164, normalization_status, normalized_at)
    select account_id, kind, id, false, 'mobile', raw2, e164_2, 'ok', now() from (
      select g.account_id, g.kind, g.id,
             case when a.default_region = 'GB' then '07' || x || ' ' || y else '(' || npa || ') ' || nxx || '-' || y end as raw2,
             case when a.default_region = 'GB' then '+447' || x || y else '+1' || npa || nxx || y end as e164_2
        from (select *, (array[${US_AREAS.map((a) => `'${a}'`).join(',')}])[1 + floor(random() * ${US_AREAS.length})::int] as npa,
                     (200 + floor(random() * 799))::int::text as nxx,
                     (array['400','700','800','900'])[1 + floor(random() * 4)::int] || lpad(floor(random() * 100)::int::text, 2, '0') as x,
                     lpad(floor(random() * 10000)::int::text, 4, '0') as y
                from bench_gen order by random() limit ${extras}) g
        join accounts a on a.id = g.account_id
    ) s where e164_2 !~ '^\\+1\\d{3}\\d11'`);
  await db.raw('vacuum analyze record_phone_numbers');
  await db.raw('analyze customers');
  await db.raw('analyze contacts');
  await db.raw('analyze suppliers');
  const rows = Number(
    (await db('record_phone_numbers').whereNotNull('e164').count<{ count: string }[]>('* as count'))[0]!.count,
  );
  const mirrored = await db.raw<{ rows: { records: string; primaries: string }[] }>(
    `select (select count(*) from customers) + (select count(*) from contacts) + (select count(*) from suppliers) as records,
            (select count(*) from record_phone_numbers where is_primary) as primaries`,
  );
  const m = mirrored.rows[0]!;
  if (Number(m.records) !== Number(m.primaries)) log(`match: ${m.records} records but ${m.primaries} primary numbers`);
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`match: ${rows.toLocaleString('en')} numbers loaded in ${loadSeconds.toFixed(0)} s`);
  await db.raw('drop table if exists bench_gen');
  return { rows, loadSeconds };
}

/** The baseline: the bare indexed equality SELECT of the rows holding a number. */
const BARE_SELECT = 'select entity_type, entity_id from record_phone_numbers where account_id = $1 and e164 = $2';

/**
 * A named prepared statement on one of knex's connections, as findCandidates runs its lookup: the
 * baseline is measured the same way (planned once per connection, no query builder), so the ratio
 * compares the SQL and the code around it, not two ways of sending a query. The same SELECT sent
 * through knex.raw (planned each time) is reported beside it.
 */
async function prepared(db: Knex, name: string, text: string, values: unknown[]): Promise<unknown[]> {
  const client = db.client as {
    acquireConnection(): Promise<pg.ClientBase>;
    releaseConnection(connection: pg.ClientBase): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name, text, values })).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Calls to match: 70 % from a number the account holds, 30 % from one it does not. */
export async function makeCalls(
  db: Knex,
  count: number,
): Promise<{ id: string; account_id: string; external_number: string }[]> {
  await db.raw(`
    insert into calls (account_id, source, dialpad_call_id, direction, status, external_number, started_at, ended_at, duration_seconds)
    select account_id, 'dialpad', (9100000000000000 + row_number() over ())::text, 'inbound', 'answered',
           case when random() < 0.7 then e164 else '+1' || substr(e164, 3, 3) || '9' || lpad(floor(random() * 1000000)::int::text, 6, '0') end,
           now() - interval '1 hour', now() - interval '55 minutes', 300
      from (select r.account_id, r.e164 from record_phone_numbers r tablesample system (1)
             where r.e164 is not null limit ${count}) s`);
  const calls = await db.raw<{ rows: { id: string; account_id: string; external_number: string }[] }>(
    `select id, account_id, external_number from calls where dialpad_call_id like '91%' order by random()`,
  );
  await db.raw('analyze calls');

  return calls.rows;
}

export async function benchMatch(stack: BenchStack, opts: MatchOptions): Promise<BenchmarkOutput> {
  const db = stack.db;
  const { rows, loadSeconds } = await loadMatchData(db, opts);

  // The bulk readings are the normaliser's: check a sample with the real one.
  const sample = await db.raw<{ rows: { raw: string; e164: string; default_region: string }[] }>(
    `select r.raw, r.e164, a.default_region from record_phone_numbers r join accounts a on a.id = r.account_id
      where r.e164 is not null order by random() limit 2000`,
  );
  let agree = 0;
  const disagreements: string[] = [];
  for (const s of sample.rows) {
    const n = normalizePhoneNumber(s.raw, s.default_region);
    if (n.ok && n.e164 === s.e164) agree++;
    else if (disagreements.length < 5)
      disagreements.push(`${s.raw} (${s.default_region}) → ${n.ok ? n.e164 : n.reason}, SQL ${s.e164}`);
  }

  const calls = { rows: await makeCalls(db, opts.lookups + 400) };

  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const base: number[] = [];
  const baseKnex: number[] = [];
  const lookup: number[] = [];
  const match: number[] = [];
  const outcomes: Record<string, number> = {};
  const warmup = Math.min(200, Math.floor(calls.rows.length / 5));
  log(`match: ${calls.rows.length - warmup} lookups (after ${warmup} warm-up)`);
  for (const [i, c] of calls.rows.entries()) {
    const values = [c.account_id, c.external_number];
    const bare = () => time(() => prepared(db, 'bench_bare_select', BARE_SELECT, values));
    const bareKnex = () => time(() => db.raw(BARE_SELECT.replace(/\$\d/g, '?'), values));
    const find = () => time(() => findCandidates(db, c.account_id, c.external_number));
    // Taking turns at going first, so that none always finds another's pages in the cache.
    let b: number;
    let bk: number;
    let l: number;
    if (i % 2 === 0) {
      b = await bare();
      bk = await bareKnex();
      l = await find();
    } else {
      l = await find();
      bk = await bareKnex();
      b = await bare();
    }
    let outcome = '';
    const m = await time(async () => {
      outcome = (await matchCallToRecord(db, c.id)).outcome;
    });
    if (i < warmup) continue;
    base.push(b);
    baseKnex.push(bk);
    lookup.push(l);
    match.push(m);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }

  const bd = distribution(base);
  const bkd = distribution(baseKnex);
  const ld = distribution(lookup);
  const md = distribution(match);
  log(`  matchCallToRecord p99 ${md.p99.toFixed(2)} ms`);
  // The issue's figure is the lookup: the matching code finding the records that hold a number
  // (findCandidates: every customer, contact and supplier of the account with that E.164 number,
  // their names and the tie-break's fields, ranked), against the bare indexed SELECT of the same
  // rows. matchCallToRecord around it is a read-write transaction (lock the call, look up, write
  // the link, keep the history timeline, commit): reported beside it, with its own figures.
  log(`  findCandidates p99 ${ld.p99.toFixed(2)} ms; bare SELECT p99 ${bd.p99.toFixed(2)} ms`);
  return {
    keys: {
      match_rows: rows,
      match_p50_ms: round(ld.p50, 3),
      match_p99_ms: round(ld.p99, 3),
      match_baseline_p99_ms: round(bd.p99, 3),
      match_ratio: ratio(ld.p99, bd.p99, 2),
    },
    extra: {
      match_lookups: match.length,
      match_load_seconds: round(loadSeconds, 1),
      match_baseline_p50_ms: round(bd.p50, 3),
      match_baseline_knex_p50_ms: round(bkd.p50, 3),
      match_baseline_knex_p99_ms: round(bkd.p99, 3),
      match_ratio_p50: ratio(ld.p50, bd.p50, 2),
      match_call_p50_ms: round(md.p50, 3),
      match_call_p99_ms: round(md.p99, 3),
      match_call_ratio: ratio(md.p99, bd.p99, 2),
      match_normaliser_sample: sample.rows.length,
      match_normaliser_agree: agree,
      ...Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [`match_outcome_${k}`, v])),
    },
    distributions: {
      'findCandidates (the lookup)': lookup,
      'bare indexed SELECT (prepared)': base,
      'the same SELECT through knex.raw': baseKnex,
      matchCallToRecord: match,
    },
    notes: disagreements.map((d) => `normaliser disagrees: ${d}`),
  };
}
