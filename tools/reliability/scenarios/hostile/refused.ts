import type { Knex } from 'knex';
import type { Sent } from './send';

/**
 * Verified bodies refused with 400: each kept exactly once, with its claims or its text, and
 * nothing else (an unverified body is never kept). Matched by body size, as a multiset.
 */
export async function checkRefused(db: Knex, sent: readonly Sent[], maxRefusedIdBefore: number) {
  const kept = sent.filter((s) => s.verified && s.status === 400);
  const refusedRows: {
    id: number;
    body_bytes: number;
    has_claims: boolean;
    has_text: boolean;
    verified_with: string;
  }[] = await db('dialpad_webhook_refused_events')
    .where('id', '>', maxRefusedIdBefore)
    .select(
      'id',
      'body_bytes',
      'verified_with',
      db.raw('claims is not null as has_claims'),
      db.raw('payload_text is not null as has_text'),
    );
  const sizes = new Map<number, number>();
  for (const s of kept) sizes.set(s.bodyLength, (sizes.get(s.bodyLength) ?? 0) + 1);
  for (const r of refusedRows) sizes.set(r.body_bytes, (sizes.get(r.body_bytes) ?? 0) - 1);
  const refusedNotKept = [...sizes.values()].filter((d) => d > 0).reduce((a, d) => a + d, 0);
  const refusedKeptExtra = [...sizes.values()].filter((d) => d < 0).reduce((a, d) => a - d, 0);
  const refusedEmpty = refusedRows.filter((r) => !r.has_claims && !r.has_text).length;
  const refusedNotCurrent = refusedRows.filter((r) => r.verified_with !== 'current').length;
  return { kept, refusedRows, refusedNotKept, refusedKeptExtra, refusedEmpty, refusedNotCurrent };
}
