import type { DialpadContact } from '../../src/dialpad/types';
import { normalizePendingPhoneNumbers } from '../../src/phone/pending';
import {
  dialpadContentHash,
  mapDialpadContact,
  pushBodyFor,
  uidFromDialpadContactId,
} from '../../src/sync/contact-content';
import { createTestDatabase, type TestDatabase } from '../support/db';

const dialpadContact = (overrides: Partial<DialpadContact> = {}): DialpadContact => ({
  id: '5731927431299072',
  type: 'shared',
  first_name: ' Dana ',
  last_name: 'Whitfield',
  phones: ['+14155550142', '+442079460958'],
  primary_phone: '+14155550142',
  emails: ['Dana@Example.com'],
  primary_email: 'Dana@Example.com',
  ...overrides,
});

describe('what syncs between a Dialpad contact and a Navigator contact', () => {
  it('maps names, the primary email and every number, primary first, read as matching reads them', () => {
    const m = mapDialpadContact(
      dialpadContact({ phones: ['+442079460958', '+14155550142', '+1 415 555 0142'], primary_phone: '+14155550142' }),
      'US',
    );
    expect(m).toMatchObject({
      dialpadId: '5731927431299072',
      type: 'shared',
      firstName: 'Dana',
      lastName: 'Whitfield',
      email: 'dana@example.com',
      uid: null,
    });
    // The primary first; a second spelling of one number is one number.
    expect(m.phones.map((p) => [p.raw, p.e164])).toEqual([
      ['+14155550142', '+14155550142'],
      ['+442079460958', '+442079460958'],
    ]);
    const unreadable = mapDialpadContact(dialpadContact({ phones: ['+1 555'], primary_phone: null }), 'US');
    expect(unreadable.phones).toEqual([
      { raw: '+1 555', e164: null, extension: null, error: expect.stringMatching(/^too_short: /) },
    ]);
  });

  it('finds our uid in the id Dialpad gives a contact created with PUT, and nowhere else', () => {
    const uid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(uidFromDialpadContactId(`shared_contact_5527348325810176_uid_${uid}`)).toBe(uid);
    expect(uidFromDialpadContactId('5731927431299072')).toBeNull();
    expect(uidFromDialpadContactId('shared_contact_1_uid_not-a-navigator-id')).toBeNull();
  });

  it('hashes only what syncs: a change of job title is not an edit, a change of number is', () => {
    const base = dialpadContentHash(dialpadContact());
    expect(dialpadContentHash(dialpadContact({ job_title: 'CFO', display_name: 'DW' }))).toBe(base);
    expect(dialpadContentHash(dialpadContact({ first_name: 'Dana' }))).toBe(base);
    expect(dialpadContentHash(dialpadContact({ phones: ['+14155550143'], primary_phone: '+14155550143' }))).not.toBe(
      base,
    );
    expect(dialpadContentHash(dialpadContact({ last_name: 'Whitfield-Lee' }))).not.toBe(base);
  });

  it('pushes only what Dialpad accepts, and says why not otherwise', () => {
    const ok = pushBodyFor({
      id: 'x',
      firstName: ' Ann ',
      lastName: 'Lee',
      email: 'ann@example.com',
      phones: [
        { raw: '(415) 555-0142', e164: '+14155550142', status: 'ok', error: null },
        { raw: '0044 20 7946 0958', e164: '+442079460958', status: 'ok', error: null },
      ],
    });
    expect(ok).toEqual({
      ok: true,
      body: {
        first_name: 'Ann',
        last_name: 'Lee',
        phones: ['+14155550142', '+442079460958'],
        emails: ['ann@example.com'],
      },
    });
    // Nothing to say about a field Navigator does not have: Dialpad's value is left alone.
    expect(pushBodyFor({ id: 'x', firstName: 'Ann', lastName: 'Lee', email: null, phones: [] })).toEqual({
      ok: true,
      body: { first_name: 'Ann', last_name: 'Lee' },
    });
    expect(pushBodyFor({ id: 'x', firstName: 'Ann', lastName: ' ', email: null, phones: [] })).toEqual({
      ok: false,
      reason: expect.stringMatching(/^missing_name: .*no last name$/),
    });
    expect(pushBodyFor({ id: 'x', firstName: null, lastName: null, email: null, phones: [] })).toMatchObject({
      reason: expect.stringMatching(/no first name and last name$/),
    });
    expect(
      pushBodyFor({
        id: 'x',
        firstName: 'Ann',
        lastName: 'Lee',
        email: null,
        phones: [{ raw: 'ext 12', e164: null, status: 'unreadable', error: 'not_a_number: Not a phone number' }],
      }),
    ).toEqual({ ok: false, reason: expect.stringMatching(/^phone_not_e164: "ext 12" .*not_a_number/) });
  });
});

describe('dialpad_contact_local_hash (the Navigator side, in the database)', () => {
  let tdb: TestDatabase;
  let contactId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const [account] = await tdb.db('accounts').insert({ name: 'Hash' }).returning('id');
    const [contact] = await tdb
      .db('contacts')
      .insert({
        account_id: (account as { id: string }).id,
        first_name: 'Ann',
        last_name: 'Lee',
        email: 'ann@example.com',
        phone: '(415) 555-0142',
      })
      .returning('id');
    contactId = (contact as { id: string }).id;
    await normalizePendingPhoneNumbers(tdb.db);
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  const hash = async () =>
    ((await tdb.db.raw('select dialpad_contact_local_hash(?) as h', [contactId])).rows[0] as { h: string }).h;
  const edit = async (fields: Record<string, unknown>) => {
    await tdb.db('contacts').where({ id: contactId }).update(fields);
    await normalizePendingPhoneNumbers(tdb.db);
  };

  it('moves with an edit of a synced field, not with formatting or unsynced columns', async () => {
    const start = await hash();
    await edit({ phone: '+1 415-555-0142', email: ' ANN@example.com ', updated_at: tdb.db.fn.now() });
    expect(await hash()).toBe(start);
    await edit({ customer_id: null });
    expect(await hash()).toBe(start);

    await edit({ phone: '(415) 555-0143' });
    const newNumber = await hash();
    expect(newNumber).not.toBe(start);
    await tdb.db('record_phone_numbers').insert({
      account_id: (await tdb.db('contacts').where({ id: contactId }).first('account_id')).account_id,
      entity_type: 'contact',
      entity_id: contactId,
      raw: 'call reception',
      normalization_status: 'unreadable',
    });
    expect(await hash()).not.toBe(newNumber);
    await edit({ last_name: 'Lee-Smith' });
    expect(await hash()).not.toBe(newNumber);
  });
});
