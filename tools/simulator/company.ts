import {
  AGENT_TITLES,
  asciiSlug,
  BUSINESS_NAMES,
  CALL_CENTER_NAMES,
  COMPANY_NAMES,
  DEPARTMENT_NAMES,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  OFFICE_CITIES,
} from './names';
import { COUNTRY_TIMEZONES, randomPhone, SIM_COUNTRIES, type SimCountry } from './phones';
import { IdFactory, Random } from './random';

/**
 * The seeded Dialpad company the simulator serves and the emitter calls into. Everything derives
 * from (seed, size, largeIds): two processes given the same three agree on every id and name, which
 * is how a separate `npm run simulate` process emits calls for the simulator's company.
 */

export interface CompanySize {
  offices: number;
  departments: number;
  callCenters: number;
  users: number;
  contacts: number;
}

export const DEFAULT_COMPANY_SIZE: CompanySize = {
  offices: 3,
  departments: 12,
  callCenters: 5,
  users: 2000,
  contacts: 50_000,
};

export interface SimOffice {
  id: string;
  name: string;
  country: SimCountry;
  city: string;
  timezone: string;
  phone: string;
  isPrimary: boolean;
}

export type SimGroupKind = 'department' | 'callcenter';

export interface SimGroup {
  id: string;
  kind: SimGroupKind;
  officeId: string;
  name: string;
  phone: string;
  operatorUserIds: string[];
}

export interface SimUser {
  id: string;
  officeId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  jobTitle: string;
  timezone: string;
  dateAdded: string;
  isAdmin: boolean;
  groups: { groupId: string; groupType: SimGroupKind; role: 'operator' | 'admin' }[];
}

/** Keys other integrations give their contacts (never UUIDs: those would read as ours). */
const EXTERNAL_UID_PREFIXES = ['hubspot-', 'crm_', 'zd', 'sf-'] as const;

export interface SimContact {
  id: string;
  type: 'shared' | 'local';
  ownerId: string | null;
  firstName: string;
  lastName: string;
  companyName: string | null;
  jobTitle: string | null;
  phones: string[];
  emails: string[];
  extension: string | null;
  urls: string[];
  /** Set on contacts created with PUT /contacts (our external key). */
  uid: string | null;
  country: SimCountry | null;
}

export interface SimCompany {
  id: string;
  name: string;
  domain: string;
  seed: string;
  size: CompanySize;
  largeIds: boolean;
  offices: SimOffice[];
  departments: SimGroup[];
  callCenters: SimGroup[];
  users: SimUser[];
  /** The seeded contacts, in list order. The simulator's contact store overlays changes on these. */
  contacts: readonly SimContact[];
  /**
   * Calls only: contacts created since with PUT /contacts and a uid (the simulator's live store
   * passes them, with `contacts` its live list), so calls from pushed contacts carry their ids.
   */
  contactsCreatedWithUid?: readonly SimContact[];
  officeById: Map<string, SimOffice>;
  groupById: Map<string, SimGroup>;
  userById: Map<string, SimUser>;
  usersByOffice: Map<string, SimUser[]>;
}

export interface CompanyOptions {
  seed?: string;
  size?: Partial<CompanySize>;
  /** Every id above 2^53 (Dialpad's are just below today): proves nothing rounds them. */
  largeIds?: boolean;
}

export const DEFAULT_SEED = 'navigator';

const CONTACT_COUNTRY_WEIGHTS: readonly (readonly [SimCountry, number])[] = [
  ['US', 40],
  ['GB', 20],
  ['AU', 15],
  ['DE', 12],
  ['FR', 13],
];

export function generateCompany(options: CompanyOptions = {}): SimCompany {
  const seed = options.seed ?? DEFAULT_SEED;
  const size: CompanySize = { ...DEFAULT_COMPANY_SIZE, ...options.size };
  for (const [k, v] of Object.entries(size)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`company size ${k} must be a whole number ≥ 0`);
  }
  if (size.offices < 1) throw new RangeError('company size offices must be ≥ 1');
  const largeIds = options.largeIds ?? false;
  const r = new Random(seed, 'company');
  const ids = new IdFactory(new Random(seed, 'ids', largeIds ? 'large' : 'real'), largeIds);
  const phones = new Set<string>();
  const uniquePhone = (rr: Random, country: SimCountry, kind: 'landline' | 'mobile') => {
    for (;;) {
      const p = randomPhone(rr, country, kind);
      if (!phones.has(p)) {
        phones.add(p);
        return p;
      }
    }
  };

  const name = r.pick(COMPANY_NAMES);
  const domain = `${asciiSlug(name)}.example.com`;
  const companyId = ids.next();

  const offices: SimOffice[] = [];
  const citiesUsed = new Map<SimCountry, number>();
  for (let i = 0; i < size.offices; i++) {
    const country = SIM_COUNTRIES[i % SIM_COUNTRIES.length] as SimCountry;
    const n = citiesUsed.get(country) ?? 0;
    citiesUsed.set(country, n + 1);
    const cities = OFFICE_CITIES[country];
    const city = `${cities[n % cities.length]}${n >= cities.length ? ` ${Math.floor(n / cities.length) + 1}` : ''}`;
    offices.push({
      id: ids.next(),
      name: `${name} ${city}`,
      country,
      city,
      timezone: COUNTRY_TIMEZONES[country],
      phone: uniquePhone(r, country, 'landline'),
      isPrimary: i === 0,
    });
  }

  const users: SimUser[] = [];
  const usersByOffice = new Map<string, SimUser[]>(offices.map((o) => [o.id, []]));
  const emails = new Set<string>();
  for (let i = 0; i < size.users; i++) {
    const office = offices[i % offices.length] as SimOffice;
    const ur = new Random(seed, 'user', i);
    const firstName = ur.pick(FIRST_NAMES[office.country]);
    const lastName = ur.pick(LAST_NAMES[office.country]);
    let email = `${asciiSlug(firstName)}.${asciiSlug(lastName)}@${domain}`;
    for (let k = 2; emails.has(email); k++) email = `${asciiSlug(firstName)}.${asciiSlug(lastName)}${k}@${domain}`;
    emails.add(email);
    const user: SimUser = {
      id: ids.next(),
      officeId: office.id,
      firstName,
      lastName,
      email,
      phone: uniquePhone(ur, office.country, 'landline'),
      jobTitle: ur.pick(AGENT_TITLES),
      timezone: office.timezone,
      dateAdded: new Date(Date.UTC(2021, 0, 1) + ur.int(0, 4 * 365) * 86_400_000).toISOString(),
      isAdmin: i < offices.length,
      groups: [],
    };
    users.push(user);
    usersByOffice.get(office.id)?.push(user);
  }

  const makeGroups = (kind: SimGroupKind, count: number, names: readonly string[], operators: [number, number]) => {
    const groups: SimGroup[] = [];
    const namesUsed = new Set<string>();
    for (let i = 0; i < count; i++) {
      const office = offices[i % offices.length] as SimOffice;
      const gr = new Random(seed, kind, i);
      let groupName = names[i % names.length] as string;
      if (namesUsed.has(groupName)) groupName = `${groupName} ${office.city}`;
      if (namesUsed.has(groupName)) groupName = `${groupName} ${i + 1}`;
      namesUsed.add(groupName);
      const pool = usersByOffice.get(office.id) ?? [];
      const k = Math.min(pool.length, gr.int(operators[0], operators[1]));
      const chosen = gr.shuffle([...pool]).slice(0, k);
      const group: SimGroup = {
        id: ids.next(),
        kind,
        officeId: office.id,
        name: groupName,
        phone: uniquePhone(gr, office.country, 'landline'),
        operatorUserIds: chosen.map((u) => u.id),
      };
      chosen.forEach((u, j) =>
        u.groups.push({ groupId: group.id, groupType: kind, role: j === 0 ? 'admin' : 'operator' }),
      );
      groups.push(group);
    }
    return groups;
  };
  const departments = makeGroups('department', size.departments, DEPARTMENT_NAMES, [3, 8]);
  const callCenters = makeGroups('callcenter', size.callCenters, CALL_CENTER_NAMES, [4, 12]);

  const contacts: SimContact[] = [];
  // One stream for all contacts (not one per contact, as for users): 50,000 generators cost more
  // than the contacts themselves, and startup must stay fast.
  const cr = new Random(seed, 'contacts');
  for (let i = 0; i < size.contacts; i++) {
    const country = cr.weighted(CONTACT_COUNTRY_WEIGHTS);
    const firstName = cr.pick(FIRST_NAMES[country]);
    const lastName = cr.pick(LAST_NAMES[country]);
    const business = cr.chance(0.7) ? cr.pick(BUSINESS_NAMES[country]) : null;
    const local = users.length > 0 && cr.chance(0.15);
    const phoneCount = cr.weighted([
      [1, 80],
      [2, 15],
      [0, 5],
    ] as const);
    const contactPhones: string[] = [];
    for (let p = 0; p < phoneCount; p++)
      contactPhones.push(uniquePhone(cr, country, p === 0 && cr.chance(0.5) ? 'mobile' : 'landline'));
    const emailDomain = business ? `${asciiSlug(business)}.example.net` : 'mail.example.org';
    contacts.push({
      id: ids.next(),
      type: local ? 'local' : 'shared',
      ownerId: local ? (users[cr.int(0, users.length - 1)] as SimUser).id : null,
      firstName,
      lastName,
      companyName: business,
      jobTitle: business && cr.chance(0.6) ? cr.pick(JOB_TITLES) : null,
      phones: contactPhones,
      emails: cr.chance(0.7) ? [`${asciiSlug(firstName)}.${asciiSlug(lastName)}${i}@${emailDomain}`] : [],
      extension: null,
      urls: [],
      uid: null,
      country,
    });
  }

  // Some shared contacts were created by other integrations through PUT /contacts with their own
  // uid, so Dialpad's id for them is `<digits>_uid_<uid>` (API-NOTES §0, §5). A stream of its own:
  // the contacts above stay what they were.
  const ur = new Random(seed, 'contact-uids');
  for (const c of contacts) {
    if (c.type !== 'shared' || !ur.chance(0.1)) continue;
    const uid = `${ur.pick(EXTERNAL_UID_PREFIXES)}${ur.digits(7)}`;
    c.id = `${c.id}_uid_${uid}`;
    c.uid = uid;
  }

  return {
    id: companyId,
    name,
    domain,
    seed,
    size,
    largeIds,
    offices,
    departments,
    callCenters,
    users,
    contacts,
    officeById: new Map(offices.map((o) => [o.id, o])),
    groupById: new Map([...departments, ...callCenters].map((g) => [g.id, g])),
    userById: new Map(users.map((u) => [u.id, u])),
    usersByOffice,
  };
}
