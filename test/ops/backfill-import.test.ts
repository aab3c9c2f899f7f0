import type { DialpadCall } from '../../src/dialpad/types';
import { WebhookRejection } from '../../src/ingress/verify';
import { legEventsFromListedCall, remainingAiWaitSeconds } from '../../src/ops/backfill-import';

/** How a leg from Dialpad's call list becomes the events its webhooks would have brought. */
describe('legEventsFromListedCall', () => {
  const listed = (overrides: Partial<DialpadCall> = {}): DialpadCall => ({
    call_id: '6421977457180672',
    master_call_id: null,
    direction: 'inbound',
    state: 'hangup',
    external_number: '+15102609745',
    internal_number: '+15106666687',
    target: {
      id: '5527348325810176',
      type: 'office',
      name: 'Oasis',
      phone: '+15106666687',
      office_id: '5527348325810176',
    },
    contact: { id: '6131436978913280', type: 'local', name: 'Alameda, CA', phone: '+15105105100' },
    date_started: 1731624039404,
    date_connected: 1731624045000,
    date_ended: 1731624348355,
    talk_time: 303355,
    total_duration: 308951,
    ...overrides,
  });

  it('a concluded leg is a hangup at its end, with its ids, numbers and times', () => {
    const [hangup, ...rest] = legEventsFromListedCall(listed());
    expect(rest).toEqual([]);
    expect(hangup).toMatchObject({
      callId: '6421977457180672',
      state: 'hangup',
      eventTimestamp: 1731624348355,
      direction: 'inbound',
      externalNumber: '+15102609745',
      target: { id: '5527348325810176', type: 'office', officeId: '5527348325810176' },
      dateConnected: 1731624045000,
      talkTimeMs: 303355,
      recap: null,
    });
  });

  it('a leg with a voicemail is a voicemail then a hangup, so the call folds as a voicemail', () => {
    const events = legEventsFromListedCall(listed({ voicemail_link: 'https://dialpad.com/v/1', date_connected: null }));
    expect(events.map((e) => e.state)).toEqual(['voicemail', 'hangup']);
    expect(new Set(events.map((e) => e.eventTimestamp))).toEqual(new Set([1731624348355]));
  });

  it('the REST CallProto’s voicemail fields count too: voicemail_share_link, a recording of type voicemail', () => {
    const byShareLink = listed({
      voicemail_share_link: 'https://dialpad.com/shared/voicemail/1',
      date_connected: null,
    });
    expect(legEventsFromListedCall(byShareLink).map((e) => e.state)).toEqual(['voicemail', 'hangup']);
    const byRecording = listed({
      date_connected: null,
      recording_details: [
        { id: '77', url: 'https://dialpad.com/r/77', duration: 12000, start_time: null, recording_type: 'voicemail' },
      ],
    });
    expect(legEventsFromListedCall(byRecording).map((e) => e.state)).toEqual(['voicemail', 'hangup']);
    const recordedCall = listed({
      recording_details: [
        {
          id: '78',
          url: 'https://dialpad.com/r/78',
          duration: 12000,
          start_time: null,
          recording_type: 'callrecording',
        },
      ],
      voicemail_share_link: null,
    });
    expect(legEventsFromListedCall(recordedCall).map((e) => e.state)).toEqual(['hangup']);
  });

  it('without an end time the start stands in; an odd field is left out; a leg without a call id is refused like a webhook', () => {
    expect(legEventsFromListedCall(listed({ date_ended: null }))[0]!.eventTimestamp).toBe(1731624039404);
    expect(legEventsFromListedCall(listed({ direction: 'sideways' }))[0]!.direction).toBeNull();
    expect(() => legEventsFromListedCall(listed({ call_id: 'not-a-call-id' }))).toThrow(WebhookRejection);
  });
});

/** A backfilled call's run waits only what is left of the live Ai window since the call ended. */
describe('remainingAiWaitSeconds', () => {
  const now = 1_800_000_000_000;
  it('nothing for a call that ended longer ago than the window (nearly every backfilled call)', () => {
    expect(remainingAiWaitSeconds(900, now - 40 * 60_000, now)).toBe(0);
    expect(remainingAiWaitSeconds(900, now - 900_000, now)).toBe(0);
  });
  it('the rest of the window for a call that ended within it (an outage just over)', () => {
    expect(remainingAiWaitSeconds(900, now - 60_000, now)).toBe(840);
    expect(remainingAiWaitSeconds(900, now - 899_500, now)).toBe(1);
  });
  it('nothing when the list gives no end time', () => {
    expect(remainingAiWaitSeconds(900, null, now)).toBe(0);
  });
});
