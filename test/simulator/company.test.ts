import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { generateCompany } from '../../tools/simulator/company';
import { startSimulator } from '../../tools/simulator/server';
import { SMALL_COMPANY } from './support';

describe('the seeded company', () => {
  it('is the same company for the same seed, and another for another seed', () => {
    const a = generateCompany({ seed: 's1', size: SMALL_COMPANY });
    const b = generateCompany({ seed: 's1', size: SMALL_COMPANY });
    const c = generateCompany({ seed: 's2', size: SMALL_COMPANY });
    expect(JSON.stringify({ ...b, officeById: 0, groupById: 0, userById: 0, usersByOffice: 0 })).toBe(
      JSON.stringify({ ...a, officeById: 0, groupById: 0, userById: 0, usersByOffice: 0 }),
    );
    expect(c.offices[0]!.id).not.toBe(a.offices[0]!.id);
  });

  it('has the requested size, unique 16-digit ids just below 2^53 (or all above it on request)', () => {
    const size = { offices: 4, departments: 7, callCenters: 3, users: 300, contacts: 1000 };
    for (const largeIds of [false, true]) {
      const co = generateCompany({ seed: 'size', size, largeIds });
      expect([
        co.offices.length,
        co.departments.length,
        co.callCenters.length,
        co.users.length,
        co.contacts.length,
      ]).toEqual([4, 7, 3, 300, 1000]);
      const ids = [co.id, ...co.offices, ...co.departments, ...co.callCenters, ...co.users, ...co.contacts].map((x) =>
        typeof x === 'string' ? x : x.id,
      );
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) {
        // Shared contacts created elsewhere with a uid: `<digits>_uid_<uid>` (API-NOTES §5).
        const digits = id.split('_uid_')[0]!;
        expect(digits).toMatch(/^\d{16}$/);
        expect(BigInt(digits) > 2n ** 53n).toBe(largeIds);
      }
      const withUid = co.contacts.filter((c) => c.id.includes('_uid_'));
      expect(withUid.every((c) => c.type === 'shared' && c.id.endsWith(`_uid_${c.uid}`))).toBe(true);
      const shared = co.contacts.filter((c) => c.type === 'shared').length;
      expect(withUid.length).toBeGreaterThan(shared * 0.05);
      expect(withUid.length).toBeLessThan(shared * 0.2);
      for (const g of [...co.departments, ...co.callCenters]) {
        for (const u of g.operatorUserIds) expect(co.userById.get(u)?.officeId).toBe(g.officeId);
      }
    }
  });

  it('uses valid E.164 numbers from the offices’ and callers’ countries', () => {
    const co = generateCompany({ seed: 'phones', size: { ...SMALL_COMPANY, contacts: 3000 } });
    const numbers = [
      ...co.offices.map((o) => o.phone),
      ...co.users.map((u) => u.phone),
      ...co.departments.map((d) => d.phone),
      ...co.contacts.flatMap((c) => c.phones),
    ];
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect(isValidPhoneNumber(n)).toBe(true);
    const countries = new Set(co.contacts.map((c) => c.country));
    expect([...countries].sort()).toEqual(['AU', 'DE', 'FR', 'GB', 'US']);
  });

  // Start-up time is measured by the benchmarks, not asserted here: wall-clock limits in tests
  // fail on a loaded machine without saying anything about the code.
  it('starts the default-size simulator (2,000 users, 50,000 contacts)', async () => {
    const sim = await startSimulator();
    try {
      expect(sim.state.company.contacts).toHaveLength(50_000);
      expect(sim.state.company.users).toHaveLength(2_000);
      expect(sim.state.company.offices).toHaveLength(3);
      expect(sim.state.company.departments).toHaveLength(12);
      expect(sim.state.company.callCenters).toHaveLength(5);
    } finally {
      await sim.close();
    }
  });
});
