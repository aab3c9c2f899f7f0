import type { SimContact } from '../../tools/simulator/company';
import { IMPORT_READ_AHEAD } from '../../src/sync/contact-import';
import { officeContacts, pageKey, requests, runContactSync, startSyncStack, type SyncStack } from './support';

/**
 * A first contact sync at the size the issue names, 2,000 Dialpad users and 50,000 contacts, through
 * the production client (Dialpad's real limits, shared through Postgres) against a simulator that
 * enforces the same limits and would answer 429 to any request over them. About 1,100 requests:
 * a minute at 20 requests/s, more on a loaded machine. A second run and echoes are checked on a
 * smaller company in contacts.test.ts (a pass re-reads everything, so it costs the same minute).
 */
describe('contact import at scale', () => {
  let s: SyncStack;
  let seeded: { id: string; dialpadId: string; by: 'phone' | 'email' }[];
  let loners: string[];
  let expected: SimContact[];

  beforeAll(async () => {
    s = await startSyncStack({ sim: { seed: 'contacts-scale', size: { offices: 3, users: 2000, contacts: 50_000 } } });
    expected = officeContacts(s);
    // Navigator already knows some of these people: by phone (typed the way people type) or by email.
    const picks = expected.filter((_, i) => i % 250 === 7);
    seeded = [];
    for (const [i, c] of picks.entries()) {
      const byPhone = i % 2 === 0 && c.phones.length > 0;
      if (!byPhone && c.emails.length === 0) continue;
      const [row] = await s.tdb
        .db('contacts')
        .insert({
          account_id: s.accountId,
          first_name: c.firstName,
          last_name: `${c.lastName} (Navigator)`,
          email: byPhone ? null : c.emails[0]!.toUpperCase(),
          phone: byPhone ? nationalOrInternational(c.phones[0]!) : null,
        })
        .returning('id');
      seeded.push({ id: (row as { id: string }).id, dialpadId: c.id, by: byPhone ? 'phone' : 'email' });
    }
    loners = [];
    for (const n of [1, 2, 3]) {
      const [row] = await s.tdb
        .db('contacts')
        .insert({
          account_id: s.accountId,
          first_name: 'Only',
          last_name: `In Navigator ${n}`,
          phone: `+1415555010${n}`,
        })
        .returning('id');
      loners.push((row as { id: string }).id);
    }
  });

  afterAll(async () => {
    await s?.close();
  });

  it('imports every contact once, within the rate limits, and links the ones Navigator had', async () => {
    expect(expected.length).toBeGreaterThan(40_000);
    expect(seeded.filter((x) => x.by === 'phone').length).toBeGreaterThan(50);
    expect(seeded.filter((x) => x.by === 'email').length).toBeGreaterThan(50);

    const first = await runContactSync(s);
    expect(first.phase).toBe('done');
    expect(first.import?.counts).toMatchObject({ created: expected.length - seeded.length, linked: seeded.length });
    expect(first.push).toMatchObject({ created: loners.length, failed: 0, pendingCreates: 0, pendingUpdates: 0 });

    const db = s.tdb.db;
    const total = await db('contacts').where({ account_id: s.accountId }).count('* as n').first();
    expect(total).toEqual({ n: expected.length + loners.length });
    // Linked, not duplicated: the Navigator rows kept their ids and Navigator's own values.
    for (const x of seeded) {
      const row = await db('contacts').where({ id: x.id }).first();
      expect([x.by, row.dialpad_contact_id, row.last_name]).toEqual([
        x.by,
        x.dialpadId,
        expect.stringMatching(/\(Navigator\)$/),
      ]);
    }
    const twins = await db.raw(
      `select e164 from record_phone_numbers where account_id = ? and e164 is not null group by e164 having count(distinct entity_id) > 1`,
      [s.accountId],
    );
    expect(twins.rows).toEqual([]);
    const unread = await db('record_phone_numbers')
      .where({ account_id: s.accountId })
      .whereNot({ normalization_status: 'ok' })
      .count('* as n')
      .first();
    expect(unread).toEqual({ n: 0 });

    // Every request stayed within Dialpad's limits: the simulator never had to refuse one.
    const sent = requests(s, { since: 0 });
    expect(sent.filter((r) => r.outcome === 'rate_limited')).toEqual([]);
    const owners = s.sim.state.company.users.filter((u) => u.officeId === s.officeId).length;
    const sharedPages = Math.floor(expected.filter((c) => c.type === 'shared').length / 100) + 1;
    const listRequests = sent.filter((r) => r.method === 'GET' && r.path === '/api/v2/contacts');
    // One request per page. (A retried activity would re-read the few pages it had read ahead.)
    const distinct = new Set(listRequests.map(pageKey)).size;
    expect(listRequests.length - distinct).toBeLessThanOrEqual(IMPORT_READ_AHEAD + 2);
    expect(distinct).toBe(sharedPages + owners);
  }, 240_000);
});

/** US numbers as people in the US write them; others in E.164 (the account's region is US). */
function nationalOrInternational(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : e164;
}
