import { createHash } from 'node:crypto';
import { normalizePendingPhoneNumbers } from '../../../src/phone/pending';
import { generateConversations } from '../../simulator';
import type { BenchStack } from './stack';

/**
 * Navigator records for a share of the callers of an e2e phase, so that their calls link.
 *
 * The emitter draws a conversation's numbers from the calls' seed, the simulator's company and the
 * conversation's index alone (placing it in time does not change them), so generating the phase's
 * conversations here with the same seed gives the external numbers before a webhook is sent. A
 * share of the distinct external numbers of external (not internal) conversations, chosen by a hash
 * of the number, gets a record in the account of the conversation's office: customers, contacts and
 * suppliers in turn, inserted as Navigator writes them (the mirror trigger puts the number in
 * `record_phone_numbers` as 'pending'), then normalised with the product's own pass, as matching
 * would before its first lookup.
 *
 * Returns the keys (`<officeId> <e164>`) of every number the phase's accounts hold once seeded, by
 * this phase or any earlier one (a caller seen before, or imported by the sync benchmark).
 */
export async function seedKnownCallers(
  stack: BenchStack,
  opts: { seed: string; calls: number; share: number },
): Promise<Set<string>> {
  const convs = generateConversations(
    {
      company: stack.sim.state.company,
      seed: opts.seed,
      aiOfficeIds: new Set<string>(),
      placeAt: () => 0,
    },
    opts.calls,
  );
  const accounts = new Map<string, string>(
    (await stack.db('accounts').whereNotNull('dialpad_office_id').select('id', 'dialpad_office_id')).map(
      (a: { id: string; dialpad_office_id: string }) => [a.dialpad_office_id, String(a.id)],
    ),
  );
  const wanted = new Map<string, { accountId: string; e164: string }>();
  for (const c of convs) {
    const e = c.expected;
    if (e.isInternal || !e.externalNumber) continue;
    const accountId = accounts.get(e.officeId);
    if (!accountId) continue;
    const key = `${accountId} ${e.externalNumber}`;
    if (shareOf(e.externalNumber) < opts.share) wanted.set(key, { accountId, e164: e.externalNumber });
  }
  let i = 0;
  for (const { accountId, e164 } of wanted.values()) {
    const held = await stack.db('record_phone_numbers').where({ account_id: accountId, e164 }).first('id');
    if (held) continue;
    const name = `Bench caller ${e164}`;
    const kind = i++ % 3;
    if (kind === 0) await stack.db('customers').insert({ account_id: accountId, name, phone: e164 });
    else if (kind === 1) {
      await stack.db('contacts').insert({ account_id: accountId, first_name: 'Bench', last_name: e164, phone: e164 });
    } else await stack.db('suppliers').insert({ account_id: accountId, name, phone: e164 });
  }
  await normalizePendingPhoneNumbers(stack.db, { limit: 1_000_000 });

  const numbers = [...new Set(convs.map((c) => c.expected.externalNumber).filter(Boolean))];
  const held: { dialpad_office_id: string; e164: string }[] = await stack
    .db('record_phone_numbers as r')
    .join('accounts as a', 'a.id', 'r.account_id')
    .whereIn('r.e164', numbers)
    .where('r.normalization_status', 'ok')
    .select('a.dialpad_office_id', 'r.e164');
  return new Set(held.map((h) => `${h.dialpad_office_id} ${h.e164}`));
}

/** A number's place in [0, 1), stable across runs. */
function shareOf(e164: string): number {
  return createHash('sha256').update(e164).digest().readUInt32BE(0) / 2 ** 32;
}
