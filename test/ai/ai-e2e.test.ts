import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createDialpadClient } from '../../src/worker';
import { generateConversations, type CallLeg } from '../../tools/simulator/calls';
import { callRecords, emitCalls, type EmitResult } from '../../tools/simulator/emitter';
import { signEvent } from '../support/signing';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { callWorkflowId } from '../../workflows/shared/ids';
import { relayPending } from '../support/relay';

/**
 * Ai data on every call, through the real stack: the simulator's emitter places calls and delivers
 * Dialpad-signed webhooks to the ingress; the worker fetches transcripts and recaps from the
 * simulator's API and derives the insights into Postgres.
 */
const SECRET = 'ai-e2e-webhook-secret-0123456789abcdefgh';
const AI_FIELDS = ['ai_summary', 'transcript', 'sentiment', 'churn_risk', 'themes', 'resolved'] as const;

interface Stack {
  tdb: TestDatabase;
  config: Config;
  temporal: TemporalHandles;
  app: FastifyInstance;
  worker: RunningWorker;
  url: string;
}

describe('Ai data on calls, end to end with the Dialpad simulator', () => {
  let sim: RunningSimulator;
  let aiOffice: string;
  let plainOffice: string;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'ai-e2e',
      size: { offices: 2, departments: 2, callCenters: 1, users: 20, contacts: 50 },
    });
    [aiOffice, plainOffice] = sim.state.company.offices.map((o) => o.id) as [string, string];
    expect(sim.state.aiOffices.has(aiOffice)).toBe(true);
    expect(sim.state.aiOffices.has(plainOffice)).toBe(false);
  });

  afterAll(async () => {
    for (const s of stacks) {
      await s.app.close();
      await s.worker.stop();
      await s.temporal.close();
      await s.tdb.drop();
    }
    await sim?.close();
  });

  async function stack(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
    const tdb = await createTestDatabase();
    const config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      CALL_AI_WAIT_SECONDS: '6',
      API_TOKEN: 'ai-e2e-api-token-0123456789',
      ...env,
    });
    const temporal = createTemporalClient(config.temporal);
    const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const dialpad = createDialpadClient(config, tdb.db, pino({ level: 'silent' }));
    const worker = await startTestWorker(config, tdb.db, dialpad);
    await tdb.db('accounts').insert([
      { name: 'With Ai', dialpad_office_id: aiOffice },
      { name: 'Without Ai', dialpad_office_id: plainOffice },
    ]);
    const s = {
      tdb,
      config,
      temporal,
      app,
      worker,
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    };
    stacks.push(s);
    return s;
  }

  async function emitAndSettle(
    s: Stack,
    opts: { seed: string; shuffle?: boolean; duplicates?: number },
  ): Promise<EmitResult> {
    const result = await emitCalls({
      calls: 4,
      rate: 20,
      kinds: ['inbound_answered'],
      target: `${s.url}/webhooks/dialpad`,
      secret: SECRET,
      simulator: sim.state,
      seed: opts.seed,
      shuffle: opts.shuffle ?? false,
      duplicates: opts.duplicates ?? 0,
      timeScale: 0.005,
      retryScale: 0.05,
    });
    expect(result.summary.givenUp).toBe(0);
    await relayPending(s.app, s.tdb.db);
    for (const c of result.expected) {
      for (const leg of c.legCallIds) await s.temporal.client.workflow.getHandle(callWorkflowId(leg)).result();
    }
    return result;
  }

  const callOf = (s: Stack, key: string) => s.tdb.db('calls').where({ dialpad_call_id: key }).first();

  it('a call on an Ai office gets every Ai field; a call on an office without Ai gets none', async () => {
    const s = await stack();
    const result = await emitAndSettle(s, { seed: 'ai-e2e-1' });
    const withAi = result.expected.filter((c) => c.hasAi);
    const withoutAi = result.expected.filter((c) => !c.hasAi);
    expect(withAi.length).toBeGreaterThan(0);
    expect(withoutAi.length).toBeGreaterThan(0);

    for (const c of withAi) {
      const call = await callOf(s, c.key);
      for (const f of AI_FIELDS) expect(call[f]).not.toBeNull();
      expect(call.ai_summary).toBe(c.recap!.summary);
      expect(Array.isArray(call.churn_reasons)).toBe(true);
      expect(call.ai_status).toBe('complete');
      expect(call.ai_sources).toMatchObject({ ai_summary: 'dialpad', transcript: 'dialpad', sentiment: 'derived' });
      const lines = await s.tdb.db('call_transcript_lines').where({ call_id: call.id });
      expect(lines.length).toBeGreaterThan(1);
      const speech = lines.filter((l) => l.type === 'transcript');
      expect(new Set(speech.map((l) => l.speaker))).toEqual(new Set(['agent', 'caller']));

      // Navigator reads the same through its API.
      const res = await s.app.inject({
        url: `/api/calls/${call.id}`,
        headers: { authorization: 'Bearer ai-e2e-api-token-0123456789' },
      });
      expect(res.statusCode).toBe(200);
      const detail = res.json();
      expect(detail).toMatchObject({ aiStatus: 'complete', aiSummary: c.recap!.summary, sentiment: call.sentiment });
      expect(detail.transcriptLines).toHaveLength(lines.length);
      expect(detail.aiExplanation.sentiment).toEqual(expect.any(String));
    }
    for (const c of withoutAi) {
      const call = await callOf(s, c.key);
      expect(call.status).toBe('answered');
      for (const f of [...AI_FIELDS, 'churn_reasons', 'ai_status']) expect(call[f]).toBeNull();
    }
  });

  it('the same calls with their events shuffled and duplicated end identical', async () => {
    const ordered = stacks[0] ?? (await stack());
    const shuffled = await stack();
    const result = await emitAndSettle(shuffled, { seed: 'ai-e2e-1', shuffle: true, duplicates: 0.5 });
    for (const c of result.expected) {
      const a = await callOf(ordered, c.key);
      const b = await callOf(shuffled, c.key);
      for (const f of [...AI_FIELDS, 'churn_reasons', 'status', 'duration_seconds', 'external_number', 'ai_status']) {
        expect([f, b[f]]).toEqual([f, a[f]]);
      }
    }
  });

  it('a transcript fetch that fails with 5xx, then 429, then succeeds fills the transcript', async () => {
    const s = await stack();
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/transcripts/*', status: 503, count: 1 }),
    });
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/transcripts/*', status: 429, count: 1 }),
    });
    const result = await emitAndSettle(s, { seed: 'ai-e2e-faults' });
    const withAi = result.expected.filter((c) => c.hasAi);
    for (const c of withAi) expect((await callOf(s, c.key)).transcript).not.toBeNull();
    const seen = (await (await fetch(`${sim.url}/_sim/requests?path=/api/v2/transcripts/*`)).json()) as {
      items: { status: number }[];
    };
    const statuses = seen.items.map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([503, 429, 200]));
  });

  it('a transcript that keeps failing leaves the call complete without it, and says so', async () => {
    const s = await stack({ CALL_AI_FETCH_ATTEMPTS: '1' });
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/transcripts/*', status: 503, count: null }),
    });
    try {
      const result = await emitAndSettle(s, { seed: 'ai-e2e-down' });
      for (const c of result.expected.filter((e) => e.hasAi)) {
        const call = await callOf(s, c.key);
        expect(call.status).toBe('answered');
        expect(call.transcript).toBeNull();
        expect(call.ai_summary).not.toBeNull();
        expect(call.sentiment).not.toBeNull(); // derived from the recap
        expect(call.ai_status).toBe('partial');
        expect(call.ai_notes).toEqual([
          expect.objectContaining({ part: 'transcript', reason: expect.stringMatching(/unavailable|503/i) }),
        ]);
      }
    } finally {
      await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    }
  });

  it("a transferred call's transcript holds both answered legs' lines, first leg first", async () => {
    const s = await stack();
    const conv = generateConversations(
      {
        company: sim.state.company,
        seed: 'ai-e2e-transfer',
        aiOfficeIds: new Set([aiOffice]),
        kinds: ['transfer'],
        placeAt: () => Date.now() - 600_000,
      },
      8,
    ).find((c) => c.ai !== null);
    expect(conv).toBeDefined();
    const [firstLeg, secondLeg] = conv!.legs as [CallLeg, CallLeg];
    expect(conv!.ai!.callId).toBe(secondLeg.call_id);
    // Dialpad has a transcript for each answered leg: the first agent's before the transfer too.
    const caller = conv!.ai!.transcript.find((l) => l.contact_id)!;
    const firstTranscript = [
      {
        type: 'transcript' as const,
        content: 'Good morning, you are through to reception.',
        name: firstLeg.target.name,
        time: new Date(firstLeg.date_connected!).toISOString(),
        user_id: firstLeg.target.id,
      },
      { ...caller, type: 'transcript' as const, content: 'I need to speak to someone about my delivery.' },
      {
        type: 'transcript' as const,
        content: 'Let me put you through to our delivery team.',
        name: firstLeg.target.name,
        time: new Date(firstLeg.date_connected! + 20_000).toISOString(),
        user_id: firstLeg.target.id,
      },
    ];
    sim.state.registerCalls(
      callRecords([conv!], () => 0).map((r) =>
        r.leg.call_id === firstLeg.call_id
          ? { ...r, ai: { ...conv!.ai!, readyAt: 0, transcript: firstTranscript } }
          : r,
      ),
    );

    for (const e of conv!.events) {
      const res = await fetch(`${s.url}/webhooks/dialpad`, {
        method: 'POST',
        body: await signEvent(e.payload, SECRET),
      });
      expect(res.status).toBe(200);
    }
    for (const leg of conv!.legs) {
      await s.temporal.client.workflow.getHandle(callWorkflowId(leg.call_id)).result();
    }

    const call = await callOf(s, conv!.expected.key);
    expect(call.dialpad_call_id).toBe(firstLeg.call_id);
    const secondLines = conv!.ai!.transcript.filter((l) => l.content !== '');
    const lines = await s.tdb.db('call_transcript_lines').where({ call_id: call.id }).orderBy('seq');
    expect(lines.map((l) => [l.seq, l.dialpad_call_id, l.content])).toEqual([
      ...firstTranscript.map((l, i) => [i, firstLeg.call_id, l.content]),
      ...secondLines.map((l, i) => [firstTranscript.length + i, secondLeg.call_id, l.content]),
    ]);
    const text = (ls: { type: string; name: string; content: string }[]) =>
      ls.filter((l) => l.type === 'transcript').map((l) => `${l.name}: ${l.content}`);
    expect(call.transcript).toBe([...text(firstTranscript), ...text(secondLines)].join('\n'));
    expect(call.ai_status).toBe('complete');
  });

  it('a 1 MB transcript is stored while the workflow history stays small', async () => {
    const s = await stack();
    const conv = generateConversations(
      {
        company: sim.state.company,
        seed: 'ai-e2e-big',
        aiOfficeIds: new Set([aiOffice]),
        kinds: ['inbound_answered'],
        placeAt: () => Date.now() - 600_000,
      },
      8,
    ).find((c) => c.ai !== null);
    expect(conv).toBeDefined();
    const line = conv!.ai!.transcript.find((l) => l.type === 'transcript' && l.contact_id)!;
    const filler = 'I would like to talk about the delivery schedule for next month in some detail. ';
    const big = Array.from({ length: Math.ceil((1024 * 1024) / 400) }, (_, i) => ({
      ...line,
      content: `${i}: ${filler.repeat(5)}`,
    }));
    conv!.ai!.transcript.push(...big);
    sim.state.registerCalls(callRecords([conv!], () => 0));

    for (const e of conv!.events) {
      const res = await fetch(`${s.url}/webhooks/dialpad`, {
        method: 'POST',
        body: await signEvent(e.payload, SECRET),
      });
      expect(res.status).toBe(200);
    }
    let historyBytes = 0;
    for (const leg of conv!.legs) {
      const handle = s.temporal.client.workflow.getHandle(callWorkflowId(leg.call_id));
      await handle.result();
      const history = await handle.fetchHistory();
      const json = JSON.stringify(history);
      expect(json).not.toContain(filler.trim());
      historyBytes += json.length;
    }
    const call = await callOf(s, conv!.expected.key);
    expect(call.transcript.length).toBeGreaterThan(1024 * 1024);
    expect(historyBytes).toBeLessThan(100 * 1024);
  });
});
