import { DialpadClient } from '../../src/dialpad/client';
import { InMemoryRateLimiter } from '../../src/dialpad/rate-limit';
import { emitCalls } from '../../tools/simulator/emitter';
import { startSimulator } from '../../tools/simulator/server';
import { SMALL_COMPANY } from '../simulator/support';
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
    const sim = await startSimulator({ seed: 'contract-events', size: SMALL_COMPANY, rateLimits: false });
    const state = sim.state;
    // Contacts pushed the way Navigator pushes them: PUT /contacts with the Navigator id as uid.
    const client = new DialpadClient({ apiKey: 'k', baseUrl: sim.url, rateLimiter: new InMemoryRateLimiter() });
    const pushed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await client.upsertContactByUid({
        uid: `0b6f5a3c-3f4e-4c1a-9d55-1c2b3a4d5e6${i}`,
        first_name: 'Pushed',
        last_name: `Contact ${i}`,
        phones: [`+1415555010${i}`],
      });
      pushed.push(c.id);
    }
    await sim.close();
    expect(pushed.every((id) => /^\d+_uid_0b6f5a3c-/.test(id))).toBe(true);
    const bodies: string[] = [];
    const capture: typeof fetch = async (_input, init) => {
      bodies.push(typeof init?.body === 'string' ? init.body : '(not a string body)');
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

    // What real Dialpad sends and our examples did not: contact ids that are not numbers (a
    // contact we pushed, and others created with a uid), int64 as strings, fractional durations.
    const contactIds = new Set(events.map((e) => (e.contact as { id?: unknown } | null)?.id));
    expect(pushed.filter((id) => contactIds.has(id)).length).toBeGreaterThan(0);
    expect([...contactIds].some((id) => typeof id === 'string' && /^\d+_uid_(hubspot-|crm_|zd|sf-)/.test(id))).toBe(
      true,
    );
    expect([...contactIds].every((id) => typeof id === 'string')).toBe(true);
    const dateTypes = new Set(events.map((e) => typeof e.date_started));
    expect([...dateTypes].sort()).toEqual(['number', 'string']);
    expect(events.some((e) => typeof e.total_duration === 'number' && !Number.isInteger(e.total_duration))).toBe(true);

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
