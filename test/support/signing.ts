import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CompactSign, SignJWT } from 'jose';

export const EXAMPLES_DIR = join(__dirname, '..', 'fixtures', 'dialpad-examples');

/** One of the example Dialpad payloads in test/fixtures/dialpad-examples, with overrides. */
export function example(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
  return { ...base, ...overrides };
}

/** Signs an event as Dialpad does: the body is a compact HS256 JWS whose payload is the event. */
export async function signEvent(
  event: Record<string, unknown>,
  secret: string,
  opts: { iat?: number } = {},
): Promise<string> {
  const jwt = new SignJWT(event).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (opts.iat !== undefined) jwt.setIssuedAt(opts.iat);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** Posts an event to the ingress's webhook as Dialpad delivers it, signed with `secret`; the answer. */
export async function postWebhook(app: FastifyInstance, event: Record<string, unknown>, secret: string) {
  return app.inject({
    method: 'POST',
    url: '/webhooks/dialpad',
    payload: await signEvent(event, secret),
    headers: { 'content-type': 'application/jwt' },
  });
}

/** A JWS with any header and raw payload text (for forgeries and alg confusion). */
export async function signRaw(
  payload: string,
  secret: string,
  alg: 'HS256' | 'HS384' | 'HS512' = 'HS256',
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));
}

export function unsignedToken(event: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(event)}.`;
}
