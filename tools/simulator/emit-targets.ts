import type { CallParty, Conversation } from './calls';
import { generateCompany, type CompanySize, type SimCompany } from './company';
import type { EmitOptions } from './emitter';
import { defaultAiOfficeIds, type SimCallRecord, type SimulatorState } from './state';

/**
 * What an emission runs against: the simulated company (a simulator in this process, one over
 * HTTP, or a company generated here), where its call records go, and where each event is sent.
 */

export interface Destination {
  url: string;
  secret: string | null;
  webhookId: string | null;
}

/**
 * The simulator's records of these conversations' legs; the Ai leg's transcript and recap are
 * served from `aiReadyAt(conversation)` (real epoch ms).
 */
export function callRecords(conversations: Conversation[], aiReadyAt: (c: Conversation) => number): SimCallRecord[] {
  return conversations.flatMap((conv) =>
    conv.legs.map((leg): SimCallRecord => ({
      leg,
      officeId: leg.target.office_id ?? conv.officeId,
      ai:
        conv.ai && conv.ai.callId === leg.call_id
          ? {
              recap: conv.ai.recap,
              transcript: conv.ai.transcript,
              isInternal: conv.ai.isInternal,
              readyAt: aiReadyAt(conv),
            }
          : null,
    })),
  );
}

export function resolveTarget(options: EmitOptions): Destination | null {
  if (options.target === undefined) return null;
  const t = typeof options.target === 'string' ? { url: options.target } : options.target;
  return { url: t.url, secret: t.secret ?? options.secret ?? null, webhookId: null };
}

export interface ResolvedSimulator {
  company: SimCompany;
  aiOfficeIds: ReadonlySet<string>;
  state: SimulatorState | null;
  register: (records: SimCallRecord[]) => Promise<void>;
}

export async function resolveSimulator(options: EmitOptions): Promise<ResolvedSimulator> {
  const fetchImpl = options.fetch ?? fetch;
  const sim = options.simulator;
  if (sim !== undefined && typeof sim !== 'string') {
    return {
      // The live contacts: ones created or edited through the API call too.
      company: {
        ...sim.company,
        contacts: [...sim.contacts.all()],
        contactsCreatedWithUid: sim.contacts.createdWithUid(),
      },
      aiOfficeIds: new Set(options.aiOfficeIds ?? sim.aiOffices),
      state: sim,
      register: async (records) => sim.registerCalls(records),
    };
  }
  if (typeof sim === 'string') {
    const base = sim.replace(/\/+$/, '');
    const res = await fetchImpl(`${base}/_sim/company`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`simulator at ${base} answered ${res.status} for /_sim/company`);
    const info = (await res.json()) as {
      seed: string;
      size: CompanySize;
      largeIds: boolean;
      offices: { id: string; ai: boolean }[];
    };
    const company = generateCompany({ seed: info.seed, size: info.size, largeIds: info.largeIds });
    if (company.offices.map((o) => o.id).join() !== info.offices.map((o) => o.id).join()) {
      throw new Error('the simulator company does not match its seed (different simulator version?)');
    }
    return {
      company,
      aiOfficeIds: new Set(options.aiOfficeIds ?? info.offices.filter((o) => o.ai).map((o) => o.id)),
      state: null,
      register: async (records) => {
        for (let i = 0; i < records.length; i += 500) {
          const chunk = records.slice(i, i + 500);
          const r = await fetchImpl(`${base}/_sim/calls`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ records: chunk }),
            signal: AbortSignal.timeout(30_000),
          });
          if (!r.ok) throw new Error(`simulator at ${base} refused the calls: ${r.status} ${await r.text()}`);
        }
      },
    };
  }
  const company =
    options.company ??
    generateCompany({
      ...(options.companySeed !== undefined ? { seed: options.companySeed } : {}),
      ...(options.size !== undefined ? { size: options.size } : {}),
      largeIds: options.largeIds ?? false,
    });
  return {
    company,
    aiOfficeIds: new Set(options.aiOfficeIds ?? defaultAiOfficeIds(company)),
    state: null,
    register: async () => undefined,
  };
}

/** Where Dialpad would send this event: each enabled subscription's webhook, once per webhook. */
export function subscribedDestinations(
  state: SimulatorState,
  callState: string,
  payload: Record<string, unknown>,
): Destination[] {
  const target = payload.target as CallParty | undefined;
  const entry = payload.entry_point_target as Partial<CallParty> | undefined;
  const groupId = typeof payload.group_id === 'string' ? payload.group_id : '';
  const out = new Map<string, Destination>();
  for (const s of state.subscriptions.values()) {
    if (!s.enabled) continue;
    if (s.callStates.length > 0 && !s.callStates.includes('all') && !s.callStates.includes(callState)) continue;
    if (s.groupCallsOnly && !/^(CallCenter|Department):/.test(groupId)) continue;
    if (s.targetType !== null) {
      const matches =
        s.targetType === 'office'
          ? target?.office_id === s.targetId
          : (target?.type === s.targetType && target.id === s.targetId) ||
            (entry?.type === s.targetType && entry.id === s.targetId);
      if (!matches) continue;
    }
    const w = state.webhooks.get(s.endpointId);
    if (w) out.set(w.id, { url: w.hookUrl, secret: w.secret, webhookId: w.id });
  }
  return [...out.values()];
}
