import { CompactSign } from 'jose';
import type { Logger } from 'pino';
import { sleep } from '../../src/dialpad/rate-limit';
import { generateConversations, type Conversation, type ConversationKind, type ExpectedConversation } from './calls';
import type { CompanySize, SimCompany } from './company';
import { Random } from './random';
import { webhookJson } from './render';
import type { SimulatorState } from './state';
import { callRecords, resolveSimulator, resolveTarget, subscribedDestinations } from './emit-targets';

export { callRecords, subscribedDestinations };

/**
 * The call emitter: generates call lifecycles for the seeded company and delivers their events
 * the way Dialpad does (API-NOTES §1): the raw body is a compact HS256 JWS whose claims are the
 * event (plain JSON without a secret), a 5 s timeout, retries only after a 5xx at about 2, 4 and
 * 8 s, at most two quick extra tries after a timeout or connection failure, never a retry after a
 * 4xx (429 included), duplicates and out-of-order delivery on request.
 */

export interface EmitTarget {
  url: string;
  /** The webhook secret; without one, events go out as plain JSON. */
  secret?: string | null;
}

export interface EmitOptions {
  /** Conversations to generate (each is one or more legs and several events). */
  calls: number;
  /** Conversations started per second. */
  rate: number;
  /** Every event goes here. Without it, events go to the simulator's webhooks per its subscriptions. */
  target?: string | EmitTarget;
  secret?: string;
  /**
   * The simulator whose company the calls belong to: its state (in-process) or its base URL. The
   * generated calls are registered there, so GET /call/{id}, transcripts and ai_recap serve them.
   */
  simulator?: SimulatorState | string;
  /** Without a simulator: the company to call (default: the default seeded company). */
  company?: SimCompany;
  companySeed?: string;
  size?: Partial<CompanySize>;
  largeIds?: boolean;
  /** Offices with Dialpad Ai on (default: the simulator's setting, or every office but the last). */
  aiOfficeIds?: Iterable<string>;
  /** Seed of the calls; the default is random, so two runs do not reuse call ids. */
  seed?: string;
  /** Seed of the ids alone (default `seed`): the same conversations again under new call ids. */
  idSeed?: string;
  kinds?: readonly ConversationKind[];
  kindWeights?: Partial<Record<ConversationKind, number>>;
  /** Probability that an event is delivered twice. */
  duplicates?: number;
  /** Deliver each conversation's events in random order, interleaved with other conversations. */
  shuffle?: boolean;
  /** Real ms per virtual ms for the Ai delay: 0.01 turns "3 minutes later" into 1.8 s. */
  timeScale?: number;
  /** Multiplies Dialpad's retry delays (2, 4, 8 s). */
  retryScale?: number;
  retryDelaysMs?: readonly number[];
  /** Dialpad waits this long for an answer. */
  timeoutMs?: number;
  /** Quick extra tries after a timeout or connection failure. */
  networkRetries?: number;
  /**
   * Content-Type of signed bodies. Dialpad does not document it; 'vary' (the default) rotates
   * through application/json, text/plain, application/jwt and none, so receivers must read the
   * raw body whatever the header says.
   */
  contentType?: string | null;
  /** Real epoch ms of the first conversation (default: now + 200 ms). */
  startAt?: number;
  /** Keep a record of every delivery in the result (default true; the CLI turns it off). */
  keepDeliveries?: boolean;
  onProgress?: (progress: { done: number; total: number }) => void;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface EmitSummary {
  conversations: number;
  /** Distinct events generated. */
  events: number;
  /** Deliveries: events × destinations, plus duplicates. */
  sent: number;
  duplicates: number;
  /** HTTP requests made (first tries and retries). */
  attempts: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  statusOther: number;
  networkErrors: number;
  /** Attempts after the first, per delivery. */
  retried: number;
  /** Deliveries acknowledged with a 2xx. */
  delivered: number;
  /** Deliveries answered with a 4xx (or another non-retryable status): dropped, as Dialpad drops them. */
  rejected: number;
  /** Deliveries still failing after the retries. */
  exhausted: number;
  /** rejected + exhausted: events the receiver never acknowledged. */
  givenUp: number;
  durationMs: number;
}

export interface DeliveryAttempt {
  /** Real epoch ms. */
  at: number;
  status: number | null;
  error?: string;
}

export interface DeliveryRecord {
  conversation: number;
  callId: string;
  state: string;
  eventTimestamp: number;
  duplicate: boolean;
  url: string;
  webhookId: string | null;
  contentType: string | null;
  signed: boolean;
  dueAt: number;
  attempts: DeliveryAttempt[];
  outcome: 'delivered' | 'rejected' | 'exhausted' | 'pending';
}

export interface EmitResult {
  summary: EmitSummary;
  expected: ExpectedConversation[];
  conversations: Conversation[];
  deliveries: DeliveryRecord[];
  seed: string;
}

interface Delivery {
  record: DeliveryRecord;
  body: () => Promise<string>;
}

const VARIED_CONTENT_TYPES = ['application/json', 'text/plain', 'application/jwt', null] as const;
export const DIALPAD_RETRY_DELAYS_MS = [2000, 4000, 8000] as const;

/** The HTTP body Dialpad sends for an event: a compact HS256 JWS over the event JSON (no exp). */
export async function signEvent(eventJson: string, secret: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(eventJson))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

export async function emitCalls(options: EmitOptions): Promise<EmitResult> {
  if (!Number.isInteger(options.calls) || options.calls < 0) throw new RangeError('calls must be a whole number');
  if (!(options.rate > 0)) throw new RangeError('rate must be > 0 conversations per second');
  const duplicates = options.duplicates ?? 0;
  if (duplicates < 0 || duplicates > 1) throw new RangeError('duplicates is a probability between 0 and 1');
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
  const retryScale = options.retryScale ?? 1;
  const retryDelays = options.retryDelaysMs ?? DIALPAD_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 5000;
  const networkRetries = options.networkRetries ?? 2;
  const fetchImpl = options.fetch ?? fetch;
  const log = options.logger;
  const seed = options.seed ?? `calls-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const r = new Random(seed, 'delivery');

  const sim = await resolveSimulator(options);
  const fixedTarget = resolveTarget(options);
  if (!fixedTarget && !sim.state) {
    throw new Error('emitCalls: give a target URL, or an in-process simulator whose webhooks receive the events');
  }

  const startAt = options.startAt ?? Date.now() + 200;
  const sendTime = (i: number) => startAt + (i * 1000) / options.rate;
  const bases = new Map<number, number>();
  const conversations = generateConversations(
    {
      company: sim.company,
      seed,
      ...(options.idSeed ? { idSeed: options.idSeed } : {}),
      aiOfficeIds: sim.aiOfficeIds,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      ...(options.kindWeights ? { kindWeights: options.kindWeights } : {}),
      // Every event is timestamped before it is sent; Ai events keep their minutes-later
      // timestamps while their delivery is compressed by timeScale.
      placeAt: (i, liveSpan, aiSpan) => {
        const base = Math.round(sendTime(i) - liveSpan - 1000 - aiSpan * Math.max(0, 1 - timeScale));
        bases.set(i, base);
        return base;
      },
    },
    options.calls,
  );

  // Schedule: real delivery times, destinations, duplicates.
  const deliveries: Delivery[] = [];
  let events = 0;
  let contentTypeTurn = 0;
  const aiReadyAt = new Map<number, number>();
  for (const conv of conversations) {
    const liveEnd = (bases.get(conv.index) as number) + conv.liveSpanMs;
    let k = 0;
    for (const event of conv.events) {
      events++;
      let dueAt =
        event.phase === 'live'
          ? sendTime(conv.index) + (options.shuffle ? r.int(0, 1500) : k++ * 10)
          : sendTime(conv.index) +
            (event.eventTimestamp - liveEnd) * timeScale +
            (options.shuffle ? r.int(0, 1500) : 0);
      dueAt = Math.round(dueAt);
      if (event.phase === 'ai') aiReadyAt.set(conv.index, Math.min(aiReadyAt.get(conv.index) ?? Infinity, dueAt));
      const destinations = fixedTarget
        ? [fixedTarget]
        : subscribedDestinations(sim.state as SimulatorState, event.state, event.payload);
      const json = webhookJson(event.payload);
      for (const dest of destinations) {
        const bodyOnce = once(() => (dest.secret ? signEvent(json, dest.secret) : Promise.resolve(json)));
        const contentType = !dest.secret
          ? 'application/json'
          : options.contentType === undefined || options.contentType === 'vary'
            ? (VARIED_CONTENT_TYPES[contentTypeTurn++ % VARIED_CONTENT_TYPES.length] ?? null)
            : options.contentType;
        const copies = 1 + (r.chance(duplicates) ? 1 : 0);
        for (let c = 0; c < copies; c++) {
          deliveries.push({
            body: bodyOnce,
            record: {
              conversation: conv.index,
              callId: event.callId,
              state: event.state,
              eventTimestamp: event.eventTimestamp,
              duplicate: c > 0,
              url: dest.url,
              webhookId: dest.webhookId,
              contentType,
              signed: dest.secret !== null,
              dueAt: c === 0 ? dueAt : dueAt + r.int(100, 3000),
              attempts: [],
              outcome: 'pending',
            },
          });
        }
      }
    }
  }

  // Register before the first event, so a receiver that calls back finds the call.
  await sim.register(callRecords(conversations, (conv) => aiReadyAt.get(conv.index) ?? Date.now()));

  const summary: EmitSummary = {
    conversations: conversations.length,
    events,
    sent: deliveries.length,
    duplicates: deliveries.filter((d) => d.record.duplicate).length,
    attempts: 0,
    status2xx: 0,
    status4xx: 0,
    status5xx: 0,
    statusOther: 0,
    networkErrors: 0,
    retried: 0,
    delivered: 0,
    rejected: 0,
    exhausted: 0,
    givenUp: 0,
    durationMs: 0,
  };
  let done = 0;
  const total = deliveries.length;
  options.onProgress?.({ done, total });

  const attempt = async (d: Delivery): Promise<DeliveryAttempt> => {
    const body = await d.body();
    const at = Date.now();
    summary.attempts++;
    try {
      const res = await fetchImpl(d.record.url, {
        method: 'POST',
        // A byte body makes fetch send no Content-Type at all.
        body: d.record.contentType === null ? new TextEncoder().encode(body) : body,
        headers: {
          ...(d.record.contentType ? { 'Content-Type': d.record.contentType } : {}),
          'User-Agent': 'Dialpad-Webhook-Simulator',
        },
        signal: options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      const s = res.status;
      if (s >= 200 && s < 300) summary.status2xx++;
      else if (s >= 400 && s < 500) summary.status4xx++;
      else if (s >= 500) summary.status5xx++;
      else summary.statusOther++;
      return { at, status: s };
    } catch (err) {
      summary.networkErrors++;
      const e = err as Error & { cause?: { code?: string } };
      return {
        at,
        status: null,
        error: e.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (e.cause?.code ?? e.message),
      };
    }
  };

  const deliver = async (d: Delivery): Promise<void> => {
    let serverRetries = 0;
    let quickRetries = 0;
    for (;;) {
      const a = await attempt(d);
      d.record.attempts.push(a);
      if (a.status !== null && a.status >= 200 && a.status < 300) {
        d.record.outcome = 'delivered';
        break;
      }
      if (a.status !== null && a.status >= 500) {
        const delay = retryDelays[serverRetries];
        if (delay !== undefined && !options.signal?.aborted) {
          serverRetries++;
          summary.retried++;
          await sleep(delay * retryScale * (0.9 + r.next() * 0.2));
          continue;
        }
        d.record.outcome = 'exhausted';
        break;
      }
      if (a.status === null) {
        if (quickRetries < networkRetries && !options.signal?.aborted) {
          quickRetries++;
          summary.retried++;
          continue;
        }
        d.record.outcome = 'exhausted';
        break;
      }
      // 4xx (429 included) and anything else: Dialpad never retries.
      d.record.outcome = 'rejected';
      break;
    }
    if (d.record.outcome === 'delivered') summary.delivered++;
    else if (d.record.outcome === 'rejected') summary.rejected++;
    else summary.exhausted++;
    if (d.record.outcome !== 'delivered') {
      log?.warn(
        {
          callId: d.record.callId,
          state: d.record.state,
          outcome: d.record.outcome,
          attempts: d.record.attempts.length,
        },
        'event not delivered',
      );
    }
    options.onProgress?.({ done: ++done, total });
  };

  const started = Date.now();
  deliveries.sort((a, b) => a.record.dueAt - b.record.dueAt);
  const inFlight: Promise<void>[] = [];
  for (const d of deliveries) {
    const wait = d.record.dueAt - Date.now();
    if (wait > 0) await sleep(wait, options.signal);
    options.signal?.throwIfAborted();
    inFlight.push(deliver(d));
  }
  await Promise.all(inFlight);
  summary.givenUp = summary.rejected + summary.exhausted;
  summary.durationMs = Date.now() - started;
  log?.info({ summary }, 'emission finished');

  return {
    summary,
    expected: conversations.map((c) => c.expected),
    conversations,
    deliveries: options.keepDeliveries === false ? [] : deliveries.map((d) => d.record),
    seed,
  };
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
