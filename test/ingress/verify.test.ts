import { createVerifier, WebhookRejection } from '../../src/ingress/verify';
import { signEvent } from '../support/signing';

const CURRENT = 'the-current-webhook-secret-0123456789abcdef';
const PREVIOUS = 'the-previous-webhook-secret-0123456789abcd';

describe('webhook verification', () => {
  const event = { call_id: 6421977457180672, state: 'hangup' };

  it('accepts the previous secret until DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL, and refuses it after', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const verify = createVerifier({
      secret: CURRENT,
      previousSecret: PREVIOUS,
      previousSecretUntil: new Date('2026-12-02T00:00:00Z'),
      allowUnsigned: false,
      now: () => now,
    });
    const old = await signEvent(event, PREVIOUS);
    expect((await verify(old)).verifiedWith).toBe('previous');
    now = Date.parse('2026-12-02T00:00:01Z');
    await expect(verify(old)).rejects.toThrow(WebhookRejection);
    expect((await verify(await signEvent(event, CURRENT))).verifiedWith).toBe('current');
  });

  it('reads iat in seconds or milliseconds, and notes what does not hold instead of refusing', async () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const verify = createVerifier({ secret: CURRENT, allowUnsigned: false, now: () => now });
    const fresh = await verify(await signEvent({ ...event, iat: now }, CURRENT));
    expect(fresh.timeNotes).toEqual([]);
    const freshSeconds = await verify(await signEvent({ ...event, iat: now / 1000 - 10 }, CURRENT));
    expect(freshSeconds.timeNotes).toEqual([]);
    const future = await verify(await signEvent({ ...event, nbf: now / 1000 + 3600 }, CURRENT));
    expect(future.timeNotes).toEqual([{ field: 'nbf', reason: 'token not valid yet; accepted' }]);
    expect(future.claims).toMatchObject({ call_id: '6421977457180672' }); // 16 digits: kept exact, as text
  });
});
