import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { parseDialpadJson } from '../../src/dialpad/json';
import {
  DIALPAD_AI_RECAP_FORMATS,
  DIALPAD_CALL_STATES,
  DIALPAD_SUBSCRIPTION_TARGET_TYPES,
  type DialpadAiRecapFormat,
} from '../../src/dialpad/types';
import { formatSummary } from './ai-content';
import { snapshot } from './calls';
import type { SimContact } from './company';
import { registerEmitRoutes } from './emit-routes';
import {
  renderContact,
  renderGroup,
  renderOffice,
  renderSubscription,
  renderUser,
  renderWebhook,
  restJson,
  type SimCallSubscription,
  type SimWebhook,
} from './render';
import {
  rateLimitBucket,
  SimulatorState,
  type Fault,
  type RecordedRequest,
  type SimCallRecord,
  type SimulatorOptions,
} from './state';

/**
 * The Dialpad simulator: Dialpad's /api/v2 endpoints over a seeded company, with Dialpad's
 * shapes, cursors, validation and rate limits, plus `/_sim/*` admin endpoints to inject faults and
 * latency, switch Ai per office, reset, and inspect what it received.
 */

export interface StartSimulatorOptions extends SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A pino logger for request logs; default silent. */
  logger?: Logger;
}

export interface RunningSimulator {
  url: string;
  port: number;
  state: SimulatorState;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const state = new SimulatorState(options);
  const app = buildSimulatorApp(state, options.logger ? { logger: options.logger } : {});
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, state, app, close: () => app.close() };
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DIGITS = /^\d+$/;
const MAX_LIMIT = 100;

class DialpadHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new DialpadHttpError(400, message);
const notFound = (what: string) => new DialpadHttpError(404, `${what} not found`);

const REASONS: Record<number, string> = {
  400: 'badRequest',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  429: 'rateLimitExceeded',
  500: 'backendError',
  502: 'backendError',
  503: 'backendError',
  504: 'backendError',
};

/** Dialpad's error body (Google Cloud Endpoints style). */
export function dialpadErrorBody(status: number, message: string) {
  const reason = REASONS[status] ?? 'error';
  return { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } };
}

const apiRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/**
 * The Dialpad routes (`/api/v2/...`) the simulator serves, as `{method, url}` with Fastify's
 * `:param` syntax: the contract tests check each against Dialpad's OpenAPI description.
 */
export function simulatorApiRoutes(app: FastifyInstance): { method: string; url: string }[] {
  return [...(apiRoutes.get(app) ?? [])];
}

export function buildSimulatorApp(
  state: SimulatorState,
  options: { logger?: FastifyBaseLogger } = {},
): FastifyInstance {
  const app: FastifyInstance = Fastify(options.logger ? { loggerInstance: options.logger } : { logger: false });
  const routes: { method: string; url: string }[] = [];
  apiRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v2/')) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });

  // Bodies keep ids above 2^53 exact, as Dialpad's own (non-JavaScript) parser would.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseDialpadJson(text));
    } catch {
      done(new DialpadHttpError(400, 'Invalid JSON in request body'), undefined);
    }
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DialpadHttpError)
      return sendDialpad(reply, state, err.status, dialpadErrorBody(err.status, err.message));
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, 'simulator error');
    const message = status >= 500 ? 'Internal error' : (err as Error).message;
    return sendDialpad(reply, state, status, dialpadErrorBody(status, message));
  });

  void app.register(async (api) => registerApi(api, state), { prefix: '/api/v2' });
  void app.register(async (admin) => registerAdmin(admin, state), { prefix: '/_sim' });
  return app;
}

function sendDialpad(
  reply: FastifyReply,
  state: SimulatorState,
  status: number,
  body: unknown,
  ids: 'int64' | 'strings' = 'int64',
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(restJson(body, state.restIdFormat, ids));
}

// ── /api/v2 ──────────────────────────────────────────────────────────────────────────────────

const records = new WeakMap<FastifyRequest, RecordedRequest>();

function registerApi(api: FastifyInstance, state: SimulatorState): void {
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

  const { company } = state;
  const send = (reply: FastifyReply, body: unknown, status = 200) => sendDialpad(reply, state, status, body);
  /** ContactProto and AiRecapProto: every id is a string in the spec, whatever restIdFormat says. */
  const sendStringIds = (reply: FastifyReply, body: unknown) => sendDialpad(reply, state, 200, body, 'strings');
  type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>;

  // Offices, departments, call centres, users
  api.get('/offices', async (req: Req, reply) => {
    const items = company.offices.map((o) => renderOffice(o));
    return send(reply, pageOf(req, state, `offices`, items));
  });
  api.get('/offices/:id', async (req: Req, reply) => {
    const office = company.officeById.get(req.params.id ?? '');
    if (!office) throw notFound('Office');
    return send(reply, renderOffice(office));
  });
  api.get('/offices/:id/departments', async (req: Req, reply) => {
    const id = req.params.id ?? '';
    if (!company.officeById.has(id)) throw notFound('Office');
    const items = company.departments.filter((d) => d.officeId === id).map((g) => renderGroup(g, company));
    return send(reply, pageOf(req, state, `departments:${id}`, items));
  });
  api.get('/offices/:id/callcenters', async (req: Req, reply) => {
    const id = req.params.id ?? '';
    if (!company.officeById.has(id)) throw notFound('Office');
    const items = company.callCenters.filter((d) => d.officeId === id).map((g) => renderGroup(g, company));
    return send(reply, pageOf(req, state, `callcenters:${id}`, items));
  });
  for (const [path, groups, what] of [
    ['departments', company.departments, 'Department'],
    ['callcenters', company.callCenters, 'Call center'],
  ] as const) {
    api.get(`/${path}`, async (req: Req, reply) => {
      const { office_id: officeId, name_search: nameSearch } = req.query;
      const items = groups
        .filter((g) => !officeId || g.officeId === officeId)
        .filter((g) => !nameSearch || g.name.toLowerCase().includes(nameSearch.toLowerCase()))
        .map((g) => renderGroup(g, company));
      return send(reply, pageOf(req, state, `${path}:${officeId ?? ''}:${nameSearch ?? ''}`, items));
    });
    api.get(`/${path}/:id`, async (req: Req, reply) => {
      const g = company.groupById.get(req.params.id ?? '');
      if (!g || !groups.includes(g)) throw notFound(what);
      return send(reply, renderGroup(g, company));
    });
  }

  api.get('/users', async (req: Req, reply) => {
    const { state: userState, company_admin: admin, email, number, limit } = req.query;
    if (limit !== undefined) {
      if (!DIGITS.test(limit) || Number(limit) < 1) throw bad('limit must be a positive integer');
      // Dialpad caps limit at 100 and, above it, fails a fifth of requests (API-NOTES §5).
      if (Number(limit) > MAX_LIMIT && state.random.chance(0.2)) throw bad('limit must be at most 100');
    }
    // Every simulated user is active.
    const items = (userState && userState !== 'active' ? [] : company.users)
      .filter((u) => admin === undefined || String(u.isAdmin) === admin)
      .filter((u) => !email || u.email === email.toLowerCase())
      .filter((u) => !number || u.phone === number)
      .map((u) => renderUser(u, company));
    return send(
      reply,
      pageOf(req, state, `users:${userState ?? ''}:${admin ?? ''}:${email ?? ''}:${number ?? ''}`, items),
    );
  });
  api.get('/users/:id', async (req: Req, reply) => {
    const user = company.userById.get(req.params.id ?? '');
    if (!user) throw notFound('User');
    return send(reply, renderUser(user, company));
  });

  // Contacts
  api.get('/contacts', async (req: Req, reply) => {
    const ownerId = req.query.owner_id;
    const includeLocal = req.query.include_local === 'true';
    if (ownerId !== undefined && !company.userById.has(ownerId)) throw notFound('User');
    const listKey = `contacts:${ownerId ?? ''}:${includeLocal}`;
    const after = decodeCursor(req.query.cursor, listKey);
    const afterSeq = typeof after === 'number' ? after : -1;
    const filter =
      ownerId !== undefined
        ? (c: SimContact) => c.type === 'local' && c.ownerId === ownerId
        : (c: SimContact) => c.type === 'shared' || includeLocal;
    const limit = pageLimit(req, state);
    const { items, lastSeq } = state.contacts.list(afterSeq, limit, filter);
    return sendStringIds(
      reply,
      pageBody(items.map(renderContact), items.length === limit ? encodeCursor(listKey, lastSeq) : null),
    );
  });
  api.get('/contacts/:id', async (req: Req, reply) => {
    const c = state.contacts.get(req.params.id ?? '');
    if (!c) throw notFound('Contact');
    return sendStringIds(reply, renderContact(c));
  });
  api.post('/contacts', async (req, reply) => {
    const body = requireObject(req.body);
    if ('uid' in body) throw bad('uid is only accepted by PUT /api/v2/contacts');
    const fields = contactFields(body, true);
    let ownerId: string | null = null;
    if (body.owner_id !== undefined && body.owner_id !== null) {
      ownerId = idValue(body.owner_id, 'owner_id');
      if (!company.userById.has(ownerId)) throw bad(`owner_id ${ownerId} is not a user of this company`);
    }
    const contact = state.contacts.create({
      ...fields,
      id: state.newId(),
      type: ownerId ? 'local' : 'shared',
      ownerId,
      uid: null,
      country: null,
    });
    return sendStringIds(reply, renderContact(contact));
  });
  api.put('/contacts', async (req, reply) => {
    const body = requireObject(req.body);
    if ('owner_id' in body)
      throw bad('owner_id is not accepted by PUT /api/v2/contacts (it always creates a shared contact)');
    if (typeof body.uid !== 'string' || body.uid.trim() === '') throw bad('uid is required');
    const uid = body.uid;
    const fields = contactFields(body, true);
    const existing = state.contacts.findByUid(uid);
    if (existing) return sendStringIds(reply, renderContact(state.contacts.replace({ ...existing, ...fields })));
    const contact = state.contacts.create({
      ...fields,
      // Dialpad's generated id carries the uid: `<digits>_uid_<uid>` (API-NOTES §5).
      id: `${state.newId()}_uid_${uid}`,
      type: 'shared',
      ownerId: null,
      uid,
      country: null,
    });
    return sendStringIds(reply, renderContact(contact));
  });
  api.patch('/contacts/:id', async (req: Req, reply) => {
    const existing = state.contacts.get(req.params.id ?? '');
    if (!existing) throw notFound('Contact');
    const body = requireObject(req.body);
    if ('owner_id' in body) throw bad('owner_id cannot be changed');
    if ('uid' in body) throw bad('uid cannot be changed');
    return sendStringIds(reply, renderContact(state.contacts.replace({ ...existing, ...contactFields(body, false) })));
  });
  api.delete('/contacts/:id', async (req: Req, reply) => {
    const removed = state.contacts.remove(req.params.id ?? '');
    if (!removed) throw notFound('Contact');
    return sendStringIds(reply, renderContact(removed));
  });

  // Calls, transcripts, Ai recap
  api.get('/call', async (req: Req, reply) => {
    const { started_after: after, started_before: before, target_type: targetType, target_id: targetId } = req.query;
    for (const [name, v] of [
      ['started_after', after],
      ['started_before', before],
    ] as const) {
      if (v !== undefined && !DIGITS.test(v)) throw bad(`${name} must be a UTC timestamp in milliseconds`);
    }
    if (targetType !== undefined && !(DIALPAD_SUBSCRIPTION_TARGET_TYPES as readonly string[]).includes(targetType)) {
      throw bad(`Invalid target_type ${targetType}`);
    }
    if ((targetType === undefined) !== (targetId === undefined)) throw bad('target_type and target_id go together');
    const now = Date.now();
    const listKey = `calls:${after ?? ''}:${before ?? ''}:${targetType ?? ''}:${targetId ?? ''}`;
    const cursor = decodeCursor(req.query.cursor, listKey) as [number, string] | null;
    const rows = [...state.calls.values()]
      .map((r) => r.leg)
      .filter((l) => l.date_ended <= now)
      .filter((l) => after === undefined || l.date_started >= Number(after))
      .filter((l) => before === undefined || l.date_started < Number(before))
      .filter(
        (l) =>
          targetType === undefined ||
          (targetType === 'office'
            ? l.target.office_id === targetId
            : l.target.type === targetType && l.target.id === targetId),
      )
      .sort((a, b) => b.date_started - a.date_started || (a.call_id < b.call_id ? 1 : a.call_id > b.call_id ? -1 : 0))
      .filter((l) => !cursor || l.date_started < cursor[0] || (l.date_started === cursor[0] && l.call_id < cursor[1]));
    const limit = pageLimit(req, state);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return send(
      reply,
      pageBody(
        page.map((l) => renderCall(l)),
        page.length === limit && last ? encodeCursor(listKey, [last.date_started, last.call_id]) : null,
      ),
    );
  });
  api.get('/call/:id', async (req: Req, reply) => {
    const record = state.calls.get(req.params.id ?? '');
    if (!record) throw notFound('Call');
    return send(reply, renderCall(record.leg));
  });
  api.get('/call/:id/ai_recap', async (req: Req, reply) => {
    const format = (req.query.summary_format ?? 'medium') as DialpadAiRecapFormat;
    if (!DIALPAD_AI_RECAP_FORMATS.includes(format)) throw bad(`Invalid summary_format ${String(format)}`);
    const ai = readyAi(state, req.params.id ?? '', 'Ai Recap');
    const recap = ai.recap;
    let n = 0;
    const itemId = () => String(++n);
    return sendStringIds(reply, {
      call_id: req.params.id,
      summary: { id: itemId(), content: formatSummary(recap, format), format, edited: false },
      action_items: recap.actionItems.map((content) => ({ id: itemId(), content })),
      purposes: recap.purposes.map((p) => ({ id: itemId(), category: p.category, content: p.content })),
      disposition: { id: itemId(), content: recap.outcome },
      source: 'dialpad-ai',
      is_internal_call: ai.isInternal,
      date_created: Math.round(ai.readyAt),
      date_modified: Math.round(ai.readyAt),
    });
  });
  api.get('/transcripts/:id', async (req: Req, reply) => {
    const ai = readyAi(state, req.params.id ?? '', 'Transcript');
    return send(reply, { call_id: req.params.id, lines: ai.transcript });
  });

  // Webhooks
  api.post('/webhooks', async (req, reply) => {
    const body = requireObject(req.body);
    const hookUrl = hookUrlValue(body.hook_url);
    const secret = secretValue(body.secret);
    const webhook: SimWebhook = { id: state.newId(), seq: state.nextSeq(), hookUrl, secret };
    state.webhooks.set(webhook.id, webhook);
    return send(reply, renderWebhook(webhook));
  });
  api.get('/webhooks', async (req: Req, reply) => {
    const items = [...state.webhooks.values()].sort((a, b) => a.seq - b.seq);
    return send(reply, keysetPage(req, state, 'webhooks', items, renderWebhook));
  });
  api.get('/webhooks/:id', async (req: Req, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    return send(reply, renderWebhook(w));
  });
  api.patch('/webhooks/:id', async (req: Req, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    const body = requireObject(req.body);
    if (body.hook_url !== undefined) w.hookUrl = hookUrlValue(body.hook_url);
    if (body.secret !== undefined) w.secret = secretValue(body.secret);
    return send(reply, renderWebhook(w));
  });
  api.delete('/webhooks/:id', async (req: Req, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    state.webhooks.delete(w.id);
    for (const s of state.subscriptions.values()) if (s.endpointId === w.id) state.subscriptions.delete(s.id);
    return send(reply, renderWebhook(w));
  });

  // Call event subscriptions
  api.post('/subscriptions/call', async (req, reply) => {
    const body = requireObject(req.body);
    const endpointRaw = body.endpoint_id ?? body.webhook_id;
    if (endpointRaw === undefined || endpointRaw === null) throw bad('endpoint_id is required');
    const endpointId = idValue(endpointRaw, 'endpoint_id');
    if (!state.webhooks.has(endpointId))
      throw bad(`endpoint_id ${endpointId} is not a webhook or websocket of this company`);
    if (state.subscriptions.size >= 100) throw bad('At most 100 call event subscriptions per company');
    const sub: SimCallSubscription = {
      id: state.newId(),
      seq: state.nextSeq(),
      callStates: callStatesValue(body.call_states),
      enabled: boolValue(body.enabled, 'enabled') ?? true,
      groupCallsOnly: boolValue(body.group_calls_only, 'group_calls_only') ?? false,
      ...targetValue(body.target_type, body.target_id),
      endpointId,
    };
    state.subscriptions.set(sub.id, sub);
    return send(reply, renderSubscription(sub, state.webhooks.get(endpointId)));
  });
  api.get('/subscriptions/call', async (req: Req, reply) => {
    const { target_type: targetType, target_id: targetId } = req.query;
    const items = [...state.subscriptions.values()]
      .filter((s) => targetType === undefined || s.targetType === targetType)
      .filter((s) => targetId === undefined || s.targetId === targetId)
      .sort((a, b) => a.seq - b.seq);
    return send(
      reply,
      keysetPage(req, state, `subscriptions:${targetType ?? ''}:${targetId ?? ''}`, items, (s) =>
        renderSubscription(s, state.webhooks.get(s.endpointId)),
      ),
    );
  });
  api.get('/subscriptions/call/:id', async (req: Req, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });
  api.patch('/subscriptions/call/:id', async (req: Req, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    const body = requireObject(req.body);
    if (body.call_states !== undefined) s.callStates = callStatesValue(body.call_states);
    s.enabled = boolValue(body.enabled, 'enabled') ?? s.enabled;
    s.groupCallsOnly = boolValue(body.group_calls_only, 'group_calls_only') ?? s.groupCallsOnly;
    if (body.target_type !== undefined || body.target_id !== undefined)
      Object.assign(s, targetValue(body.target_type, body.target_id));
    const endpointRaw = body.endpoint_id ?? body.webhook_id;
    if (endpointRaw !== undefined) {
      const endpointId = idValue(endpointRaw, 'endpoint_id');
      if (!state.webhooks.has(endpointId)) throw bad(`endpoint_id ${endpointId} is not a webhook of this company`);
      s.endpointId = endpointId;
    }
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });
  api.delete('/subscriptions/call/:id', async (req: Req, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    state.subscriptions.delete(s.id);
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });

  // ── validation helpers (closures over the company) ──

  function callStatesValue(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad('call_states must be a list of strings');
    for (const s of v) {
      if (!(DIALPAD_CALL_STATES as readonly string[]).includes(s)) throw bad(`Invalid call_states value '${s}'`);
    }
    return v;
  }

  function targetValue(typeRaw: unknown, idRaw: unknown): { targetType: string | null; targetId: string | null } {
    if ((typeRaw === undefined || typeRaw === null) && (idRaw === undefined || idRaw === null)) {
      return { targetType: null, targetId: null };
    }
    if (typeof typeRaw !== 'string' || !(DIALPAD_SUBSCRIPTION_TARGET_TYPES as readonly string[]).includes(typeRaw)) {
      throw bad(`Invalid target_type ${JSON.stringify(typeRaw)}`);
    }
    if (idRaw === undefined || idRaw === null) throw bad('target_id is required with target_type');
    const targetId = idValue(idRaw, 'target_id');
    const exists =
      typeRaw === 'office'
        ? company.officeById.has(targetId)
        : typeRaw === 'user'
          ? company.userById.has(targetId)
          : typeRaw === 'department' || typeRaw === 'callcenter'
            ? company.groupById.get(targetId)?.kind === typeRaw
            : true;
    if (!exists) throw bad(`No ${typeRaw} with id ${targetId}`);
    return { targetType: typeRaw, targetId };
  }
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

function readyAi(state: SimulatorState, callId: string, what: string): NonNullable<SimCallRecord['ai']> {
  const record = state.calls.get(callId);
  if (!record) throw notFound('Call');
  if (!record.ai) throw new DialpadHttpError(404, `${what} not available: Dialpad Ai was not enabled for this call`);
  if (Date.now() < record.ai.readyAt) throw new DialpadHttpError(404, `${what} not available yet`);
  return record.ai;
}

/** A CallContactProto: the webhook-only `office_id` is not part of it. */
function restParty(p: unknown): unknown {
  if (p === null || typeof p !== 'object') return p;
  const { office_id: _officeId, ...party } = p as Record<string, unknown>;
  return party;
}

/**
 * CallProto for GET /call and /call/{id}: the leg's final state, in the spec's fields only. The
 * webhook-only fields (talk_time, hold_time, date_first_rang, date_queued, voicemail_link,
 * voicemail_recording_id, call_recording_ids, …) are not in it: a voicemail shows as
 * `voicemail_share_link` and a `recording_details` entry of type voicemail, as the spec has it.
 */
function renderCall(leg: SimCallRecord['leg']): Record<string, unknown> {
  const s = snapshot(leg, 'hangup', leg.date_ended + 1);
  const voicemail =
    leg.voicemail_recording_id !== null
      ? [
          {
            id: leg.voicemail_recording_id,
            url: leg.voicemail_link,
            duration: null,
            start_time: null,
            recording_type: 'voicemail',
          },
        ]
      : [];
  return {
    call_id: s.call_id,
    master_call_id: s.master_call_id,
    entry_point_call_id: s.entry_point_call_id,
    operator_call_id: s.operator_call_id,
    state: s.state,
    direction: s.direction,
    external_number: s.external_number,
    internal_number: s.internal_number,
    contact: restParty(s.contact),
    target: restParty(s.target),
    entry_point_target: restParty(s.entry_point_target),
    proxy_target: restParty(s.proxy_target),
    group_id: s.group_id,
    date_started: s.date_started,
    date_rang: s.date_rang,
    date_connected: s.date_connected,
    date_ended: s.date_ended,
    duration: s.duration,
    total_duration: s.total_duration,
    is_transferred: s.is_transferred,
    was_recorded: s.was_recorded,
    recording_details: [...leg.recording_details, ...voicemail],
    routing_breadcrumbs: s.routing_breadcrumbs,
    labels: s.labels,
    mos_score: s.mos_score,
    csat_score: null,
    transcription_text: leg.transcription_text,
    voicemail_share_link: leg.voicemail_link === null ? null : `https://dialpad.com/shared/voicemail/${leg.call_id}`,
  };
}

function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

function idValue(v: unknown, name: string): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !DIGITS.test(s)) throw bad(`${name} must be an integer id`);
  return s;
}

function boolValue(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(`${name} must be a boolean`);
  return v;
}

function hookUrlValue(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad('hook_url is required');
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw bad(`hook_url ${JSON.stringify(v)} is not a valid http(s) URL`);
  }
  return v;
}

function secretValue(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw bad('secret must be a string');
  if (/[\r\n]/.test(v)) throw bad('secret must be a single line');
  return v;
}

type ContactFields = Pick<
  SimContact,
  'firstName' | 'lastName' | 'phones' | 'emails' | 'companyName' | 'jobTitle' | 'extension' | 'urls'
>;

/** The fields Dialpad validates on contact create and update (API-NOTES §5). */
function contactFields(body: Record<string, unknown>, creating: true): ContactFields;
function contactFields(body: Record<string, unknown>, creating: false): Partial<ContactFields>;
function contactFields(body: Record<string, unknown>, creating: boolean): Partial<ContactFields> {
  const out: Partial<ContactFields> = {};
  for (const [key, prop] of [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
  ] as const) {
    const v = body[key];
    if (v === undefined && !creating) continue;
    if (typeof v !== 'string' || v.trim() === '') throw bad(`${key} is required`);
    out[prop] = v;
  }
  const list = (key: string, check: (s: string) => string | null): string[] | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return creating ? [] : undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`${key} must be a list of strings`);
    for (const s of v) {
      const problem = check(s);
      if (problem) throw bad(problem);
    }
    return v;
  };
  const phones = list('phones', (p) =>
    E164.test(p)
      ? null
      : `Invalid phone number ${JSON.stringify(p)}: phones must be in E.164 format, e.g. +14155550123`,
  );
  if (phones) out.phones = phones;
  const emails = list('emails', (e) => (EMAIL.test(e) ? null : `Invalid email address ${JSON.stringify(e)}`));
  if (emails) out.emails = emails;
  const urls = list('urls', () => null);
  if (urls) out.urls = urls;
  for (const [key, prop] of [
    ['company_name', 'companyName'],
    ['job_title', 'jobTitle'],
    ['extension', 'extension'],
  ] as const) {
    const v = body[key];
    if (v === undefined) {
      if (creating) out[prop] = null;
      continue;
    }
    if (v !== null && typeof v !== 'string') throw bad(`${key} must be a string`);
    out[prop] = v;
  }
  return out;
}

// ── Cursor pages ─────────────────────────────────────────────────────────────────────────────

/** Opaque to clients; tied to the list (and its filters) it came from. */
function encodeCursor(list: string, after: unknown): string {
  return Buffer.from(JSON.stringify({ l: list, a: after })).toString('base64url');
}

function decodeCursor(raw: string | undefined, list: string): unknown {
  if (raw === undefined || raw === '') return null;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { l?: unknown; a?: unknown };
    if (parsed.l === list) return parsed.a;
  } catch {
    // fall through
  }
  throw bad('Invalid cursor');
}

function pageLimit(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
): number {
  const raw = req.query.limit;
  if (raw === undefined) return state.pageSize;
  if (!DIGITS.test(raw) || Number(raw) < 1) throw bad('limit must be a positive integer');
  return Math.min(Number(raw), MAX_LIMIT, state.pageSize);
}

/**
 * `{items, cursor}`. Like Dialpad, a full page carries a cursor without looking ahead, so a list
 * whose size is a multiple of the page size ends with an empty page; an empty page has no items
 * field at all (protobuf omits empty lists).
 */
function pageBody(items: unknown[], cursor: string | null): Record<string, unknown> {
  return { ...(items.length ? { items } : {}), ...(cursor ? { cursor } : {}) };
}

function pageOf(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
  listKey: string,
  items: unknown[],
): Record<string, unknown> {
  const after = decodeCursor(req.query.cursor, listKey);
  const offset = typeof after === 'number' ? after : 0;
  const limit = pageLimit(req, state);
  const page = items.slice(offset, offset + limit);
  return pageBody(page, page.length === limit ? encodeCursor(listKey, offset + limit) : null);
}

function keysetPage<T extends { seq: number }>(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
  listKey: string,
  items: T[],
  render: (t: T) => unknown,
): Record<string, unknown> {
  const after = decodeCursor(req.query.cursor, listKey);
  const afterSeq = typeof after === 'number' ? after : 0;
  const limit = pageLimit(req, state);
  const page = items.filter((i) => i.seq > afterSeq).slice(0, limit);
  const last = page[page.length - 1];
  return pageBody(page.map(render), page.length === limit && last ? encodeCursor(listKey, last.seq) : null);
}

// ── /_sim ────────────────────────────────────────────────────────────────────────────────────

function registerAdmin(admin: FastifyInstance, state: SimulatorState): void {
  const { company } = state;
  type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>;

  admin.get('/health', async () => ({ ok: true }));

  admin.get('/company', async () => ({
    id: company.id,
    name: company.name,
    seed: company.seed,
    size: company.size,
    largeIds: company.largeIds,
    offices: company.offices.map((o) => ({
      id: o.id,
      name: o.name,
      country: o.country,
      phone: o.phone,
      ai: state.aiOffices.has(o.id),
    })),
  }));

  admin.get('/requests', async (req: Req) => {
    const { path, method, route, since } = req.query;
    const sinceSeq = since === undefined ? 0 : Number(since);
    return {
      items: state.requests.filter(
        (r) =>
          r.seq > sinceSeq &&
          (!method || r.method === method.toUpperCase()) &&
          (!route || r.route === route) &&
          (!path || (path.endsWith('*') ? r.path.startsWith(path.slice(0, -1)) : r.path === path)),
      ),
    };
  });
  admin.delete('/requests', async () => {
    state.requests = [];
    return { ok: true };
  });

  admin.get('/contacts', async (req: Req) => {
    const { uid, phone, id } = req.query;
    const items: SimContact[] = [];
    if (uid !== undefined) {
      const c = state.contacts.findByUid(uid);
      if (c) items.push(c);
    } else if (id !== undefined) {
      const c = state.contacts.get(id);
      if (c) items.push(c);
    } else if (phone !== undefined) {
      for (const c of state.contacts.all()) if (c.phones.includes(phone)) items.push(c);
    } else {
      throw bad('give uid, id or phone');
    }
    return { items: items.map((c) => ({ ...renderContact(c), uid: c.uid })) };
  });

  admin.post('/faults', async (req, reply) => {
    const body = requireObject(req.body);
    if (typeof body.path !== 'string' || body.path === '') throw bad('path is required');
    const status = body.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
      throw bad('status must be an HTTP status code');
    }
    const count = body.count === undefined ? 1 : body.count;
    if (count !== null && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
      throw bad('count must be a positive integer, or null for every request until cleared');
    }
    const headers = (body.headers ?? {}) as Record<string, string>;
    const fault: Fault = {
      id: state.newId(),
      method: typeof body.method === 'string' ? body.method.toUpperCase() : null,
      path: body.path,
      status,
      remaining: count,
      body: body.body,
      headers,
    };
    state.faults.push(fault);
    return reply.code(201).send(fault);
  });
  admin.get('/faults', async () => ({ items: state.faults }));
  admin.delete('/faults', async () => {
    state.faults = [];
    return { ok: true };
  });

  admin.put('/latency', async (req) => {
    const body = requireObject(req.body);
    const ms = body.ms;
    if (typeof ms !== 'number' || ms < 0) throw bad('ms must be a number ≥ 0');
    const path = typeof body.path === 'string' ? body.path : null;
    state.latency = state.latency.filter((r) => r.path !== path);
    if (ms > 0) state.latency.push({ path, ms });
    return { items: state.latency };
  });
  admin.delete('/latency', async () => {
    state.latency = [];
    return { ok: true };
  });

  admin.put('/offices/:id/ai', async (req: Req) => {
    const id = req.params.id ?? '';
    if (!company.officeById.has(id)) throw notFound('Office');
    const body = requireObject(req.body);
    if (typeof body.enabled !== 'boolean') throw bad('enabled must be a boolean');
    if (body.enabled) state.aiOffices.add(id);
    else state.aiOffices.delete(id);
    return { id, ai: body.enabled };
  });

  admin.patch('/config', async (req) => {
    const body = requireObject(req.body);
    if (body.restIdFormat !== undefined) {
      if (body.restIdFormat !== 'string' && body.restIdFormat !== 'number')
        throw bad('restIdFormat is string or number');
      state.restIdFormat = body.restIdFormat;
    }
    if (body.pageSize !== undefined) {
      if (typeof body.pageSize !== 'number' || !Number.isInteger(body.pageSize) || body.pageSize < 1) {
        throw bad('pageSize must be a positive integer');
      }
      state.pageSize = body.pageSize;
    }
    if (body.rateLimits !== undefined) {
      if (typeof body.rateLimits !== 'boolean') throw bad('rateLimits must be a boolean');
      state.rateLimits = { ...state.rateLimits, enabled: body.rateLimits };
      state.rateWindows.clear();
    }
    return { restIdFormat: state.restIdFormat, pageSize: state.pageSize, rateLimits: state.rateLimits.enabled };
  });

  // Directory edits an admin would make in Dialpad, for directory-sync tests.
  admin.patch('/groups/:id', async (req: Req) => {
    const body = requireObject(req.body);
    if (typeof body.name !== 'string' || body.name.trim() === '') throw bad('name is required');
    if (!company.groupById.has(req.params.id ?? '')) throw notFound('Department or call center');
    const g = state.renameGroup(req.params.id ?? '', body.name);
    return renderGroup(g, company);
  });
  admin.delete('/users/:id', async (req: Req) => {
    if (!company.userById.has(req.params.id ?? '')) throw notFound('User');
    return renderUser(state.removeUser(req.params.id ?? ''), company);
  });

  admin.post('/reset', async () => {
    state.reset();
    return { ok: true };
  });

  admin.post('/calls', async (req) => {
    const body = requireObject(req.body);
    if (!Array.isArray(body.records)) throw bad('records must be a list');
    for (const r of body.records as SimCallRecord[]) {
      if (
        !r ||
        typeof r !== 'object' ||
        !r.leg ||
        typeof r.leg.call_id !== 'string' ||
        typeof r.officeId !== 'string'
      ) {
        throw bad('each record needs leg.call_id and officeId');
      }
    }
    state.registerCalls(body.records as SimCallRecord[]);
    return { registered: body.records.length };
  });
  admin.get('/calls', async () => ({
    items: [...state.calls.values()].map((r) => ({
      callId: r.leg.call_id,
      officeId: r.officeId,
      hasAi: r.ai !== null,
      aiReadyAt: r.ai?.readyAt ?? null,
    })),
  }));

  registerEmitRoutes(admin, state);
}
