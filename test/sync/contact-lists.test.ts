import { runContactSync, dialpadApi, lastSeq, requests, startSyncStack, type SyncStack } from './support';

/**
 * Dialpad's PATCH /contacts/{id} replaces the lists it is given (API-NOTES §0). Navigator keeps one
 * email per contact, so a push that sent only Navigator's lists would erase the secondary numbers
 * and emails people add in Dialpad. The push sends full lists: Navigator's first (its primary stays
 * primary), then what only Dialpad has.
 */
describe('contact push keeps what only Dialpad has', () => {
  let s: SyncStack;

  beforeAll(async () => {
    s = await startSyncStack({
      sim: { seed: 'contact-lists', size: { offices: 1, departments: 1, callCenters: 1, users: 6, contacts: 10 } },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const simContact = async (id: string) =>
    (
      (await (await fetch(`${s.sim.url}/_sim/contacts?id=${encodeURIComponent(id)}`)).json()) as {
        items: { phones: string[]; emails: string[]; first_name: string; last_name: string }[];
      }
    ).items[0]!;

  it('a contact with a second phone and email in Dialpad keeps them after a push', async () => {
    const [row] = await s.tdb
      .db('contacts')
      .insert({
        account_id: s.accountId,
        first_name: 'Dana',
        last_name: 'Whitfield',
        phone: '+14155550142',
        email: 'dana@lumen.example',
      })
      .returning('id');
    const contactId = (row as { id: string }).id;
    const first = await runContactSync(s);
    expect(first.push).toMatchObject({ created: 1, failed: 0 });
    const dialpadId = (await s.tdb.db('contacts').where({ id: contactId }).first()).dialpad_contact_id as string;
    expect(dialpadId).toMatch(new RegExp(`^\\d+_uid_${contactId}$`));

    // Someone adds a second number and a second email in Dialpad…
    await dialpadApi(s, 'PATCH', `/api/v2/contacts/${encodeURIComponent(dialpadId)}`, {
      phones: ['+14155550142', '+442079460958'],
      emails: ['dana@lumen.example', 'dana.whitfield@home.example'],
    });
    // …and, before the next sync, someone renames the contact in Navigator.
    await s.tdb.db('contacts').where({ id: contactId }).update({ last_name: 'Whitfield-Ng' });

    const since = lastSeq(s);
    const run = await runContactSync(s);
    expect(run.push).toMatchObject({ updated: 1, failed: 0 });
    // (A PATCH refused with a 429 by the simulator's company limit is retried: count the answered.)
    const patches = requests(s, { since, method: 'PATCH' }).filter((r) => r.status === 200);
    expect(patches).toHaveLength(1);
    // Full lists went out, Navigator's primary first.
    expect(patches[0]!.body).toMatchObject({
      last_name: 'Whitfield-Ng',
      phones: ['+14155550142', '+442079460958'],
      emails: ['dana@lumen.example', 'dana.whitfield@home.example'],
    });
    expect(await simContact(dialpadId)).toMatchObject({
      first_name: 'Dana',
      last_name: 'Whitfield-Ng',
      phones: ['+14155550142', '+442079460958'],
      emails: ['dana@lumen.example', 'dana.whitfield@home.example'],
    });

    // Navigator's primary changes: it becomes Dialpad's primary, the old one stays behind it.
    await s.tdb.db('contacts').where({ id: contactId }).update({ email: 'dana@newjob.example' });
    const again = await runContactSync(s);
    expect(again.push).toMatchObject({ updated: 1, failed: 0 });
    expect((await simContact(dialpadId)).emails).toEqual([
      'dana@newjob.example',
      'dana@lumen.example',
      'dana.whitfield@home.example',
    ]);
    // And nothing echoes back.
    const quiet = await runContactSync(s);
    expect(quiet.push).toMatchObject({ created: 0, updated: 0 });
    expect(quiet.import?.counts).toMatchObject({ updated: 0, conflicts: 0 });
  });
});
