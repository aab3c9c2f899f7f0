import type { FastifyInstance, FastifyReply } from 'fastify';
import { bad, DIGITS, notFound, sendDialpad, type SimRequest } from '../http';
import { MAX_LIMIT, pageOf } from '../pages';
import { renderGroup, renderOffice, renderUser } from '../render';
import type { SimulatorState } from '../state';

/** Offices, departments, call centres, users. */
export function registerDirectoryRoutes(api: FastifyInstance, state: SimulatorState): void {
  const { company } = state;
  const send = (reply: FastifyReply, body: unknown, status = 200) => sendDialpad(reply, state, status, body);
  api.get('/offices', async (req: SimRequest, reply) => {
    const items = company.offices.map((o) => renderOffice(o));
    return send(reply, pageOf(req, state, `offices`, items));
  });
  api.get('/offices/:id', async (req: SimRequest, reply) => {
    const office = company.officeById.get(req.params.id ?? '');
    if (!office) throw notFound('Office');
    return send(reply, renderOffice(office));
  });
  api.get('/offices/:id/departments', async (req: SimRequest, reply) => {
    const id = req.params.id ?? '';
    if (!company.officeById.has(id)) throw notFound('Office');
    const items = company.departments.filter((d) => d.officeId === id).map((g) => renderGroup(g, company));
    return send(reply, pageOf(req, state, `departments:${id}`, items));
  });
  api.get('/offices/:id/callcenters', async (req: SimRequest, reply) => {
    const id = req.params.id ?? '';
    if (!company.officeById.has(id)) throw notFound('Office');
    const items = company.callCenters.filter((d) => d.officeId === id).map((g) => renderGroup(g, company));
    return send(reply, pageOf(req, state, `callcenters:${id}`, items));
  });
  for (const [path, groups, what] of [
    ['departments', company.departments, 'Department'],
    ['callcenters', company.callCenters, 'Call center'],
  ] as const) {
    api.get(`/${path}`, async (req: SimRequest, reply) => {
      const { office_id: officeId, name_search: nameSearch } = req.query;
      const items = groups
        .filter((g) => !officeId || g.officeId === officeId)
        .filter((g) => !nameSearch || g.name.toLowerCase().includes(nameSearch.toLowerCase()))
        .map((g) => renderGroup(g, company));
      return send(reply, pageOf(req, state, `${path}:${officeId ?? ''}:${nameSearch ?? ''}`, items));
    });
    api.get(`/${path}/:id`, async (req: SimRequest, reply) => {
      const g = company.groupById.get(req.params.id ?? '');
      if (!g || !groups.includes(g)) throw notFound(what);
      return send(reply, renderGroup(g, company));
    });
  }

  api.get('/users', async (req: SimRequest, reply) => {
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
  api.get('/users/:id', async (req: SimRequest, reply) => {
    const user = company.userById.get(req.params.id ?? '');
    if (!user) throw notFound('User');
    return send(reply, renderUser(user, company));
  });
}
