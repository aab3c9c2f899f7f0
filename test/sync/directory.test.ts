import { syncDirectory, type DirectoryCheckpoint } from '../../src/sync/directory';
import { lastSeq, pageKey, requests, runDirectorySync, startSyncStack, type SyncStack } from './support';

/**
 * Directory sync through the real stack (simulator, Postgres, Temporal worker): a full sync, a run
 * that changes nothing, then a renamed department and a removed user; and a pass interrupted
 * midway that resumes at its checkpoint.
 */
describe('directory sync', () => {
  let s: SyncStack;

  beforeAll(async () => {
    // 2,000 users over 3 offices, read 100 per page: /users alone is 20 pages.
    s = await startSyncStack({
      sim: { seed: 'directory-sync', size: { offices: 3, departments: 12, callCenters: 6, users: 2000, contacts: 0 } },
    });
  });

  afterAll(async () => {
    await s?.close();
  });

  const company = () => s.sim.state.company;
  const officeUsers = () => company().users.filter((u) => u.officeId === s.officeId);
  const officeDepartments = () => company().departments.filter((d) => d.officeId === s.officeId);
  const officeCallCenters = () => company().callCenters.filter((d) => d.officeId === s.officeId);

  it('syncs the office, its departments, call centres and users; a second run changes nothing', async () => {
    const first = await runDirectorySync(s);
    expect(first).toMatchObject({
      status: 'synced',
      officeId: s.officeId,
      offices: { created: 1, updated: 0, unchanged: 0 },
      departments: { created: officeDepartments().length, updated: 0, unchanged: 0 },
      callCenters: { created: officeCallCenters().length, updated: 0, unchanged: 0 },
      users: { created: officeUsers().length, updated: 0, unchanged: 0 },
      deactivated: { departments: 0, callCenters: 0, users: 0 },
    });
    expect(officeUsers().length).toBeGreaterThan(600);

    const office = await s.tdb.db('dialpad_offices').where({ id: s.officeId }).first();
    expect(office).toMatchObject({ name: company().officeById.get(s.officeId)!.name, active: true });
    const departments = await s.tdb.db('dialpad_departments').orderBy('id');
    expect(departments.map((d) => [d.id, d.name, d.office_id, d.active])).toEqual(
      officeDepartments()
        .map((d) => [d.id, d.name, s.officeId, true])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await s.tdb.db('dialpad_call_centers').count('* as n').first()).toEqual({
      n: officeCallCenters().length,
    });
    // Only this office's users, although /users lists the whole company.
    const users = await s.tdb.db('dialpad_users').select('id', 'office_id', 'first_name', 'emails');
    expect(users).toHaveLength(officeUsers().length);
    const someUser = officeUsers()[7]!;
    expect(users.find((u) => u.id === someUser.id)).toEqual({
      id: someUser.id,
      office_id: s.officeId,
      first_name: someUser.firstName,
      emails: [someUser.email],
    });

    const before = await s.tdb.db('dialpad_users').select('id', 'updated_at', 'synced_at').orderBy('id');
    const second = await runDirectorySync(s);
    expect(second).toMatchObject({
      offices: { created: 0, updated: 0, unchanged: 1 },
      departments: { created: 0, updated: 0, unchanged: officeDepartments().length },
      callCenters: { created: 0, updated: 0, unchanged: officeCallCenters().length },
      users: { created: 0, updated: 0, unchanged: officeUsers().length },
      deactivated: { departments: 0, callCenters: 0, users: 0 },
    });
    const after = await s.tdb.db('dialpad_users').select('id', 'updated_at', 'synced_at').orderBy('id');
    expect(after.map((u) => u.updated_at)).toEqual(before.map((u) => u.updated_at));
    expect(after.every((u, i) => u.synced_at > before[i].synced_at)).toBe(true);
  });

  it('a renamed department is renamed; a removed user is kept, inactive, with its name', async () => {
    const department = officeDepartments()[0]!;
    const leaver = officeUsers()[3]!;
    await fetch(`${s.sim.url}/_sim/groups/${department.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed Support' }),
    });
    await fetch(`${s.sim.url}/_sim/users/${leaver.id}`, { method: 'DELETE' });

    const third = await runDirectorySync(s);
    expect(third).toMatchObject({
      departments: { created: 0, updated: 1, unchanged: officeDepartments().length - 1 },
      users: { created: 0, updated: 0, unchanged: officeUsers().length },
      deactivated: { departments: 0, callCenters: 0, users: 1 },
    });
    expect(await s.tdb.db('dialpad_departments').where({ id: department.id }).first()).toMatchObject({
      name: 'Renamed Support',
      active: true,
    });
    expect(await s.tdb.db('dialpad_users').where({ id: leaver.id }).first()).toMatchObject({
      first_name: leaver.firstName,
      last_name: leaver.lastName,
      office_id: s.officeId,
      active: false,
    });
    expect(await s.tdb.db('dialpad_users').where({ active: true }).count('* as n').first()).toEqual({
      n: officeUsers().length,
    });
  });

  it('an interrupted pass resumes at its checkpoint: finished pages are not read again', async () => {
    const since = lastSeq(s);
    const checkpoints: DirectoryCheckpoint[] = [];
    const abort = new AbortController();
    // Stop after the 5th page of /users, as a killed worker would (its last heartbeat is the checkpoint).
    await expect(
      syncDirectory(
        {
          db: s.tdb.db,
          dialpad: s.dialpad,
          signal: abort.signal,
          onCheckpoint: (cp) => {
            checkpoints.push(cp);
            if (cp.stage === 'users' && checkpoints.filter((c) => c.stage === 'users').length === 5) abort.abort();
          },
        },
        { accountId: s.accountId },
      ),
    ).rejects.toThrow();
    const checkpoint = checkpoints.at(-1)!;
    expect(checkpoint).toMatchObject({ stage: 'users', cursor: expect.any(String) });
    const beforeResume = lastSeq(s);

    const result = await syncDirectory(
      { db: s.tdb.db, dialpad: s.dialpad },
      { accountId: s.accountId, resumeFrom: checkpoint },
    );
    expect(result.status).toBe('synced');
    expect(result.users.unchanged).toBe(officeUsers().length);
    expect(result.deactivated.users).toBe(0); // the removed user was already inactive

    const resumed = requests(s, { since: beforeResume });
    expect(resumed.some((r) => r.path.endsWith('/departments') || r.path === `/api/v2/offices/${s.officeId}`)).toBe(
      false,
    );
    const firstPass = requests(s, { since, path: '/api/v2/users' }).filter((r) => r.seq <= beforeResume);
    const secondPass = resumed.filter((r) => r.path === '/api/v2/users');
    expect(pageKey(secondPass[0]!)).toBe(`|${checkpoint.cursor}`);
    const cursorsBefore = new Set(firstPass.map((r) => pageKey(r)));
    expect(secondPass.filter((r) => cursorsBefore.has(pageKey(r)))).toEqual([]);
    // Full pages carry a cursor, so a list ends with one page short of 100 (possibly empty).
    expect(firstPass.length + secondPass.length).toBe(Math.floor(company().users.length / 100) + 1);
  });
});
