import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev/paths';

/**
 * Webhook bodies for the ingress benchmark: Dialpad's own example events (the repo's copy in
 * test/fixtures/dialpad-examples, about 1.3 KB of JSON each), each made a new delivery
 * with a fresh call id and event timestamp, and signed as Dialpad signs them (a compact HS256 JWS).
 * Signing is synchronous (node:crypto) so autocannon's setupRequest can make one per request.
 */
export const EXAMPLES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'dialpad-examples');

/** The hangup-type events Dialpad sends for every leg: half answered, half not. */
export const INGRESS_EXAMPLES = [
  'hangup-answered-inbound',
  'hangup-unanswered-inbound',
  'hangup-outbound',
  'missed-inbound',
] as const;

/** The office of the examples' targets: the benchmark links an account to it. */
export const EXAMPLE_OFFICE_ID = '5527348325810176';

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export function signJws(json: string, secret: string): string {
  const signingInput = `${HEADER}.${b64url(json)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

export interface BodyFactory {
  /** The next event as JSON (a new call id every time). */
  nextJson(): string;
  /** The same, signed. */
  nextBody(): string;
  readonly made: number;
}

/**
 * `seed` keeps the call ids of two factories apart (ingress run, signal baseline): 16-digit ids
 * starting at 7·10^15 + seed·10^12.
 */
export function bodyFactory(secret: string, seed: number): BodyFactory {
  const templates = INGRESS_EXAMPLES.map(
    (name) => JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>,
  );
  let n = 0;
  const base = 7_000_000_000_000_000 + seed * 1_000_000_000_000;
  const nextJson = () => {
    const t = templates[n % templates.length]!;
    const now = Date.now();
    const started = Number(t.date_started);
    const shift = now - 1_000 - Number(t.date_ended ?? started);
    const event: Record<string, unknown> = {
      ...t,
      call_id: base + n,
      date_started: started + shift,
      date_ended: Number(t.date_ended) + shift,
      ...(t.date_connected ? { date_connected: Number(t.date_connected) + shift } : {}),
      ...(t.date_rang ? { date_rang: Number(t.date_rang) + shift } : {}),
      ...(t.date_first_rang ? { date_first_rang: Number(t.date_first_rang) + shift } : {}),
      // A different caller each time, from a 10^6 block, so matching does real lookups.
      external_number: `+1415${String(2_000_000 + (n % 1_000_000)).padStart(7, '0')}`,
      event_timestamp: now,
    };
    n++;
    return JSON.stringify(event);
  };
  return {
    nextJson,
    nextBody: () => signJws(nextJson(), secret),
    get made() {
      return n;
    },
  };
}
