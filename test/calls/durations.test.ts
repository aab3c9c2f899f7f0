import { mergeLeg } from '../../src/calls/repository';
import { validateCallEvent } from '../../src/ingress/validate';

/**
 * Dialpad's durations are doubles (CallProto: `format: double`) and real events carry fractions of
 * a millisecond (`total_duration: 8951.03`); the leg's columns are whole milliseconds (bigint).
 */
describe('fractional durations', () => {
  it('are stored as whole milliseconds', () => {
    const event = validateCallEvent({
      call_id: 6421977457180672,
      state: 'hangup',
      event_timestamp: 1731624049994,
      duration: 1500.5,
      total_duration: 8951.03,
    });
    const row = mergeLeg(undefined, { deliveryId: null, accountId: null, officeId: null, event });
    expect(row).toMatchObject({ talk_time_ms: 1501, total_duration_ms: 8951 });
  });
});
