import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dialpadErrorBody, sendDialpad } from '../http';
import { rateLimitBucket, type Fault, type RecordedRequest, type SimulatorState } from '../state';

const records = new WeakMap<FastifyRequest, RecordedRequest>();

/**
 * What every /api/v2 request goes through before its route: recorded (for `/_sim/requests`), the
 * API key checked, injected latency and faults applied, and Dialpad's rate limits.
 */
export function registerGate(api: FastifyInstance, state: SimulatorState): void {
  api.addHook('onRequest', async (request) => {
    const url = new URL(request.url, 'http://sim');
    records.set(
      request,
      state.recordRequest({
        at: performance.timeOrigin + performance.now(),
        method: request.method,
        path: url.pathname,
        route: request.routeOptions.url ?? null,
        query: Object.fromEntries(url.searchParams),
        body: undefined,
        status: null,
        durationMs: null,
        outcome: null,
      }),
    );
  });

  api.addHook('preHandler', async (request, reply) => {
    const rec = records.get(request);
    if (rec) rec.body = request.body;
    const path = rec?.path ?? request.url;
    const route = request.routeOptions.url ?? null;

    if (!authorized(request, state)) {
      if (rec) rec.outcome = 'unauthorized';
      return sendDialpad(reply, state, 401, dialpadErrorBody(401, 'Invalid or missing API key'));
    }
    const delay = state.latencyFor(path);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    const fault = state.takeFault(request.method, path, route);
    if (fault) {
      if (rec) rec.outcome = 'fault';
      return sendFault(reply, state, fault);
    }

    if (state.rateLimits.enabled) {
      const now = performance.timeOrigin + performance.now();
      const endpointKey = `${request.method} ${route ?? path}`;
      const rule = state.rateLimits.endpoints[endpointKey] ?? state.rateLimits.defaultEndpoint;
      // Only admitted requests count; the company window is checked first so a request refused
      // company-wide does not use up its endpoint's budget.
      const company = state.rateLimits.company;
      if (!state.admit('company', company, now)) {
        if (rec) rec.outcome = 'rate_limited';
        return sendDialpad(
          reply,
          state,
          429,
          dialpadErrorBody(429, `Rate limit exceeded: ${company.count} requests per ${company.perMs} ms per company`),
        );
      }
      if (!state.admit(rateLimitBucket(endpointKey), rule, now)) {
        if (rec) rec.outcome = 'rate_limited';
        return sendDialpad(
          reply,
          state,
          429,
          dialpadErrorBody(429, `Rate limit exceeded for ${endpointKey}: ${rule.count} requests per ${rule.perMs} ms`),
        );
      }
    }
    if (rec) rec.outcome = 'handled';
    return undefined;
  });

  api.addHook('onResponse', async (request, reply) => {
    const rec = records.get(request);
    if (rec) {
      rec.status = reply.statusCode;
      rec.durationMs = reply.elapsedTime;
    }
  });

  api.setNotFoundHandler((request, reply) =>
    sendDialpad(
      reply,
      state,
      404,
      dialpadErrorBody(404, `No such endpoint: ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}

function sendFault(reply: FastifyReply, state: SimulatorState, fault: Fault): FastifyReply {
  for (const [k, v] of Object.entries(fault.headers)) void reply.header(k, v);
  const body =
    fault.body !== undefined && fault.body !== null
      ? fault.body
      : dialpadErrorBody(fault.status, fault.status === 429 ? 'Rate limit exceeded' : 'Simulated failure');
  if (typeof body === 'string') return reply.code(fault.status).type('text/plain; charset=utf-8').send(body);
  return sendDialpad(reply, state, fault.status, body);
}

function authorized(request: FastifyRequest, state: SimulatorState): boolean {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const key = bearer ?? new URL(request.url, 'http://sim').searchParams.get('apikey') ?? undefined;
  if (!key) return false;
  return state.apiKey === undefined || key === state.apiKey;
}
