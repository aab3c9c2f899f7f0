import type { SimCompany, SimContact, SimGroup, SimUser } from './company';
import { callerIdName, randomPhone, type SimCountry } from './phones';
import { IdFactory, Random } from './random';
import type { CallLeg, CallParty, ConversationKind, ExpectedConversation } from './conversation';

/** The building blocks of a conversation's legs: parties, a leg's skeleton, its final durations. */

export interface Step {
  callId: string;
  state: string;
  at: number;
}

export interface Draft {
  kind: ConversationKind;
  officeId: string;
  legs: CallLeg[];
  steps: Step[];
  /** Who talked, for the Ai artefacts. */
  aiLeg: { callId: string; agent: SimUser; callerName: string; callerContactId: string | null } | null;
  expected: Omit<
    ExpectedConversation,
    'startedAt' | 'endedAt' | 'hasAi' | 'aiCallId' | 'recap' | 'tone' | 'legCallIds' | 'kind' | 'officeId'
  >;
}

export interface External {
  party: CallParty;
  country: SimCountry | null;
  known: boolean;
}

export const jitter = (r: Random) => r.int(20, 150);

export function userParty(u: SimUser): CallParty {
  return {
    id: u.id,
    name: `${u.firstName} ${u.lastName}`,
    phone: u.phone,
    email: u.email,
    type: 'user',
    office_id: u.officeId,
  };
}

/** An internal caller or callee as the `contact` of the other user's leg. */
export function userAsContact(u: SimUser): CallParty {
  return { id: u.id, name: `${u.firstName} ${u.lastName}`, phone: u.phone, email: u.email, type: 'user' };
}

export function groupParty(g: SimGroup): CallParty {
  return { id: g.id, name: g.name, phone: g.phone, email: '', type: g.kind, office_id: g.officeId };
}

const UNKNOWN_CALLER_COUNTRIES: readonly (readonly [SimCountry, number])[] = [
  ['US', 35],
  ['GB', 20],
  ['AU', 15],
  ['DE', 15],
  ['FR', 15],
];

export function externalParty(r: Random, company: SimCompany, ids: IdFactory): External {
  if (company.contacts.length > 0 && r.chance(0.65)) {
    // Contacts created through PUT /contacts with a uid (ours, pushed back) call again: a quarter
    // of known callers when there are any, so their `<digits>_uid_<uid>` ids show up in events.
    const pushed = company.contactsCreatedWithUid ?? [];
    const pool = pushed.length > 0 && r.chance(0.25) ? pushed : company.contacts;
    for (let tries = 0; tries < 10; tries++) {
      const c = pool[r.int(0, pool.length - 1)] as SimContact;
      const phone = c.phones[0];
      if (!phone) continue;
      return {
        party: {
          id: c.id,
          name: `${c.firstName} ${c.lastName}`,
          phone,
          email: c.emails[0] ?? '',
          type: c.type,
        },
        country: c.country,
        known: true,
      };
    }
  }
  const country = r.weighted(UNKNOWN_CALLER_COUNTRIES);
  const phone = randomPhone(r, country, r.chance(0.5) ? 'mobile' : 'landline');
  // Dialpad still gives an unknown caller a (local) contact id, named after the number or place.
  return {
    party: { id: ids.next(), name: callerIdName(r, phone, country), phone, email: '', type: 'local' },
    country,
    known: false,
  };
}

export function baseLeg(
  r: Random,
  p: Pick<
    CallLeg,
    'call_id' | 'direction' | 'external_number' | 'internal_number' | 'contact' | 'target' | 'group_id'
  > &
    Partial<CallLeg>,
): CallLeg {
  const leg: CallLeg = {
    master_call_id: null,
    entry_point_call_id: null,
    operator_call_id: null,
    entry_point_target: {},
    proxy_target: {},
    target_availability_status: 'open',
    date_started: 0,
    date_first_rang: null,
    date_queued: null,
    date_rang: null,
    date_connected: null,
    date_ended: 0,
    duration: 0,
    total_duration: 0,
    talk_time: 0,
    hold_time: 0,
    is_transferred: false,
    was_recorded: false,
    call_recording_ids: [],
    recording_details: [],
    routing_breadcrumbs: [],
    labels: [],
    mos_score: Math.round((3.8 + r.next() * 0.65) * 100) / 100,
    csat_score: null,
    callback_requested: null,
    transcription_text: null,
    voicemail_link: null,
    voicemail_recording_id: null,
    ...p,
  };
  return leg;
}

/**
 * Dialpad measures durations as doubles: real payloads carry `total_duration: 8951.03` where the
 * dates are 8951 ms apart. Half the legs (by call id, no random draw) get such a fraction.
 */
export function durationFraction(callId: string): number {
  const n = Number(callId.slice(-3));
  return n % 2 === 0 ? (n % 100) / 100 : 0;
}

/** Durations once the times are final: talk excludes hold, all in ms. */
export function finish(leg: CallLeg, holdMs = 0): CallLeg {
  leg.total_duration = leg.date_ended - leg.date_started + durationFraction(leg.call_id);
  leg.hold_time = leg.date_connected === null ? 0 : holdMs;
  leg.talk_time = leg.date_connected === null ? 0 : leg.date_ended - leg.date_connected - leg.hold_time;
  leg.duration = leg.talk_time;
  return leg;
}

export const talkDuration = (r: Random) => r.duration(180_000, 15_000, 1_800_000);
export const holdDuration = (r: Random) => (r.chance(0.12) ? r.int(10_000, 90_000) : 0);
