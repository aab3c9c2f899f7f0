import { emitCalls } from '../../src/simulator/emitter';
import { SimulatorState } from '../../src/simulator/state';
import { SMALL_COMPANY } from '../simulator/helpers';
import { DialpadContract } from './oracle';

/**
 * The simulator's call events (webhook bodies, as the emitter puts them on the wire) use the
 * spec's field names and types: each validates against schemas.call.CallProto, whose parties are
 * schemas.call.CallContactProto, plus only the webhook-only fields of API-NOTES §3 (listed in
 * contracts/dialpad/navigator-supplement.json). A day of a small company's traffic, every kind.
 */

const DAY_OF_CALLS = 400;

describe('contract: simulated call events are CallProto (plus the webhook-only fields)', () => {
  const contract = DialpadContract.load();

  it('every event of a generated day validates', async () => {
    const state = new SimulatorState({ seed: 'contract-events', size: SMALL_COMPANY });
    const bodies: string[] = [];
    const capture: typeof fetch = async (_input, init) => {
      bodies.push(String(init?.body));
      return new Response(null, { status: 200 });
    };
    const result = await emitCalls({
      calls: DAY_OF_CALLS,
      rate: 5000,
      timeScale: 1e-6,
      seed: 'contract-events-day',
      simulator: state,
      target: 'http://receiver.invalid/webhooks/dialpad',
      fetch: capture,
      keepDeliveries: false,
    });
    expect(result.summary.delivered).toBe(result.summary.events);
    expect(bodies).toHaveLength(result.summary.events);
    expect(bodies.length).toBeGreaterThan(DAY_OF_CALLS * 3);

    const events = bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
    const problems = new Map<string, number>();
    for (const e of events) {
      for (const p of contract.schemaProblems('navigator.webhook.CallEvent', e)) {
        problems.set(p, (problems.get(p) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(problems)).toEqual({});

    // Every state the generator knows was in the day, so every shape was checked.
    const states = new Set(events.map((e) => e.state));
    expect([...states].sort()).toEqual(
      [
        'call_transcription',
        'calling',
        'connected',
        'hangup',
        'missed',
        'queued',
        'recap_action_items',
        'recap_outcome',
        'recap_purposes',
        'recap_summary',
        'ringing',
        'transcription',
        'voicemail',
        'voicemail_uploaded',
      ].sort(),
    );
  });
});
