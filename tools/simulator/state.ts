import type { AiRecapContent, TranscriptLine } from './ai-content';
import type { CallLeg } from './calls';
import { generateCompany, type CompanySize, type SimCompany, type SimGroup, type SimUser } from './company';
import { IdFactory, Random } from './random';
import type { RestIdFormat, SimCallSubscription, SimWebhook } from './render';
import { ContactStore } from './contact-store';

export { ContactStore };

/**
 * Everything the simulator knows and has seen, in memory. The seeded company is immutable but for
 * directory edits (renameGroup, removeUser); those, contacts, webhooks, subscriptions, registered
 * calls, faults, latency, Ai switches, rate windows and the request log are the mutable part, and
 * `reset()` returns to the seeded state.
 */

export interface RateLimitRule {
  count: number;
  perMs: number;
}

export interface SimulatorRateLimits {
  enabled: boolean;
  company: RateLimitRule;
  /** Keyed by `METHOD /route/template` (Fastify syntax, e.g. `GET /api/v2/call/:id`). */
  endpoints: Record<string, RateLimitRule>;
  /** Every endpoint not listed above. */
  defaultEndpoint: RateLimitRule;
}

/** Dialpad's documented limits (API-NOTES §6). */
export const DIALPAD_SIM_RATE_LIMITS: SimulatorRateLimits = {
  enabled: true,
  company: { count: 20, perMs: 1000 },
  endpoints: {
    'GET /api/v2/call/:id': { count: 10, perMs: 60_000 },
    'GET /api/v2/call/:id/ai_recap': { count: 12, perMs: 60_000 },
    'POST /api/v2/contacts': { count: 100, perMs: 60_000 },
    'PUT /api/v2/contacts': { count: 100, perMs: 60_000 },
    'POST /api/v2/webhooks': { count: 100, perMs: 60_000 },
  },
  defaultEndpoint: { count: 1200, perMs: 60_000 },
};

/** POST and PUT /contacts draw on one "contact create" budget. */
export function rateLimitBucket(endpointKey: string): string {
  return endpointKey === 'PUT /api/v2/contacts' ? 'POST /api/v2/contacts' : endpointKey;
}

export interface SimulatorOptions {
  seed?: string;
  size?: Partial<CompanySize>;
  /** Every id above 2^53. */
  largeIds?: boolean;
  /** Accept only this bearer key; unset accepts any non-empty key. */
  apiKey?: string;
  restIdFormat?: RestIdFormat;
  /** false disables enforcement; an object overrides parts of Dialpad's limits. */
  rateLimits?: boolean | Partial<SimulatorRateLimits>;
  pageSize?: number;
  /** Offices with Dialpad Ai on. Default: every office but the last (so both kinds exist). */
  aiOfficeIds?: string[];
  /** How many requests the log keeps (oldest dropped first). */
  requestLogSize?: number;
}

export interface Fault {
  id: string;
  method: string | null;
  /** Exact path, a prefix ending in `*`, or a route template such as `/api/v2/call/:id`. */
  path: string;
  status: number;
  /** Requests still to fail; null = until cleared. */
  remaining: number | null;
  /** Response body; default is a Dialpad-style error. */
  body: unknown;
  headers: Record<string, string>;
}

export interface LatencyRule {
  path: string | null;
  ms: number;
}

export interface RecordedRequest {
  seq: number;
  /** Arrival, epoch ms (fractional). */
  at: number;
  method: string;
  path: string;
  route: string | null;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
  durationMs: number | null;
  /** Why the simulator answered as it did, when it was not the endpoint itself. */
  outcome: 'handled' | 'unauthorized' | 'rate_limited' | 'fault' | null;
}

export interface SimCallRecord {
  leg: CallLeg;
  officeId: string;
  ai: {
    recap: AiRecapContent;
    transcript: TranscriptLine[];
    isInternal: boolean;
    /** Real epoch ms from which the transcript and ai_recap are served. */
    readyAt: number;
  } | null;
}

export function defaultAiOfficeIds(company: SimCompany): string[] {
  const offices = company.offices.map((o) => o.id);
  return offices.length > 1 ? offices.slice(0, -1) : offices;
}

export class SimulatorState {
  readonly company: SimCompany;
  readonly apiKey: string | undefined;
  readonly contacts: ContactStore;
  restIdFormat: RestIdFormat;
  pageSize: number;
  rateLimits: SimulatorRateLimits;
  aiOffices: Set<string>;
  webhooks = new Map<string, SimWebhook>();
  subscriptions = new Map<string, SimCallSubscription>();
  calls = new Map<string, SimCallRecord>();
  faults: Fault[] = [];
  latency: LatencyRule[] = [];
  requests: RecordedRequest[] = [];
  readonly rateWindows = new Map<string, number[]>();
  private readonly initial: Pick<SimulatorState, 'restIdFormat' | 'pageSize' | 'rateLimits'> & { aiOffices: string[] };
  private readonly requestLogSize: number;
  private ids: IdFactory;
  private seq = 0;
  private requestSeq = 0;
  /** How to undo each directory edit, newest last (reset() runs them backwards). */
  private directoryUndo: (() => void)[] = [];
  /** Deterministic stream for the simulator's own coin flips (e.g. the /users limit quirk). */
  random: Random;

  constructor(options: SimulatorOptions = {}) {
    this.company = generateCompany({
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.size !== undefined ? { size: options.size } : {}),
      largeIds: options.largeIds ?? false,
    });
    this.apiKey = options.apiKey;
    this.contacts = new ContactStore(this.company.contacts);
    const rl = options.rateLimits;
    const rateLimits: SimulatorRateLimits =
      rl === false
        ? { ...DIALPAD_SIM_RATE_LIMITS, enabled: false }
        : rl === true || rl === undefined
          ? DIALPAD_SIM_RATE_LIMITS
          : {
              ...DIALPAD_SIM_RATE_LIMITS,
              ...rl,
              endpoints: { ...DIALPAD_SIM_RATE_LIMITS.endpoints, ...rl.endpoints },
            };
    this.initial = {
      restIdFormat: options.restIdFormat ?? 'string',
      pageSize: options.pageSize ?? 100,
      rateLimits,
      aiOffices: options.aiOfficeIds ?? defaultAiOfficeIds(this.company),
    };
    for (const id of this.initial.aiOffices) {
      if (!this.company.officeById.has(id)) throw new RangeError(`aiOfficeIds: no office ${id} in the company`);
    }
    this.requestLogSize = options.requestLogSize ?? 20_000;
    this.restIdFormat = this.initial.restIdFormat;
    this.pageSize = this.initial.pageSize;
    this.rateLimits = this.initial.rateLimits;
    this.aiOffices = new Set(this.initial.aiOffices);
    this.ids = this.newIdFactory();
    this.random = new Random(this.company.seed, 'simulator');
  }

  private newIdFactory(): IdFactory {
    return new IdFactory(new Random(this.company.seed, 'runtime-ids'), this.company.largeIds);
  }

  newId(): string {
    return this.ids.next();
  }

  nextSeq(): number {
    return ++this.seq;
  }

  recordRequest(r: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const rec: RecordedRequest = { seq: ++this.requestSeq, ...r };
    this.requests.push(rec);
    if (this.requests.length > this.requestLogSize) this.requests.splice(0, this.requests.length - this.requestLogSize);
    return rec;
  }

  /** Sliding-window log: true (and counted) if one more request fits in `rule`. */
  admit(bucket: string, rule: RateLimitRule, now: number): boolean {
    let log = this.rateWindows.get(bucket);
    if (!log) {
      log = [];
      this.rateWindows.set(bucket, log);
    }
    let drop = 0;
    while (drop < log.length && (log[drop] as number) <= now - rule.perMs) drop++;
    if (drop) log.splice(0, drop);
    if (log.length >= rule.count) return false;
    log.push(now);
    return true;
  }

  /** The first active fault matching the request, consumed by one. */
  takeFault(method: string, path: string, route: string | null): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.method === null || f.method === method) &&
        (f.remaining === null || f.remaining > 0) &&
        (f.path === path || f.path === route || (f.path.endsWith('*') && path.startsWith(f.path.slice(0, -1)))),
    );
    if (fault && fault.remaining !== null) {
      fault.remaining--;
      if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }

  latencyFor(path: string): number {
    let ms = 0;
    for (const rule of this.latency) {
      if (
        rule.path === null ||
        rule.path === path ||
        (rule.path.endsWith('*') && path.startsWith(rule.path.slice(0, -1)))
      ) {
        ms = Math.max(ms, rule.ms);
      }
    }
    return ms;
  }

  /**
   * Renames a department or call centre, as an admin would in Dialpad (a directory sync must pick
   * it up). Unlike the rest of the seeded company, the directory can change; reset() restores it.
   */
  renameGroup(groupId: string, name: string): SimGroup {
    const group = this.company.groupById.get(groupId);
    if (!group) throw new RangeError(`no department or call centre ${groupId}`);
    const before = group.name;
    group.name = name;
    this.directoryUndo.push(() => {
      group.name = before;
    });
    return group;
  }

  /**
   * Removes a user from the company: gone from /users, /users/{id} and as an owner of local
   * contacts (their contacts stay in the store, unlisted). reset() brings them back.
   */
  removeUser(userId: string): SimUser {
    const { company } = this;
    const user = company.userById.get(userId);
    if (!user) throw new RangeError(`no user ${userId}`);
    const officeUsers = company.usersByOffice.get(user.officeId) ?? [];
    const at = company.users.indexOf(user);
    const atInOffice = officeUsers.indexOf(user);
    company.users.splice(at, 1);
    if (atInOffice >= 0) officeUsers.splice(atInOffice, 1);
    company.userById.delete(userId);
    this.directoryUndo.push(() => {
      company.users.splice(at, 0, user);
      if (atInOffice >= 0) officeUsers.splice(atInOffice, 0, user);
      company.userById.set(userId, user);
    });
    return user;
  }

  registerCalls(records: SimCallRecord[]): void {
    for (const r of records) this.calls.set(r.leg.call_id, r);
  }

  /** Back to the seeded company: every change, fault, log and window forgotten. */
  reset(): void {
    for (const undo of this.directoryUndo.reverse()) undo();
    this.directoryUndo = [];
    this.contacts.reset();
    this.webhooks = new Map();
    this.subscriptions = new Map();
    this.calls = new Map();
    this.faults = [];
    this.latency = [];
    this.requests = [];
    this.rateWindows.clear();
    this.restIdFormat = this.initial.restIdFormat;
    this.pageSize = this.initial.pageSize;
    this.rateLimits = this.initial.rateLimits;
    this.aiOffices = new Set(this.initial.aiOffices);
    this.ids = this.newIdFactory();
    this.random = new Random(this.company.seed, 'simulator');
    this.seq = 0;
  }
}
