import { mergeContactUpdate } from '../../src/dialpad/contact-lists';
import type { DialpadContact } from '../../src/dialpad/types';

/** PATCH /contacts/{id} replaces the lists it is given: an update carries the full lists. */
describe('mergeContactUpdate', () => {
  const current: DialpadContact = {
    id: '6131436978913280_uid_crm_1',
    first_name: 'Dana',
    last_name: 'Whitfield',
    phones: ['+14155550142', '+442079460958'],
    primary_phone: '+14155550142',
    emails: ['Dana@Lumen.example', 'dana@home.example'],
    primary_email: 'Dana@Lumen.example',
    urls: ['https://lumen.example'],
  };

  it('ours first (our first entry is the primary), then what only Dialpad has, each once', () => {
    expect(
      mergeContactUpdate(current, {
        first_name: 'Dana',
        last_name: 'Whitfield-Ng',
        phones: ['+33142685300', '+14155550142'],
        emails: ['dana@lumen.example'],
      }),
    ).toEqual({
      first_name: 'Dana',
      last_name: 'Whitfield-Ng',
      phones: ['+33142685300', '+14155550142', '+442079460958'],
      emails: ['dana@lumen.example', 'dana@home.example'],
    });
  });

  it('a list we do not send is not sent (Dialpad keeps it); empty entries are dropped', () => {
    expect(mergeContactUpdate(current, { last_name: 'X' })).toEqual({ last_name: 'X' });
    expect(
      mergeContactUpdate({ id: '1', phones: null, emails: ['', 'a@b.example'] }, { emails: ['c@d.example'], urls: [] }),
    ).toEqual({
      emails: ['c@d.example', 'a@b.example'],
      urls: [],
    });
  });
});
