import { normalizePendingPhoneNumbers } from '../../src/phone/pending';
import type { SimContact } from '../../tools/simulator/company';
import { pushContacts } from '../../src/sync/contact-push';
import { contactSyncProgressQuery } from '../../workflows';
import {
  dialpadApi,
  lastSeq,
  officeContacts,
  pageKey,
  requests,
  runContactSync,
  startSyncStack,
  uniqueId,
  type SyncStack,
} from './support';

/**
 * Two-way contact sync through the real stack (simulator, Postgres, Temporal worker), on a small
 * company so each run takes a second or two. The tests share one account and run in order: each
 * starts from where the previous one left Navigator and Dialpad.
 */
describe('two-way contact sync', () => {
  let s: SyncStack;
  let dialpadContacts: SimContact[];
  let byPhone: SimContact;
  let byEmail: SimContact;
  /** Shared Dialpad contacts with a phone that no Navigator contact links to: imported as new. */
  let fromDialpad: SimContact[];
  const nav: Record<string, string> = {};

  beforeAll(async () => {
    s = await startSyncStack({
      sim: { seed: 'contact-sync', size: { offices: 2, departments: 2, callCenters: 1, users: 20, contacts: 400 } },
      // The 429 test would otherwise wait out Dialpad-sized backoffs.
      client: { retry: { rateLimitedBaseDelayMs: 50, maxDelayMs: 400 } },
    });
    dialpadContacts = officeContacts(s);
    const withPhone = dialpadContacts.filter((c) => c.type === 'shared' && c.phones.length > 0);
    byPhone = withPhone[0]!;
    byEmail = dialpadContacts.find((c) => c.emails.length > 0 && c !== byPhone)!;
    fromDialpad = withPhone.filter((c) => c !== byPhone && c !== byEmail);
  });

  afterAll(async () => {
    await s?.close();
  });

  const db = () => s.tdb.db;
  const contact = (id: string) => db()('contacts').where({ id }).first();
  async function addNavigatorContact(key: string, fields: Record<string, unknown>): Promise<string> {
    const [row] = await db()('contacts')
      .insert({ account_id: s.accountId, ...fields })
      .returning('id');
    nav[key] = (row as { id: string }).id;
    return nav[key];
  }
  const simByUid = async (uid: string) =>
    ((await (await fetch(`${s.sim.url}/_sim/contacts?uid=${uid}`)).json()) as { items: Record<string, unknown>[] })
      .items;
  const writes = (since: number) => requests(s, { since }).filter((r) => r.method !== 'GET');

  it('imports, links what Navigator had, pushes what only Navigator has; a second run changes nothing', async () => {
    await addNavigatorContact('byPhone', {
      first_name: 'Known',
      last_name: 'By Phone',
      phone: byPhone.phones[0]!.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '$1-$2-$3'),
    });
    await addNavigatorContact('byEmail', {
      first_name: null,
      last_name: 'By Email',
      email: ` ${byEmail.emails[0]!.toUpperCase()}`,
    });
    await addNavigatorContact('pushable', {
      first_name: 'Nova',
      last_name: 'Navigator',
      phone: '(415) 555-0123',
      email: 'nova@example.com',
    });
    await addNavigatorContact('noLastName', { first_name: 'Mononym', phone: '+14155550124' });
    await addNavigatorContact('badPhone', { first_name: 'Bad', last_name: 'Phone', phone: 'ask at reception' });

    const first = await runContactSync(s);
    expect(first).toMatchObject({
      phase: 'done',
      officeId: s.officeId,
      markedDeleted: 0,
      import: { counts: { created: dialpadContacts.length - 2, linked: 2, updated: 0, conflicts: 0 } },
      push: { created: 1, updated: 0, failed: 2, pendingCreates: 0, pendingUpdates: 0 },
    });

    // Linked, with Navigator's own values kept and its blanks filled from Dialpad.
    expect(await contact(nav.byPhone!)).toMatchObject({
      dialpad_contact_id: byPhone.id,
      dialpad_origin: 'navigator',
      last_name: 'By Phone',
    });
    expect(await contact(nav.byEmail!)).toMatchObject({
      dialpad_contact_id: byEmail.id,
      first_name: byEmail.firstName,
      last_name: 'By Email',
    });
    // Created in Dialpad once, under our uid, with its number in E.164.
    const pushed = await simByUid(nav.pushable!);
    expect(pushed).toEqual([
      expect.objectContaining({
        first_name: 'Nova',
        last_name: 'Navigator',
        phones: ['+14155550123'],
        emails: ['nova@example.com'],
        type: 'shared',
      }),
    ]);
    expect(await contact(nav.pushable!)).toMatchObject({
      dialpad_contact_id: pushed[0]!.id,
      dialpad_origin: 'navigator',
      dialpad_push_error: null,
    });
    // Cannot be pushed: the reason is on the contact.
    expect((await contact(nav.noLastName!)).dialpad_push_error).toMatch(/^missing_name: .*last name/);
    expect((await contact(nav.badPhone!)).dialpad_push_error).toMatch(/^phone_not_e164: "ask at reception"/);
    // A Dialpad contact became a Navigator contact with all its numbers, read.
    const imported = dialpadContacts.find((c) => c.phones.length === 2 && c !== byPhone && c !== byEmail)!;
    const row = await db()('contacts').where({ account_id: s.accountId, dialpad_contact_id: imported.id }).first();
    expect(row).toMatchObject({ first_name: imported.firstName, phone: imported.phones[0], dialpad_origin: 'dialpad' });
    const numbers = await db()('record_phone_numbers').where({ entity_id: row.id }).orderBy('is_primary', 'desc');
    expect(numbers.map((n) => [n.e164, n.normalization_status])).toEqual(imported.phones.map((p) => [p, 'ok']));

    const since = lastSeq(s);
    const second = await runContactSync(s);
    expect(second).toMatchObject({
      import: {
        counts: { created: 0, linked: 0, updated: 0, conflicts: 0, restored: 0, unchanged: dialpadContacts.length + 1 },
      },
      markedDeleted: 0,
      push: { created: 0, updated: 0, failed: 0 },
    });
    // Nothing echoed back, and the contacts that could not be pushed were not retried.
    expect(writes(since)).toEqual([]);
    const total = await db()('contacts').where({ account_id: s.accountId }).count('* as n').first();
    expect(total).toEqual({ n: dialpadContacts.length - 2 + 5 });
  });

  it('a contact created in Navigator is created in Dialpad exactly once, even when syncs race', async () => {
    const raced = await addNavigatorContact('raced', { first_name: 'Rae', last_name: 'Race', phone: '+14155550125' });
    const since = lastSeq(s);
    const runs = await Promise.all([runContactSync(s), runContactSync(s)]);
    expect(runs.map((r) => r.phase)).toEqual(['done', 'done']);
    expect(await simByUid(raced)).toHaveLength(1);
    expect(requests(s, { since, method: 'POST' })).toEqual([]);
    // And Navigator did not import its own contact back as a second one.
    const holders = await db()('record_phone_numbers').where({ account_id: s.accountId, e164: '+14155550125' });
    expect(holders.map((h) => h.entity_id)).toEqual([raced]);
    expect((await contact(raced)).dialpad_contact_id).toBe((await simByUid(raced))[0]!.id);

    // Two pushes of one contact at the same instant: both PUT the same uid, Dialpad keeps one.
    const twice = await addNavigatorContact('twice', { first_name: 'Tw', last_name: 'Ice', phone: '+14155550126' });
    await normalizePendingPhoneNumbers(db()); // what the workflow's first step does
    const results = await Promise.all([
      pushContacts({ db: db(), dialpad: s.dialpad }, { accountId: s.accountId, maxCreates: 10, maxUpdates: 0 }),
      pushContacts({ db: db(), dialpad: s.dialpad }, { accountId: s.accountId, maxCreates: 10, maxUpdates: 0 }),
    ]);
    expect(results.map((r) => r.counts.failed)).toEqual([0, 0]);
    expect(await simByUid(twice)).toHaveLength(1);
    expect((await contact(twice)).dialpad_contact_id).toBe((await simByUid(twice))[0]!.id);
  });

  it('an edit in Navigator reaches Dialpad once; an edit in Dialpad reaches Navigator and does not bounce back', async () => {
    const pushedId = (await contact(nav.pushable!)).dialpad_contact_id as string;
    await db()('contacts').where({ id: nav.pushable }).update({ last_name: 'Renamed', phone: '+1 415 555 0199' });
    let since = lastSeq(s);
    const afterNavigatorEdit = await runContactSync(s);
    expect(afterNavigatorEdit.push).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expect(writes(since).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/v2/contacts/${pushedId}`]);
    // PATCH replaces the lists it is given, so the push sends full lists: Navigator's number first
    // (now the primary), then the ones Dialpad has; the old number stays in Dialpad behind it.
    expect(await simByUid(nav.pushable!)).toEqual([
      expect.objectContaining({
        last_name: 'Renamed',
        phones: ['+14155550199', '+14155550123'],
        emails: ['nova@example.com'],
      }),
    ]);

    // Edited in Dialpad: a contact that came from Dialpad, and the one Navigator created.
    const editedInDialpad = fromDialpad[0]!;
    await dialpadApi(s, 'PATCH', `/api/v2/contacts/${editedInDialpad.id}`, {
      first_name: 'Edited',
      phones: ['+14155550177'],
    });
    await dialpadApi(s, 'PATCH', `/api/v2/contacts/${pushedId}`, { first_name: 'Novella' });
    since = lastSeq(s);
    const afterDialpadEdit = await runContactSync(s);
    expect(afterDialpadEdit.import?.counts).toMatchObject({ updated: 2, conflicts: 0, created: 0 });
    expect(afterDialpadEdit.push).toMatchObject({ created: 0, updated: 0 });
    expect(writes(since)).toEqual([]);
    const edited = await db()('contacts')
      .where({ account_id: s.accountId, dialpad_contact_id: editedInDialpad.id })
      .first();
    expect(edited).toMatchObject({ first_name: 'Edited', phone: '+14155550177' });
    const numbers = await db()('record_phone_numbers').where({ entity_id: edited.id });
    expect(numbers.map((n) => n.e164)).toEqual(['+14155550177']);
    expect(await contact(nav.pushable!)).toMatchObject({ first_name: 'Novella', last_name: 'Renamed' });

    // Nothing left to say in either direction.
    since = lastSeq(s);
    const quiet = await runContactSync(s);
    expect(quiet.import?.counts).toMatchObject({ updated: 0, conflicts: 0, created: 0 });
    expect(writes(since)).toEqual([]);
  });

  it('edited on both sides: the side the contact came from wins', async () => {
    const bothEdited = fromDialpad[1]!;
    const row = await db()('contacts').where({ account_id: s.accountId, dialpad_contact_id: bothEdited.id }).first();
    await db()('contacts').where({ id: row.id }).update({ last_name: 'Navigator Side' });
    await dialpadApi(s, 'PATCH', `/api/v2/contacts/${bothEdited.id}`, { last_name: 'Dialpad Side' });
    const pushedId = (await contact(nav.pushable!)).dialpad_contact_id as string;
    await db()('contacts').where({ id: nav.pushable }).update({ first_name: 'Nova' });
    await dialpadApi(s, 'PATCH', `/api/v2/contacts/${pushedId}`, { first_name: 'Novak' });

    const since = lastSeq(s);
    const run = await runContactSync(s);
    expect(run.import?.counts).toMatchObject({ conflicts: 2 });
    expect(run.push).toMatchObject({ updated: 1 });
    expect((await contact(row.id)).last_name).toBe('Dialpad Side');
    expect((await contact(nav.pushable!)).first_name).toBe('Nova');
    expect((await simByUid(nav.pushable!))[0]).toMatchObject({ first_name: 'Nova' });
    expect(writes(since).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/v2/contacts/${pushedId}`]);
  });

  it('a contact deleted in Dialpad is marked, not destroyed; a fixed contact is pushed', async () => {
    const gone = fromDialpad[2]!;
    await dialpadApi(s, 'DELETE', `/api/v2/contacts/${gone.id}`);
    await db()('contacts').where({ id: nav.noLastName }).update({ last_name: 'Fixed' });
    const run = await runContactSync(s);
    expect(run).toMatchObject({ markedDeleted: 1, push: { created: 1, failed: 0 } });
    const row = await db()('contacts').where({ account_id: s.accountId, dialpad_contact_id: gone.id }).first();
    expect(row.dialpad_deleted_at).toBeInstanceOf(Date);
    expect(row.first_name).toBe(gone.firstName);
    expect(await contact(nav.noLastName!)).toMatchObject({
      dialpad_push_error: null,
      dialpad_contact_id: expect.any(String),
    });
    expect(await simByUid(nav.noLastName!)).toHaveLength(1);

    // Edits to a contact Dialpad deleted stay in Navigator.
    await db()('contacts').where({ id: row.id }).update({ last_name: 'Still Here' });
    const since = lastSeq(s);
    const again = await runContactSync(s);
    expect(again.push).toMatchObject({ created: 0, updated: 0 });
    expect(writes(since)).toEqual([]);
  });

  it('a contact deleted in Navigator is not imported back', async () => {
    const deletedHere = fromDialpad[6]!;
    await db()('contacts').where({ account_id: s.accountId, dialpad_contact_id: deletedHere.id }).delete();
    const pushedId = (await contact(nav.raced!)).dialpad_contact_id as string;
    await db()('contacts').where({ id: nav.raced }).delete();
    const run = await runContactSync(s);
    expect(run.import?.counts).toMatchObject({ created: 0, linked: 0, skipped: 2 });
    const back = await db()('contacts')
      .where({ account_id: s.accountId })
      .whereIn('dialpad_contact_id', [deletedHere.id, pushedId]);
    expect(back).toEqual([]);
  });

  it('a large push is spread over runs, with its progress in the memo and the query', async () => {
    for (let i = 0; i < 12; i++) {
      await addNavigatorContact(`bulk${i}`, {
        first_name: 'Bulk',
        last_name: `Contact ${i}`,
        phone: `+1415555${String(200 + i).padStart(4, '0')}`,
      });
    }
    const workflowId = uniqueId(`test-contact-sync-${s.accountId}`);
    const run1 = await runContactSync(s, { maxCreatesPerRun: 5 }, workflowId);
    expect(run1.push).toMatchObject({ created: 5, pendingCreates: 7 });
    const handle = s.temporal.client.workflow.getHandle(workflowId);
    expect((await handle.describe()).memo).toMatchObject({
      progress: { phase: 'done', push: { created: 5, pendingCreates: 7 } },
    });
    expect(await handle.query(contactSyncProgressQuery)).toMatchObject({ push: { pendingCreates: 7 } });
    expect((await runContactSync(s, { maxCreatesPerRun: 5 })).push).toMatchObject({ created: 5, pendingCreates: 2 });
    expect((await runContactSync(s, { maxCreatesPerRun: 5 })).push).toMatchObject({ created: 2, pendingCreates: 0 });
    const state = await db()('dialpad_contact_sync_state').where({ account_id: s.accountId }).first();
    expect(state).toMatchObject({ push_pending_creates: 0, push_failed: 1, pass_started_at: null });
  });

  it('a 429 storm slows a sync down without failing it', async () => {
    const since = lastSeq(s);
    // More 429s than the client retries within one activity attempt: the activity retries too,
    // and resumes from its checkpoint.
    await fetch(`${s.sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/contacts', method: 'GET', status: 429, count: 9 }),
    });
    const run = await runContactSync(s);
    expect(run.phase).toBe('done');
    expect(run.import?.counts.created).toBe(0);
    const lists = requests(s, { since, method: 'GET', path: '/api/v2/contacts' });
    expect(lists.filter((r) => r.status === 429)).toHaveLength(9);
    const pages = lists.filter((r) => r.status === 200).map(pageKey);
    expect(new Set(pages).size).toBe(pages.length);
  });
});
