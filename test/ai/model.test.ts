import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { CallInsightsInput } from '../../src/ai/derive';
import { deriveCallInsights } from '../../src/ai/derive';
import type { LlmConfig, ModelLogger } from '../../src/ai/model';
import { deriveCallInsightsWithModel, llmConfigFromEnv } from '../../src/ai/model';

// A stand-in for an OpenAI-compatible chat-completions server on 127.0.0.1: each test queues how the
// next requests are answered and reads back what was sent.
type Reply = { status?: number; body?: string; delayMs?: number };
interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
let replies: Reply[] = [];
let received: Received[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      const reply = replies.shift() ?? { status: 500, body: '{"error":"no reply queued"}' };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  replies = [];
  received = [];
});

const SECRET_KEY = 'sk-test-do-not-log-0123456789';
const TRANSCRIPT_MARKER = 'Zanzibar-quince';

const call: CallInsightsInput = {
  recapSummary: 'Customer complained the fridge arrived dented and asked for a replacement.',
  recapOutcome: 'Replacement booked',
  recapPurposes: ['Damaged delivery'],
  transcriptLines: [
    { type: 'transcript', content: 'Hello, how can I help?', speaker: 'agent' },
    {
      type: 'transcript',
      content: `The fridge came dented, the ${TRANSCRIPT_MARKER} model, I'm not impressed at all.`,
      speaker: 'caller',
    },
    { type: 'transcript', content: "I've booked a replacement for Thursday.", speaker: 'agent' },
    { type: 'transcript', content: 'Fine. If the next one is dented too I am done with you.', speaker: 'caller' },
  ],
};

const goodAnswer = {
  sentiment: 'negative',
  churnRisk: 'high',
  churnReasons: ['conditional threat to leave if the replacement is damaged'],
  themes: ['Damaged fridge', 'Replacement', 'Mate', 'Cheers'],
  resolved: true,
  explanation: {
    sentiment: 'The caller is annoyed throughout.',
    churnRisk: 'Conditional threat to leave.',
    themes: 'Damaged item and its replacement.',
    resolved: 'A replacement was booked.',
  },
};

const completion = (content: unknown) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: typeof content === 'string' ? content : JSON.stringify(content) },
      },
    ],
  });

function config(): LlmConfig {
  const c = llmConfigFromEnv({
    INSIGHTS_LLM_URL: baseUrl,
    INSIGHTS_LLM_MODEL: 'test-model',
    INSIGHTS_LLM_API_KEY: SECRET_KEY,
  });
  if (!c) throw new Error('expected a config');
  return c;
}

function recordingLogger(): ModelLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (fields, message) => lines.push(JSON.stringify({ fields, message })) };
}

describe('llmConfigFromEnv', () => {
  it('is off (null) when none of the variables is set or they are blank', () => {
    expect(llmConfigFromEnv({})).toBeNull();
    expect(llmConfigFromEnv({ INSIGHTS_LLM_URL: ' ', INSIGHTS_LLM_MODEL: '' })).toBeNull();
  });

  it('posts to {url}/chat/completions for a base URL, and to the URL as given when it already ends so', () => {
    expect(llmConfigFromEnv({ INSIGHTS_LLM_URL: 'https://llm.example/v1/', INSIGHTS_LLM_MODEL: 'm' })).toEqual({
      endpoint: 'https://llm.example/v1/chat/completions',
      model: 'm',
      apiKey: null,
    });
    expect(
      llmConfigFromEnv({ INSIGHTS_LLM_URL: 'http://127.0.0.1:8080/api/chat/completions', INSIGHTS_LLM_MODEL: 'm' })
        ?.endpoint,
    ).toBe('http://127.0.0.1:8080/api/chat/completions');
  });

  it.each([
    [{ INSIGHTS_LLM_URL: 'not a url', INSIGHTS_LLM_MODEL: 'm' }, 'INSIGHTS_LLM_URL'],
    [{ INSIGHTS_LLM_URL: 'ftp://llm.example/v1', INSIGHTS_LLM_MODEL: 'm' }, 'INSIGHTS_LLM_URL'],
    [{ INSIGHTS_LLM_URL: 'https://user:pw@llm.example/v1', INSIGHTS_LLM_MODEL: 'm' }, 'INSIGHTS_LLM_URL'],
    [{ INSIGHTS_LLM_URL: 'https://llm.example/v1' }, 'INSIGHTS_LLM_MODEL'],
    [{ INSIGHTS_LLM_URL: 'https://llm.example/v1', INSIGHTS_LLM_MODEL: 'a model; rm' }, 'INSIGHTS_LLM_MODEL'],
    [
      { INSIGHTS_LLM_URL: 'https://llm.example/v1', INSIGHTS_LLM_MODEL: 'm', INSIGHTS_LLM_API_KEY: 'two words' },
      'INSIGHTS_LLM_API_KEY',
    ],
    [{ INSIGHTS_LLM_MODEL: 'm' }, 'INSIGHTS_LLM_URL'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => llmConfigFromEnv(env)).toThrow(name);
  });

  it('never puts the key in an error message', () => {
    const bad = 'sk secret with spaces';
    let message = '';
    try {
      llmConfigFromEnv({
        INSIGHTS_LLM_URL: 'https://llm.example/v1',
        INSIGHTS_LLM_MODEL: 'm',
        INSIGHTS_LLM_API_KEY: bad,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('INSIGHTS_LLM_API_KEY');
    expect(message).not.toContain('secret');
  });
});

describe('deriveCallInsightsWithModel against a stand-in server', () => {
  it('uses a good answer, asking with a JSON schema, the model name and the key', async () => {
    replies = [{ body: completion(goodAnswer) }];
    const out = await deriveCallInsightsWithModel(call, config(), { timeoutMs: 2000 });

    expect(out.model).toEqual({ used: true, attempts: 1, fallbackReason: null });
    expect(out).toMatchObject({
      sentiment: 'negative',
      churnRisk: 'high',
      churnReasons: ['conditional threat to leave if the replacement is damaged'],
      resolved: true,
      sources: { sentiment: 'model', churnRisk: 'model', themes: 'model', resolved: 'model' },
    });
    // Filler and greeting themes are dropped from the model's answer as from the rules'.
    expect(out.themes).toEqual(['Damaged fridge', 'Replacement']);
    expect(out.explanation.churnRisk).toContain('Conditional threat');

    expect(received).toHaveLength(1);
    const req = received[0]!;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.body.model).toBe('test-model');
    const format = req.body.response_format as { type: string; json_schema: { strict: boolean; schema: object } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(JSON.stringify(req.body.messages)).toContain(TRANSCRIPT_MARKER);
  });

  it('falls back to the rules on a malformed answer, without retrying', async () => {
    const log = recordingLogger();
    replies = [{ body: completion({ ...goodAnswer, sentiment: 'furious' }) }];
    const out = await deriveCallInsightsWithModel(call, config(), { timeoutMs: 2000, log });
    const rules = deriveCallInsights(call);

    expect(out.model.used).toBe(false);
    expect(out.model.fallbackReason).toMatch(/schema \(sentiment\)/);
    expect(out.model.attempts).toBe(1);
    expect({ ...out, model: undefined }).toEqual({ ...rules, model: undefined });
    expect(received).toHaveLength(1);

    replies = [{ body: completion('Sure! Here is the JSON you asked for: {') }];
    const notJson = await deriveCallInsightsWithModel(call, config(), { timeoutMs: 2000, log });
    expect(notJson.model.fallbackReason).toBe('answer is not JSON');
    expect(notJson.sentiment).toBe(rules.sentiment);
    expect(log.lines).toHaveLength(2);
  });

  it('falls back to the rules when the answer is slower than the timeout', async () => {
    replies = [{ body: completion(goodAnswer), delayMs: 1500 }];
    const started = Date.now();
    const out = await deriveCallInsightsWithModel(call, config(), { timeoutMs: 200, maxAttempts: 3 });

    expect(Date.now() - started).toBeLessThan(1200);
    expect(out.model).toEqual({ used: false, attempts: 1, fallbackReason: 'timed out after 200 ms' });
    expect(out.sources.sentiment).toBe('derived');
    expect(out.sentiment).toBe(deriveCallInsights(call).sentiment);
  });

  it('retries after a 500 and uses the second, good answer', async () => {
    replies = [{ status: 500, body: '{"error":"overloaded"}' }, { body: completion(goodAnswer) }];
    const out = await deriveCallInsightsWithModel(call, config(), { timeoutMs: 2000, retryDelayMs: 10 });

    expect(received).toHaveLength(2);
    expect(out.model).toEqual({ used: true, attempts: 2, fallbackReason: null });
    expect(out.sources.churnRisk).toBe('model');
  });

  it('gives up after the bounded number of attempts and uses the rules', async () => {
    replies = [{ status: 503 }, { status: 502 }, { status: 500 }];
    const out = await deriveCallInsightsWithModel(call, config(), { maxAttempts: 2, retryDelayMs: 10 });

    expect(received).toHaveLength(2);
    expect(out.model).toEqual({ used: false, attempts: 2, fallbackReason: 'HTTP 502' });
    expect(out.sources.sentiment).toBe('derived');
  });

  it('falls back when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = llmConfigFromEnv({ INSIGHTS_LLM_URL: `http://127.0.0.1:${port}`, INSIGHTS_LLM_MODEL: 'm' });

    const out = await deriveCallInsightsWithModel(call, unreachable, { maxAttempts: 2, retryDelayMs: 10 });
    expect(out.model.used).toBe(false);
    expect(out.model.attempts).toBe(2);
    expect(out.model.fallbackReason).toMatch(/^request failed/);
  });

  it('never logs the key or the call text', async () => {
    const log = recordingLogger();
    replies = [
      { status: 500, body: `{"error":"echo ${TRANSCRIPT_MARKER} ${SECRET_KEY}"}` },
      { body: completion(`{"x": "${TRANSCRIPT_MARKER}"}`) },
    ];
    await deriveCallInsightsWithModel(call, config(), { retryDelayMs: 10, log });

    expect(log.lines.length).toBeGreaterThan(0);
    for (const line of log.lines) {
      expect(line).not.toContain(SECRET_KEY);
      expect(line).not.toContain(TRANSCRIPT_MARKER);
      expect(line).not.toContain('dented');
    }
  });

  it("keeps Dialpad's own values and asks nothing when Dialpad sent every field", async () => {
    replies = [{ body: completion(goodAnswer) }];
    const partly = await deriveCallInsightsWithModel(
      { ...call, dialpadProvided: { sentiment: 'Positive', resolved: false } },
      config(),
      { timeoutMs: 2000 },
    );
    expect(partly).toMatchObject({ sentiment: 'positive', resolved: false, churnRisk: 'high' });
    expect(partly.sources).toEqual({ sentiment: 'dialpad', churnRisk: 'model', themes: 'model', resolved: 'dialpad' });

    received = [];
    const all = await deriveCallInsightsWithModel(
      { ...call, dialpadProvided: { sentiment: 'neutral', churnRisk: 'low', themes: ['Billing'], resolved: true } },
      config(),
    );
    expect(received).toHaveLength(0);
    expect(all.model.fallbackReason).toBe('Dialpad sent every field');
  });

  it('asks nothing for a call with no Ai data, and returns the rules when the model is off', async () => {
    const empty = await deriveCallInsightsWithModel({ disposition: 'Voicemail' }, config());
    expect(received).toHaveLength(0);
    expect(empty.sentiment).toBeNull();

    const off = await deriveCallInsightsWithModel(call, null);
    expect(off.model).toEqual({ used: false, attempts: 0, fallbackReason: 'model not configured' });
    expect(off.sentiment).toBe(deriveCallInsights(call).sentiment);
  });
});
