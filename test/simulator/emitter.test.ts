import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { DialpadClient } from '../../src/dialpad/client';
import { parseDialpadJson } from '../../src/dialpad/json';
import { emitCalls, type EmitResult } from '../../tools/simulator/emitter';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { example, SMALL_COMPANY } from './support';

const SECRET = 'whsec_emitter_test_secret';
const key = new TextEncoder().encode(SECRET);

interface Received {
  at: number;
  path: string;
  contentType: string | undefined;
  body: string;
  status: number;
}

/** FNV-1a: a stable choice of which events the receiver fails. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function payloadText(jws: string): string {
  return Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8');
}

function eventKey(payload: Record<string, unknown>): string {
  return `${String(payload.call_id)}:${String(payload.state)}:${String(payload.event_timestamp)}`;
}

/** Fails the first delivery of about one event in eight with 503, and one in seventeen always with 400. */
const failFirst = (k: string) => hash(k) % 8 === 0;
const reject = (k: string) => !failFirst(k) && hash(k) % 17 === 3;

describe('the call emitter', () => {
  let sim: RunningSimulator;
  let receiver: FastifyInstance;
  let baseUrl: string;
  const received: Received[] = [];
  const seen = new Map<string, number>();

  beforeAll(async () => {
    sim = await startSimulator({ seed: 'emitter', size: SMALL_COMPANY, rateLimits: false });
    // Dialpad's own connections linger (keep-alive); the test closes them when it is done.
    receiver = Fastify({ forceCloseConnections: true });
    // Dialpad's Content-Type is undocumented: read every body raw.
    receiver.removeAllContentTypeParsers();
    receiver.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const handle =
      (mode: 'flaky' | 'slow' | 'throttled') =>
      async (
        req: { body: unknown; headers: Record<string, unknown>; url: string },
        reply: { code(n: number): { send(b: unknown): unknown } },
      ) => {
        const body = typeof req.body === 'string' ? req.body : '';
        const record = (status: number) =>
          received.push({
            at: Date.now(),
            path: req.url,
            contentType: req.headers['content-type'] as string | undefined,
            body,
            status,
          });
        if (mode === 'slow') {
          await new Promise((r) => setTimeout(r, 300));
          record(200);
          return reply.code(200).send({ ok: true });
        }
        if (mode === 'throttled') {
          record(429);
          return reply.code(429).send({ error: 'slow down' });
        }
        const text = body.trim().startsWith('{') ? body : payloadText(body);
        const k = eventKey(parseDialpadJson(text) as Record<string, unknown>);
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        const status = reject(k) ? 400 : failFirst(k) && n === 1 ? 503 : 200;
        record(status);
        return reply.code(status).send(status === 200 ? { ok: true } : { error: 'no' });
      };
    receiver.post('/webhooks/dialpad', handle('flaky'));
    receiver.post('/slow', handle('slow'));
    receiver.post('/throttled', handle('throttled'));
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([receiver.close(), sim.close()]);
  });

  describe('100 calls at 10 per second, as Dialpad delivers them', () => {
    let result: EmitResult;
    let deliveriesReceived: Received[];
    beforeAll(async () => {
      const before = received.length;
      result = await emitCalls({
        calls: 100,
        rate: 10,
        target: `${baseUrl}/webhooks/dialpad`,
        secret: SECRET,
        simulator: sim.state,
        seed: 'emitter-test',
        duplicates: 0.1,
        shuffle: true,
        // Ai "minutes later" becomes about a second; 2/4/8 s retries become 0.1/0.2/0.4 s.
        timeScale: 0.005,
        retryScale: 0.05,
        // The receiver answers at once; a long timeout keeps a loaded machine from turning slow
        // answers into network retries, which this test does not mean to count.
        timeoutMs: 30_000,
      });
      deliveriesReceived = received.slice(before);
    }, 60_000);

    it('signs every body as a compact HS256 JWS whose claims are the event', async () => {
      expect(deliveriesReceived.length).toBeGreaterThan(500);
      for (const r of deliveriesReceived) {
        expect(r.body).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(decodeProtectedHeader(r.body)).toEqual({ alg: 'HS256', typ: 'JWT' });
        const { payload } = await jwtVerify(r.body, key, { algorithms: ['HS256'] });
        expect(payload.exp).toBeUndefined();
        expect(typeof payload.state).toBe('string');
        // Webhooks carry ids as bare JSON numbers.
        expect(payloadText(r.body)).toMatch(/"call_id":\d{16},/);
      }
      await expect(
        jwtVerify(deliveriesReceived[0]!.body, new TextEncoder().encode('wrong'), { algorithms: ['HS256'] }),
      ).rejects.toThrow();
      // Content-Type is not something a receiver can rely on.
      expect(new Set(deliveriesReceived.map((r) => r.contentType ?? 'none'))).toEqual(
        new Set(['application/json', 'text/plain', 'application/jwt', 'none']),
      );
    });

    it('sends events shaped like the examples', () => {
      const byState = new Map<string, Record<string, unknown>>();
      for (const r of deliveriesReceived) {
        const p = parseDialpadJson(payloadText(r.body)) as Record<string, unknown>;
        byState.set(String(p.state), p);
      }
      for (const [state, file] of [
        ['hangup', 'hangup-answered-inbound'],
        ['missed', 'missed-inbound'],
        ['recap_summary', 'recap-summary'],
        ['call_transcription', 'call-transcription'],
        ['voicemail_uploaded', 'voicemail-uploaded'],
      ] as const) {
        const got = byState.get(state)!;
        expect(got).toBeDefined();
        expect(Object.keys(got)).toEqual(expect.arrayContaining(Object.keys(example(file))));
        for (const [k, v] of Object.entries(example(file))) {
          if (v === null || got[k] === null || k.endsWith('_id') || k === 'id') continue;
          // int64 (dates): a number or, as in the spec's examples, a string of digits.
          if (k.startsWith('date_') || k === 'event_timestamp') {
            expect([k, typeof got[k] === 'number' || (typeof got[k] === 'string' && /^\d{13}$/.test(got[k]))]).toEqual([
              k,
              true,
            ]);
            continue;
          }
          expect([k, typeof got[k]]).toEqual([k, typeof v]);
        }
        expect(got.call_id).toMatch(/^\d{16}$/);
      }
      // Both readings of int64 go out, each leg keeping one.
      const dateTypes = new Set(
        deliveriesReceived.map(
          (r) => typeof (parseDialpadJson(payloadText(r.body)) as Record<string, unknown>).date_started,
        ),
      );
      expect([...dateTypes].sort()).toEqual(['number', 'string']);
    });

    it('ends with a summary whose counts agree with each other and with what the receiver saw', () => {
      const s = result.summary;
      expect(s.conversations).toBe(100);
      expect(s.events).toBe(result.conversations.reduce((n, c) => n + c.events.length, 0));
      expect(s.sent).toBe(s.events + s.duplicates);
      expect(s.duplicates).toBeGreaterThan(0);
      expect(s.attempts).toBe(deliveriesReceived.length);
      expect(s.attempts).toBe(s.status2xx + s.status4xx + s.status5xx + s.statusOther + s.networkErrors);
      expect(s.retried).toBe(s.attempts - s.sent);
      expect(s.delivered + s.givenUp).toBe(s.sent);
      expect(s.givenUp).toBe(s.rejected + s.exhausted);
      expect(s.status5xx).toBe(deliveriesReceived.filter((r) => r.status === 503).length);
      expect(s.status4xx).toBe(deliveriesReceived.filter((r) => r.status === 400).length);
      expect(s.status5xx).toBeGreaterThan(0);
      expect(s.status4xx).toBeGreaterThan(0);
      expect(s.exhausted).toBe(0);
    });

    it('retries a 5xx after about 2 s (scaled), and never retries a 4xx', () => {
      const retried = result.deliveries.filter((d) => d.attempts[0]?.status === 503);
      expect(retried.length).toBeGreaterThan(0);
      for (const d of retried) {
        expect(d.outcome).toBe('delivered');
        expect(d.attempts.map((a) => a.status)).toEqual([503, 200]);
        const gap = d.attempts[1]!.at - d.attempts[0]!.at;
        expect(gap).toBeGreaterThanOrEqual(2000 * 0.05 * 0.9 - 5);
      }
      const rejected = result.deliveries.filter((d) => d.outcome === 'rejected');
      expect(rejected.length).toBeGreaterThan(0);
      for (const d of rejected) expect(d.attempts.map((a) => a.status)).toEqual([400]);
      // The receiver saw each rejected event once per delivery (duplicates included), never again.
      const rejectedKeys = new Set(rejected.map((d) => `${d.callId}:${d.state}:${d.eventTimestamp}`));
      for (const k of rejectedKeys) {
        expect(seen.get(k)).toBe(rejected.filter((d) => `${d.callId}:${d.state}:${d.eventTimestamp}` === k).length);
      }
    });

    it('delivers every event, some twice, some out of order; Ai events minutes later in their timestamps', () => {
      const arrivals = new Map<string, number>();
      for (const r of deliveriesReceived) {
        const p = parseDialpadJson(payloadText(r.body)) as Record<string, unknown>;
        const k = eventKey(p);
        if (!arrivals.has(k)) arrivals.set(k, r.at);
        // No event is stamped later than it arrives.
        expect(Number(p.event_timestamp)).toBeLessThanOrEqual(r.at + 50);
      }
      let outOfOrder = 0;
      for (const c of result.conversations) {
        const order = c.events
          .filter((e) => e.phase === 'live')
          .map((e) => arrivals.get(`${e.callId}:${e.state}:${e.eventTimestamp}`));
        expect(order.every((t) => t !== undefined)).toBe(true);
        if (order.some((t, i) => i > 0 && (t as number) < (order[i - 1] as number))) outOfOrder++;
        for (const e of c.events.filter((x) => x.phase === 'ai')) {
          const hangup = c.events.find((x) => x.callId === e.callId && x.state === 'hangup')!;
          expect(e.eventTimestamp - hangup.eventTimestamp).toBeGreaterThan(100_000);
          expect(arrivals.get(`${e.callId}:${e.state}:${e.eventTimestamp}`)).toBeDefined();
        }
      }
      expect(outOfOrder).toBeGreaterThan(10);
      expect([...seen.values()].some((n) => n > 1)).toBe(true);
    });

    it('makes transcripts and Ai recaps available from the simulator for Ai calls', async () => {
      const client = new DialpadClient({ apiKey: 'k', baseUrl: sim.url });
      const aiCalls = result.expected.filter((e) => e.hasAi);
      expect(aiCalls.length).toBeGreaterThan(10);
      for (const e of aiCalls.slice(0, 5)) {
        const recap = await client.getAiRecap(e.aiCallId!, { summaryFormat: 'medium' });
        expect(recap.summary?.content).toBe(e.recap!.summary);
        expect(recap.purposes?.map((p) => p.category)).toEqual(e.recap!.purposes);
        expect((await client.getTranscript(e.aiCallId!)).lines!.length).toBeGreaterThan(3);
      }
      const noAi = result.expected.find((e) => !e.hasAi && e.status === 'answered')!;
      await expect(client.getTranscript(noAi.key)).rejects.toMatchObject({ status: 404 });
      expect((await client.getCall(result.expected[0]!.key)).call_id).toBe(result.expected[0]!.key);
    });

    it('describes the expected outcome of every conversation', () => {
      expect(result.expected).toHaveLength(100);
      const kinds = new Set(result.expected.map((e) => e.kind));
      expect(kinds.size).toBeGreaterThanOrEqual(6);
      for (const e of result.expected) {
        expect(e.externalNumber).toMatch(/^\+[1-9]\d{6,14}$/);
        expect(Date.parse(e.endedAt)).toBeGreaterThanOrEqual(Date.parse(e.startedAt));
        expect(e.legCallIds[0]).toBe(e.key);
        if (e.status === 'answered') expect(e.answeringUserId).toMatch(/^\d{16}$/);
        expect(e.hasAi).toBe(e.recap !== null);
      }
      // Recap texts as sent in the recap_summary events.
      const sentSummaries = new Map(
        deliveriesReceived
          .map((r) => parseDialpadJson(payloadText(r.body)) as Record<string, unknown>)
          .filter((p) => p.state === 'recap_summary')
          .map((p) => [p.call_id, p.recap_summary]),
      );
      for (const e of result.expected.filter((x) => x.hasAi))
        expect(sentSummaries.get(e.aiCallId)).toBe(e.recap!.summary);
    });
  });

  it('tries a timed-out delivery twice more at once, then gives up', async () => {
    const before = received.length;
    const r = await emitCalls({
      calls: 2,
      rate: 20,
      target: `${baseUrl}/slow`,
      secret: SECRET,
      company: sim.state.company,
      kinds: ['inbound_missed'],
      seed: 'timeouts',
      timeoutMs: 100,
    });
    expect(r.summary.exhausted).toBe(r.summary.sent);
    expect(r.summary.networkErrors).toBe(r.summary.sent * 3);
    for (const d of r.deliveries) {
      expect(d.attempts).toHaveLength(3);
      expect(d.attempts[0]!.error).toMatch(/timeout after 100 ms/);
      // No backoff between the quick tries.
      expect(d.attempts[2]!.at - d.attempts[0]!.at).toBeLessThan(1500);
    }
    await new Promise((res) => setTimeout(res, 400));
    expect(received.length - before).toBe(r.summary.attempts);
  });

  it('never retries a 429', async () => {
    const r = await emitCalls({
      calls: 3,
      rate: 20,
      target: `${baseUrl}/throttled`,
      secret: SECRET,
      company: sim.state.company,
      seed: 'throttled',
      kinds: ['inbound_answered', 'voicemail', 'callcenter'],
      timeScale: 0.001,
    });
    expect(r.summary).toMatchObject({
      rejected: r.summary.sent,
      attempts: r.summary.sent,
      retried: 0,
      status4xx: r.summary.sent,
    });
  });

  it('sends plain JSON, ids as numbers, when there is no secret', async () => {
    const before = received.length;
    const r = await emitCalls({
      calls: 2,
      rate: 20,
      target: `${baseUrl}/throttled`,
      company: sim.state.company,
      seed: 'unsigned',
      kinds: ['outbound'],
      timeScale: 0.001,
    });
    const bodies = received.slice(before);
    expect(bodies).toHaveLength(r.summary.attempts);
    for (const b of bodies) {
      expect(b.contentType).toBe('application/json');
      expect(b.body).toMatch(/^\{"master_call_id":/);
      expect(b.body).toMatch(/"call_id":\d{16},/);
    }
  });
});
