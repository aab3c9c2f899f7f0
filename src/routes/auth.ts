import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Constant-time comparison of bearer tokens (hashing first makes the lengths equal). */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m?.[1]?.trim();
}

export type Role = 'api' | 'admin';

/**
 * A hook requiring a role (run it onRequest, before schema validation, so an unauthenticated
 * request is a 401 whatever its body). `ADMIN_TOKEN` may do everything; `API_TOKEN` only Navigator's
 * calls. No token or an unknown one: 401. `API_TOKEN` on an administrator route: 403.
 */
export function requireRole(role: Role, tokens: { apiToken?: string; adminToken?: string }) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(req);
    if (!token) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: 'bearer token required' });
    }
    const isAdmin = tokens.adminToken !== undefined && sameToken(token, tokens.adminToken);
    const isApi = tokens.apiToken !== undefined && sameToken(token, tokens.apiToken);
    if (!isAdmin && !isApi) return reply.code(401).send({ error: 'unauthorized', message: 'invalid token' });
    if (role === 'admin' && !isAdmin) {
      return reply.code(403).send({ error: 'forbidden', message: 'this action needs the administrator token' });
    }
    req.actor = isAdmin ? 'admin' : 'api';
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: 'admin' | 'api';
  }
}
