import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createDialpadClient } from '../../src/worker';
import { emitCalls, type EmitResult } from '../../tools/simulator/emitter';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { callWorkflowId } from '../../workflows/shared/ids';
import { relayPending } from '../support/relay';

/**
 * The optional language-model path through the real stack: the simulator places calls with Ai data
 * and delivers signed webhooks to the ingress; the worker (real Temporal, real Postgres) fetches the
 * transcript and recap from the simulator's API and, at the end of the Ai window, asks a stand-in
 * OpenAI-compatible chat-completions server on 127.0.0.1 (INSIGHTS_LLM_URL). A good answer is used
 * (ai_sources = 'model'); garbage or a stall falls back to the rules (ai_sources = 'derived', the
 * reason in ai_notes) and the call still completes.
 */
const SECRET = 'ai-model-e2e-webhook-secret-0123456789ab';
const LLM_KEY = 'sk-stand-in-key-never-logged-0123456789';
const MODEL_TIMEOUT_MS = 1_500;

type Mode = 'good' | 'garbage' | 'stall';
interface Received {
  url: string;
  authorization: string | undefined;
  body: {
    model?: string;
    response_format?: { type?: string; json_schema?: { strict?: boolean } };
    messages?: { role: string; content: string }[];
  };
}

const MODEL_ANSWER = {
  sentiment: 'mixed',
  churnRisk: 'medium',
  churnReasons: ['stand-in reason'],
  themes: ['Stand-in theme', 'Second stand-in theme'],
  resolved: false,
  explanation: {
    sentiment: 'stand-in sentiment evidence',
    churnRisk: 'stand-in churn evidence',
    themes: 'stand-in themes evidence',
    resolved: 'stand-in resolved evidence',
  },
};

describe('call insights from a language model, end to end', () => {
  let sim: RunningSimulator;
  let aiOffice: string;
  let plainOffice: string;
  let llm: Server;
  let llmUrl: string;
  let mode: Mode = 'good';
  let received: Received[] = [];
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let worker: RunningWorker;
  let ingressUrl: string;

  beforeAll(async () => {
    llm = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          authorization: req.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
        });
        if (mode === 'stall') return; // never answers: the worker's timeout must give up on it
        const content = mode === 'good' ? JSON.stringify(MODEL_ANSWER) : 'Sure! Here are the insights: positive :)';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'chatcmpl-stand-in',
            object: 'chat.completion',
            model: 'stand-in',
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
    llmUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`;

    sim = await startSimulator({
      seed: 'ai-model-e2e',
      size: { offices: 2, departments: 2, callCenters: 1, users: 20, contacts: 50 },
    });
    [aiOffice, plainOffice] = sim.state.company.offices.map((o) => o.id) as [string, string];
    expect(sim.state.aiOffices.has(aiOffice)).toBe(true);

    tdb = await createTestDatabase();
    config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      CALL_AI_WAIT_SECONDS: '4',
      INSIGHTS_LLM_URL: llmUrl,
      INSIGHTS_LLM_MODEL: 'stand-in-model',
      INSIGHTS_LLM_API_KEY: LLM_KEY,
    });
    expect(config.insightsLlm).toEqual({
      endpoint: `${llmUrl}/chat/completions`,
      model: 'stand-in-model',
      apiKey: LLM_KEY,
    });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    ingressUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const dialpad = createDialpadClient(config, tdb.db, pino({ level: 'silent' }));
    worker = await startTestWorker(config, tdb.db, dialpad, undefined, {
      timeoutMs: MODEL_TIMEOUT_MS,
      retryDelayMs: 50,
    });
    await tdb.db('accounts').insert([
      { name: 'With Ai', dialpad_office_id: aiOffice },
      { name: 'Without Ai', dialpad_office_id: plainOffice },
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await tdb?.drop();
    await sim?.close();
    llm?.closeAllConnections();
    await new Promise<void>((resolve) => (llm ? llm.close(() => resolve()) : resolve()));
  });

  beforeEach(() => {
    received = [];
  });

  async function emitAndSettle(seed: string): Promise<EmitResult['expected']> {
    const result = await emitCalls({
      calls: 4,
      rate: 20,
      kinds: ['inbound_answered'],
      target: `${ingressUrl}/webhooks/dialpad`,
      secret: SECRET,
      simulator: sim.state,
      seed,
      shuffle: false,
      duplicates: 0,
      timeScale: 0.005,
      retryScale: 0.05,
    });
    expect(result.summary.givenUp).toBe(0);
    await relayPending(app, tdb.db);
    for (const c of result.expected) {
      for (const leg of c.legCallIds) await temporal.client.workflow.getHandle(callWorkflowId(leg)).result();
    }
    const withAi = result.expected.filter((c) => c.hasAi);
    expect(withAi.length).toBeGreaterThan(0);
    return withAi;
  }

  const callOf = (key: string) => tdb.db('calls').where({ dialpad_call_id: key }).first();

  it('configured: the call insights come from the model, asked with a JSON schema, the model name and the key', async () => {
    mode = 'good';
    const withAi = await emitAndSettle('ai-model-e2e-good');
    for (const c of withAi) {
      const call = await callOf(c.key);
      expect(call.ai_status).toBe('complete');
      expect(call.sentiment).toBe('mixed');
      expect(call.churn_risk).toBe('medium');
      expect(call.churn_reasons).toEqual(['stand-in reason']);
      expect(call.themes).toEqual(['Stand-in theme', 'Second stand-in theme']);
      expect(call.resolved).toBe(false);
      expect(call.ai_sources).toMatchObject({
        ai_summary: 'dialpad',
        transcript: 'dialpad',
        sentiment: 'model',
        churn_risk: 'model',
        themes: 'model',
        resolved: 'model',
      });
      expect(call.ai_explanation.sentiment).toContain('stand-in sentiment evidence');
      expect(call.ai_notes).toBeNull();
      // What left our systems: this call's recap and transcript, to the configured endpoint only.
      const asked = received.filter(
        (r) =>
          (JSON.parse(r.body.messages?.[1]?.content ?? '{}') as { recapSummary?: string }).recapSummary ===
          c.recap!.summary,
      );
      expect(asked.length).toBeGreaterThanOrEqual(1);
    }
    for (const r of received) {
      expect(r.url).toBe('/v1/chat/completions');
      expect(r.authorization).toBe(`Bearer ${LLM_KEY}`);
      expect(r.body.model).toBe('stand-in-model');
      expect(r.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    }
  });

  it('a model answering garbage: the rules stand in, the reason is noted, the call completes', async () => {
    mode = 'garbage';
    const withAi = await emitAndSettle('ai-model-e2e-garbage');
    for (const c of withAi) {
      const call = await callOf(c.key);
      expect(call.status).toBe('answered');
      expect(call.ai_status).toBe('complete');
      expect(call.sentiment).not.toBeNull();
      expect(call.themes).not.toContain('Stand-in theme');
      expect(call.ai_sources).toMatchObject({ sentiment: 'derived', churn_risk: 'derived', themes: 'derived' });
      expect(call.ai_notes).toEqual([{ part: 'model', reason: 'answer is not JSON; the rules were used' }]);
    }
    // A malformed answer is not retried: one request per final derivation.
    expect(received.length).toBeGreaterThanOrEqual(withAi.length);
    expect(received.length).toBeLessThanOrEqual(withAi.length * 2);
  });

  it('a model that never answers: the timeout gives up on it, the rules stand in, the call completes', async () => {
    mode = 'stall';
    const withAi = await emitAndSettle('ai-model-e2e-stall');
    for (const c of withAi) {
      const call = await callOf(c.key);
      expect(call.status).toBe('answered');
      expect(call.ai_status).toBe('complete');
      expect(call.sentiment).not.toBeNull();
      expect(call.ai_sources).toMatchObject({ sentiment: 'derived', churn_risk: 'derived', themes: 'derived' });
      expect(call.ai_notes).toEqual([
        { part: 'model', reason: `timed out after ${MODEL_TIMEOUT_MS} ms; the rules were used` },
      ]);
    }
  });
});
