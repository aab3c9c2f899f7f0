import type { Knex } from 'knex';
import { findCandidates, matchCallToRecord, rankCandidates, recordNameSql } from '../../../src/matching';
import type { EntityType } from '../../../src/matching';
import { loadMatchData, makeCalls } from '../benchmarks/match';
import { startBenchStack } from '../lib/stack';
import { distribution, log, round } from '../lib/util';

/**
 * `tsx tools/bench/experiments/match-variants.ts [rows] [lookups]`: where matchCallToRecord's time goes on
 * a million numbers, and what a single-scan findCandidates would give. Interleaves, per call: the
 * bare indexed SELECT, findCandidates as it is, the single-scan variant (checked to return the same
 * candidates), matchCallToRecord as it is, and matchCallToRecord without its pending-numbers pass.
 */
async function findCandidatesSingleScan(db: Knex, accountId: string, e164: string) {
  const { rows } = await db.raw<{
    rows: { type: EntityType; id: string; name: string; updated_at: Date; is_primary: boolean }[];
  }>(
    `with n as (
       select entity_type, entity_id, bool_or(is_primary) as is_primary
         from record_phone_numbers
        where account_id = ? and e164 = ? and normalization_status <> 'unreadable'
        group by entity_type, entity_id)
     select n.entity_type as type, n.entity_id as id, n.is_primary,
            coalesce(${recordNameSql('customer', 'cu')}, ${recordNameSql('contact', 'co')}, ${recordNameSql('supplier', 'su')}) as name,
            coalesce(cu.updated_at, co.updated_at, su.updated_at) as updated_at
       from n
       left join customers cu on n.entity_type = 'customer' and cu.id = n.entity_id and cu.account_id = ?
       left join contacts co on n.entity_type = 'contact' and co.id = n.entity_id and co.account_id = ?
       left join suppliers su on n.entity_type = 'supplier' and su.id = n.entity_id and su.account_id = ?
      where coalesce(cu.id, co.id, su.id) is not null`,
    [accountId, e164, accountId, accountId, accountId],
  );
  return rankCandidates(
    rows.map((r) => ({ type: r.type, id: r.id, name: r.name, isPrimary: r.is_primary, recordUpdatedAt: r.updated_at })),
  );
}

/** normalizeBatch's claim (src/phone/pending.ts), which ran before every match when nothing was pending. */
const CLAIM_BEFORE = `select r.id, r.raw, a.default_region
       from record_phone_numbers r
       join accounts a on a.id = r.account_id
      where r.normalization_status = 'pending'
      order by r.id
      limit ?
      for update of r skip locked`;

async function main(): Promise<void> {
  const rowsWanted = Number(process.argv[2] ?? 1_000_000);
  const lookups = Number(process.argv[3] ?? 2_000);
  const stack = await startBenchStack();
  try {
    const db = stack.db;
    await loadMatchData(db, { rows: rowsWanted });
    const calls = await makeCalls(db, lookups * 2 + 400);
    const t: Record<string, number[]> = {};
    const time = async (k: string, fn: () => Promise<unknown>, keep: boolean) => {
      const s = performance.now();
      await fn();
      if (keep) (t[k] ??= []).push(performance.now() - s);
    };
    let mismatches = 0;
    for (const [i, c] of calls.entries()) {
      const keep = i >= 200;
      await time(
        'bare SELECT',
        () =>
          db.raw('select entity_type, entity_id from record_phone_numbers where account_id = ? and e164 = ?', [
            c.account_id,
            c.external_number,
          ]),
        keep,
      );
      let a: unknown;
      let b: unknown;
      await time('findCandidates', async () => (a = await findCandidates(db, c.account_id, c.external_number)), keep);
      await time(
        'findCandidates single scan',
        async () => (b = await findCandidatesSingleScan(db, c.account_id, c.external_number)),
        keep,
      );
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches++;
      // Each call is matched once (the first match writes the link): a third of them each way.
      if (i % 3 === 0) await time('matchCallToRecord', () => matchCallToRecord(db, c.id), keep);
      else if (i % 3 === 1) {
        // As it was before the pending-numbers pass checked for work first: its claiming transaction.
        await time(
          'matchCallToRecord, pending pass as before',
          async () => {
            await db.transaction((trx) => trx.raw(CLAIM_BEFORE, [200]));
            await matchCallToRecord(db, c.id, { normalizePending: false });
          },
          keep,
        );
      } else
        await time(
          'matchCallToRecord, normalizePending: false',
          () => matchCallToRecord(db, c.id, { normalizePending: false }),
          keep,
        );
    }
    const base = distribution(t['bare SELECT']!);
    console.log(`\n${calls.length} calls; single-scan results differing from findCandidates: ${mismatches}`);
    console.log('query                                          p50 ms   p99 ms   p99 / bare SELECT p99');
    for (const [k, v] of Object.entries(t)) {
      const d = distribution(v);
      console.log(
        `${k.padEnd(45)}  ${String(round(d.p50, 3)).padEnd(7)}  ${String(round(d.p99, 3)).padEnd(7)}  ${round(d.p99 / base.p99, 2)}`,
      );
    }
    log('done');
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
