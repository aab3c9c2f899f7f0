import { emitCalls, type Conversation, type EmitResult } from '../../simulator';
import type { ReliabilityEnv } from './env';
import { ascending, percentile } from '../../lib/percentile';

/**
 * Delivers simulated calls to the ingress the way Dialpad does (the simulator's emitter: signed
 * bodies, 5 s timeout, retries only after a 5xx at about 2, 4 and 8 s), and records every HTTP
 * attempt (time, status, latency) so a scenario can look at what the ingress answered during an
 * outage. With `maxCopies` > 1 each distinct signed body is posted again 0..maxCopies-1 more times
 * (some at once, racing the original, the rest spread over `spreadMs`): Dialpad's duplicates.
 */
export interface Attempt {
  at: number;
  ms: number;
  status: number | null;
  /** Why there was no answer: timeout, a socket error code… */
  error?: string;
  copy: boolean;
}

export interface Emission {
  result: EmitResult;
  attempts: Attempt[];
  /**
   * Extra copies of events. A copy shed with 503 is sent again after its Retry-After, up to three
   * times, as Dialpad retries any delivery answered 5xx: `statuses` counts final answers, `shed`
   * the 503s on the way.
   */
  copies: { sent: number; ok: number; failed: number; shed: number; statuses: Record<string, number> };
}

export interface EmitRequest {
  calls: number;
  rate: number;
  seed: string;
  shuffle?: boolean;
  duplicates?: number;
  maxCopies?: number;
  spreadMs?: number;
  retryScale?: number;
  /** Most copies in flight at once. */
  copyConcurrency?: number;
}

/** Everything sensitive the emitted calls carried, for the log scans (db-errors, logs). */
export const emitted = {
  phoneNumbers: new Set<string>(),
  /** Transcript lines and voicemail transcriptions. */
  transcriptLines: new Set<string>(),
  /** Ai recap summaries and action items. */
  aiTexts: new Set<string>(),
  /** Full names of the company's contacts who called or were called. */
  contactNames: new Set<string>(),
};

/** Adds what these conversations carried to `emitted`. */
export function noteEmitted(conversations: readonly Conversation[]): void {
  for (const conv of conversations) {
    for (const leg of conv.legs) {
      for (const n of [leg.external_number, leg.internal_number, leg.contact.phone, leg.target.phone]) {
        if (n && /^\+\d{7,15}$/.test(n)) emitted.phoneNumbers.add(n);
      }
      if (leg.transcription_text) emitted.transcriptLines.add(leg.transcription_text);
      // Known contacts only: an unknown caller's caller-id name is a place or a number.
      if (conv.expected.knownContact && leg.contact.id === conv.expected.contactId && leg.contact.name)
        emitted.contactNames.add(leg.contact.name);
    }
    for (const line of conv.ai?.transcript ?? []) {
      if (line.type === 'transcript' && line.content.length >= 12) emitted.transcriptLines.add(line.content);
    }
    if (conv.ai) {
      for (const t of [conv.ai.recap.summary, ...conv.ai.recap.actionItems]) if (t.length >= 12) emitted.aiTexts.add(t);
    }
  }
}

/** A small seeded PRNG (mulberry32), so copies are reproducible from the seed. */
export function prng(seedText: string): () => number {
  let a = 0;
  for (const ch of seedText) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many times a shed copy is sent again (Dialpad retries a 5xx delivery). */
const COPY_RETRIES = 3;

export async function emit(env: ReliabilityEnv, req: EmitRequest): Promise<Emission> {
  const attempts: Attempt[] = [];
  const copies = { sent: 0, ok: 0, failed: 0, shed: 0, statuses: {} as Record<string, number> };
  const copyPromises: Promise<void>[] = [];
  const seen = new Set<string>();
  const random = prng(req.seed);
  const maxCopies = Math.max(1, Math.floor(req.maxCopies ?? 1));
  const spreadMs = req.spreadMs ?? 5000;
  const copySlots = new Semaphore(req.copyConcurrency ?? 32);

  const timed = async (url: string, init: RequestInit, copy: boolean): Promise<Response> => {
    const at = Date.now();
    try {
      const res = await fetch(url, init);
      attempts.push({ at, ms: Date.now() - at, status: res.status, copy });
      return res;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const error = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.cause?.message ?? e.message);
      attempts.push({ at, ms: Date.now() - at, status: null, error, copy });
      throw err;
    }
  };

  const postCopy = async (url: string, body: string | Uint8Array, headers: RequestInit['headers']) => {
    // Copies are bounded in flight (Dialpad's duplicates are not a flood of parallel connections).
    await copySlots.acquire();
    copies.sent++;
    try {
      const post = async () => {
        const answer = await timed(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) }, true);
        await answer.arrayBuffer();
        return answer;
      };
      let res = await post();
      for (let retry = 0; res.status === 503 && retry < COPY_RETRIES; retry++) {
        copies.shed++;
        const after = Number(res.headers.get('retry-after') ?? 2);
        await new Promise((r) => setTimeout(r, (Number.isFinite(after) ? after : 2) * 1000));
        res = await post();
      }
      copies.statuses[res.status] = (copies.statuses[res.status] ?? 0) + 1;
      if (res.ok) copies.ok++;
      else copies.failed++;
    } catch (err) {
      copies.failed++;
      const key = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network_error';
      copies.statuses[key] = (copies.statuses[key] ?? 0) + 1;
    } finally {
      copySlots.release();
    }
  };

  const fetchWithCopies = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = init?.body as string | Uint8Array | undefined;
    if (maxCopies > 1 && body !== undefined) {
      const key = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      if (!seen.has(key)) {
        seen.add(key);
        const extra = Math.floor(random() * maxCopies); // 0 .. maxCopies-1 more: 1..maxCopies in all
        for (let i = 0; i < extra; i++) {
          const delay = random() < 0.25 ? 0 : Math.floor(random() * spreadMs);
          copyPromises.push(
            new Promise<void>((r) => setTimeout(r, delay)).then(() => postCopy(url, body, init?.headers)),
          );
        }
      }
    }
    return timed(url, init ?? {}, false);
  }) as typeof fetch;

  const result = await emitCalls({
    calls: req.calls,
    rate: req.rate,
    target: env.webhookUrl,
    secret: env.secrets.webhookSecret,
    simulator: env.sim.state,
    seed: req.seed,
    shuffle: req.shuffle ?? true,
    duplicates: req.duplicates ?? 0,
    timeScale: env.options.timeScale,
    retryScale: req.retryScale ?? 1,
    keepDeliveries: true,
    fetch: fetchWithCopies,
  });
  await Promise.all(copyPromises);

  noteEmitted(result.conversations);
  return { result, attempts, copies };
}

export class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Status counts of first-hand and copy attempts in a time window. */
export function attemptsBetween(attempts: Attempt[], from: number, to: number) {
  const inWindow = attempts.filter((a) => a.at >= from && a.at < to);
  const statuses: Record<string, number> = {};
  for (const a of inWindow) {
    const key = a.status === null ? `no answer: ${a.error ?? '?'}` : String(a.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    count: inWindow.length,
    ok: inWindow.filter((a) => a.status !== null && a.status >= 200 && a.status < 300).length,
    s5xx: inWindow.filter((a) => a.status !== null && a.status >= 500).length,
    s4xx: inWindow.filter((a) => a.status !== null && a.status >= 400 && a.status < 500).length,
    networkErrors: inWindow.filter((a) => a.status === null).length,
    maxMs: inWindow.reduce((m, a) => Math.max(m, a.ms), 0),
    p99Ms: percentile(ascending(inWindow.map((a) => a.ms)), 99) || 0,
    statuses,
  };
}
