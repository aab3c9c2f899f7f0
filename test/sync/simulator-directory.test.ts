import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';

/**
 * The simulator's directory edits (PATCH /_sim/groups/:id, DELETE /_sim/users/:id), added for the
 * directory-sync tests: Dialpad's API shows them, and reset() puts the seeded directory back.
 */
describe('simulator directory edits', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'sim-directory',
      size: { offices: 2, departments: 2, callCenters: 2, users: 6, contacts: 30 },
      rateLimits: false,
    });
  });

  afterAll(async () => {
    await sim?.close();
  });

  const api = (path: string) => fetch(`${sim.url}${path}`, { headers: { authorization: 'Bearer k' } });
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/_sim${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  it('renames a department or call centre, removes a user, and reset() undoes both', async () => {
    const company = sim.state.company;
    const department = company.departments[0]!;
    const callCenter = company.callCenters[1]!;
    const originalNames = [department.name, callCenter.name];
    const leaver = company.users.find(
      (u) => sim.state.contacts.list(-1, 1000, (c) => c.ownerId === u.id).items.length > 0,
    )!;

    expect((await admin('PATCH', `/groups/${department.id}`, { name: 'Front Desk' })).status).toBe(200);
    expect((await admin('PATCH', `/groups/${callCenter.id}`, { name: 'Night Queue' })).status).toBe(200);
    expect((await admin('PATCH', `/groups/${department.id}`, { name: ' ' })).status).toBe(400);
    expect((await admin('PATCH', '/groups/1', { name: 'Nobody' })).status).toBe(404);
    expect((await admin('DELETE', `/users/${leaver.id}`)).status).toBe(200);
    expect((await admin('DELETE', `/users/${leaver.id}`)).status).toBe(404);

    const departments = (await (await api(`/api/v2/offices/${department.officeId}/departments`)).json()) as {
      items: { id: string; name: string }[];
    };
    expect(departments.items.find((d) => d.id === department.id)?.name).toBe('Front Desk');
    expect(((await (await api(`/api/v2/callcenters/${callCenter.id}`)).json()) as { name: string }).name).toBe(
      'Night Queue',
    );
    const users = (await (await api('/api/v2/users')).json()) as { items: { id: string }[] };
    expect(users.items.map((u) => u.id)).not.toContain(leaver.id);
    expect((await api(`/api/v2/users/${leaver.id}`)).status).toBe(404);
    expect((await api(`/api/v2/contacts?owner_id=${leaver.id}`)).status).toBe(404);

    expect((await admin('POST', '/reset')).status).toBe(200);
    expect([department.name, callCenter.name]).toEqual(originalNames);
    expect(company.users.map((u) => u.id)).toContain(leaver.id);
    expect(company.usersByOffice.get(leaver.officeId)).toContain(leaver);
    expect((await api(`/api/v2/users/${leaver.id}`)).status).toBe(200);
  });
});
