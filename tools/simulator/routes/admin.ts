import type { FastifyInstance } from 'fastify';
import type { SimContact } from '../company';
import { bad, notFound, requireObject, type SimRequest } from '../http';
import { renderContact, renderGroup, renderUser } from '../render';
import type { Fault, SimCallRecord, SimulatorState } from '../state';
import { registerEmitRoutes } from './emit';

/**
 * `/_sim/*`: inject faults and latency, switch Ai per office, edit the directory, register calls,
 * reset, and inspect what the simulator received.
 */
export function registerAdminRoutes(admin: FastifyInstance, state: SimulatorState): void {
  const { company } = state;

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

  admin.get('/requests', async (req: SimRequest) => {
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

  admin.get('/contacts', async (req: SimRequest) => {
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

  admin.put('/offices/:id/ai', async (req: SimRequest) => {
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
  admin.patch('/groups/:id', async (req: SimRequest) => {
    const body = requireObject(req.body);
    if (typeof body.name !== 'string' || body.name.trim() === '') throw bad('name is required');
    if (!company.groupById.has(req.params.id ?? '')) throw notFound('Department or call center');
    const g = state.renameGroup(req.params.id ?? '', body.name);
    return renderGroup(g, company);
  });
  admin.delete('/users/:id', async (req: SimRequest) => {
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
