import type { SimCompany, SimGroup, SimUser } from './company';
import { IdFactory, Random } from './random';
import type { CallLeg, ConversationKind } from './conversation';
import {
  baseLeg,
  externalParty,
  finish,
  groupParty,
  holdDuration,
  jitter,
  talkDuration,
  userAsContact,
  userParty,
  type Draft,
  type Step,
} from './legs';

/** A conversation of `kind` in relative time (it starts at 0): who calls whom, with which legs. */
export function buildDraft(kind: ConversationKind, r: Random, company: SimCompany, ids: IdFactory): Draft {
  const offices = company.offices.filter((o) => (company.usersByOffice.get(o.id)?.length ?? 0) > 0);
  if (offices.length === 0) throw new Error('the simulated company has no users to take calls');
  const callCenters = company.callCenters.filter((c) => c.operatorUserIds.length >= 2);
  const transferOffices = offices.filter((o) => (company.usersByOffice.get(o.id)?.length ?? 0) >= 2);
  if (kind === 'callcenter' && callCenters.length > 0) return callCenterCall(r, company, ids, r.pick(callCenters));
  if (kind === 'transfer' && transferOffices.length > 0)
    return transferCall(r, company, ids, r.pick(transferOffices).id);
  if (kind === 'internal' && company.users.length >= 2) return internalCall(r, company, ids);
  const office = r.pick(offices);
  const user = r.pick(company.usersByOffice.get(office.id) as SimUser[]);
  switch (kind) {
    case 'outbound':
      return outboundCall(r, company, ids, user);
    case 'inbound_missed':
      return directInbound(r, company, ids, user, 'missed');
    case 'voicemail':
      return directInbound(r, company, ids, user, 'voicemail');
    default:
      return directInbound(r, company, ids, user, 'answered');
  }
}

function directInbound(
  r: Random,
  company: SimCompany,
  ids: IdFactory,
  user: SimUser,
  outcome: 'answered' | 'missed' | 'voicemail',
): Draft {
  const ext = externalParty(r, company, ids);
  const callId = ids.next();
  const leg = baseLeg(r, {
    call_id: callId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: user.phone,
    contact: ext.party,
    target: userParty(user),
    group_id: `Office:${user.officeId}`,
  });
  leg.date_started = 0;
  leg.date_rang = leg.date_first_rang = r.int(200, 900);
  const steps: Step[] = [{ callId, state: 'ringing', at: leg.date_rang + jitter(r) }];
  let hold = 0;
  if (outcome === 'answered') {
    leg.date_connected = leg.date_rang + r.int(3_000, 20_000);
    hold = holdDuration(r);
    leg.date_ended = leg.date_connected + talkDuration(r) + hold;
    steps.push({ callId, state: 'connected', at: leg.date_connected + jitter(r) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(300, 2_000) });
  } else if (outcome === 'missed') {
    leg.date_ended = leg.date_rang + r.int(15_000, 35_000);
    steps.push({ callId, state: 'missed', at: leg.date_ended + r.int(100, 400) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(500, 1_800) });
  } else {
    const voicemailAt = leg.date_rang + r.int(15_000, 30_000);
    leg.date_ended = voicemailAt + r.int(8_000, 60_000);
    leg.was_recorded = true;
    leg.voicemail_recording_id = ids.next();
    leg.voicemail_link = `https://dialpad.com/r/voicemail/${callId}`;
    const who = ext.known ? ext.party.name.split(' ')[0] : 'a customer';
    leg.transcription_text = `Hi, it's ${who}, ${r.pick(VOICEMAIL_REASONS)} Please call me back on ${ext.party.phone}. Thanks.`;
    if (r.chance(0.5)) steps.push({ callId, state: 'missed', at: voicemailAt + r.int(50, 200) });
    steps.push({ callId, state: 'voicemail', at: voicemailAt + r.int(250, 600) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(300, 1_500) });
    const uploaded = leg.date_ended + r.int(20_000, 60_000);
    steps.push({ callId, state: 'voicemail_uploaded', at: uploaded });
    steps.push({ callId, state: 'transcription', at: uploaded + r.int(5_000, 30_000) });
  }
  finish(leg, hold);
  return {
    kind: outcome === 'answered' ? 'inbound_answered' : outcome === 'missed' ? 'inbound_missed' : 'voicemail',
    officeId: user.officeId,
    legs: [leg],
    steps,
    aiLeg:
      outcome === 'answered'
        ? { callId, agent: user, callerName: ext.party.name, callerContactId: ext.party.id }
        : null,
    expected: {
      key: callId,
      direction: 'inbound',
      status: outcome,
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: user.phone,
      talkSeconds: Math.round(leg.talk_time / 1000),
      answeringUserId: outcome === 'answered' ? user.id : null,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: outcome === 'voicemail' ? leg.transcription_text : null,
    },
  };
}

const VOICEMAIL_REASONS = [
  'calling about the invoice from last month.',
  'I wanted to check on the status of our order.',
  'we need to reschedule Thursday’s delivery.',
  'I have a question about your pricing for next quarter.',
  'the replacement part still has not arrived.',
] as const;

function outboundCall(r: Random, company: SimCompany, ids: IdFactory, user: SimUser): Draft {
  const ext = externalParty(r, company, ids);
  const callId = ids.next();
  const leg = baseLeg(r, {
    call_id: callId,
    direction: 'outbound',
    external_number: ext.party.phone,
    internal_number: user.phone,
    contact: ext.party,
    target: userParty(user),
    group_id: `Office:${user.officeId}`,
  });
  leg.date_connected = r.int(4_000, 25_000);
  const hold = holdDuration(r);
  leg.date_ended = leg.date_connected + talkDuration(r) + hold;
  finish(leg, hold);
  return {
    kind: 'outbound',
    officeId: user.officeId,
    legs: [leg],
    steps: [
      { callId, state: 'calling', at: r.int(50, 300) },
      { callId, state: 'connected', at: leg.date_connected + jitter(r) },
      { callId, state: 'hangup', at: leg.date_ended + r.int(300, 2_000) },
    ],
    aiLeg: { callId, agent: user, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: callId,
      direction: 'outbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: user.phone,
      talkSeconds: Math.round(leg.talk_time / 1000),
      answeringUserId: user.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function callCenterCall(r: Random, company: SimCompany, ids: IdFactory, cc: SimGroup): Draft {
  const ext = externalParty(r, company, ids);
  const entryId = ids.next();
  const entry = baseLeg(r, {
    call_id: entryId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: cc.phone,
    contact: ext.party,
    target: groupParty(cc),
    group_id: `CallCenter:${cc.id}`,
  });
  entry.date_queued = r.int(500, 3_000);
  const operators = r
    .shuffle([...cc.operatorUserIds])
    .slice(0, Math.min(cc.operatorUserIds.length, r.int(2, 4)))
    .map((id) => company.userById.get(id) as SimUser);
  const answering = r.int(0, operators.length - 1);
  const ringStart = entry.date_queued + r.int(200, 4_000);
  const answeredAt = ringStart + r.int(3_000, 15_000);
  const hold = holdDuration(r);
  const talkEnd = answeredAt + talkDuration(r) + hold;
  const steps: Step[] = [{ callId: entryId, state: 'queued', at: entry.date_queued + jitter(r) }];
  const operatorLegs: CallLeg[] = [];
  let answeringLeg: CallLeg | null = null;
  operators.forEach((user, i) => {
    const id = ids.next();
    const leg = baseLeg(r, {
      call_id: id,
      master_call_id: entryId,
      entry_point_call_id: entryId,
      direction: 'inbound',
      external_number: ext.party.phone,
      internal_number: cc.phone,
      contact: ext.party,
      target: userParty(user),
      entry_point_target: groupParty(cc),
      group_id: `CallCenter:${cc.id}`,
    });
    leg.date_started = ringStart + r.int(0, 400);
    leg.date_rang = leg.date_first_rang = leg.date_started + r.int(50, 300);
    steps.push({ callId: id, state: 'ringing', at: leg.date_rang + jitter(r) });
    if (i === answering) {
      leg.date_connected = answeredAt;
      leg.date_ended = talkEnd;
      finish(leg, hold);
      steps.push({ callId: id, state: 'connected', at: answeredAt + jitter(r) });
      steps.push({ callId: id, state: 'hangup', at: talkEnd + r.int(300, 2_000) });
      answeringLeg = leg;
    } else {
      // The others stop ringing when someone answers.
      leg.date_ended = Math.max(leg.date_rang + 500, answeredAt + r.int(0, 600));
      finish(leg);
      if (r.chance(0.5)) steps.push({ callId: id, state: 'missed', at: leg.date_ended + r.int(50, 300) });
      steps.push({ callId: id, state: 'hangup', at: leg.date_ended + r.int(300, 1_800) });
    }
    operatorLegs.push(leg);
  });
  const agentLeg = answeringLeg as unknown as CallLeg;
  const agent = operators[answering] as SimUser;
  entry.operator_call_id = agentLeg.call_id;
  entry.date_connected = answeredAt;
  entry.date_ended = talkEnd + r.int(50, 400);
  finish(entry, hold);
  steps.push({ callId: entryId, state: 'connected', at: answeredAt + jitter(r) });
  steps.push({ callId: entryId, state: 'hangup', at: entry.date_ended + r.int(300, 2_000) });
  return {
    kind: 'callcenter',
    officeId: cc.officeId,
    legs: [entry, ...operatorLegs],
    steps,
    aiLeg: { callId: agentLeg.call_id, agent, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: entryId,
      direction: 'inbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: cc.phone,
      talkSeconds: Math.round(agentLeg.talk_time / 1000),
      answeringUserId: agent.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function transferCall(r: Random, company: SimCompany, ids: IdFactory, officeId: string): Draft {
  const [first, second] = r.shuffle([...(company.usersByOffice.get(officeId) as SimUser[])]) as [SimUser, SimUser];
  const ext = externalParty(r, company, ids);
  const firstId = ids.next();
  const a = baseLeg(r, {
    call_id: firstId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: first.phone,
    contact: ext.party,
    target: userParty(first),
    group_id: `Office:${officeId}`,
  });
  a.date_rang = a.date_first_rang = r.int(200, 900);
  a.date_connected = a.date_rang + r.int(3_000, 15_000);
  a.date_ended = a.date_connected + r.duration(60_000, 10_000, 600_000);
  a.is_transferred = true;
  finish(a);
  const secondId = ids.next();
  const b = baseLeg(r, {
    call_id: secondId,
    master_call_id: firstId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: second.phone,
    contact: ext.party,
    target: userParty(second),
    group_id: `Office:${officeId}`,
  });
  b.date_started = a.date_ended + r.int(100, 500);
  b.date_rang = b.date_first_rang = b.date_started + r.int(100, 300);
  b.date_connected = b.date_rang + r.int(3_000, 12_000);
  const hold = holdDuration(r);
  b.date_ended = b.date_connected + talkDuration(r) + hold;
  finish(b, hold);
  return {
    kind: 'transfer',
    officeId,
    legs: [a, b],
    steps: [
      { callId: firstId, state: 'ringing', at: a.date_rang + jitter(r) },
      { callId: firstId, state: 'connected', at: a.date_connected + jitter(r) },
      { callId: firstId, state: 'hangup', at: a.date_ended + r.int(200, 1_000) },
      { callId: secondId, state: 'ringing', at: b.date_rang + jitter(r) },
      { callId: secondId, state: 'connected', at: b.date_connected + jitter(r) },
      { callId: secondId, state: 'hangup', at: b.date_ended + r.int(300, 2_000) },
    ],
    aiLeg: { callId: secondId, agent: second, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: firstId,
      direction: 'inbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: first.phone,
      talkSeconds: Math.round((a.talk_time + b.talk_time) / 1000),
      answeringUserId: first.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function internalCall(r: Random, company: SimCompany, ids: IdFactory): Draft {
  const caller = r.pick(company.users);
  let callee = r.pick(company.users);
  while (callee.id === caller.id) callee = r.pick(company.users);
  const answered = r.chance(0.8);
  const outId = ids.next();
  const inId = ids.next();
  const out = baseLeg(r, {
    call_id: outId,
    direction: 'outbound',
    external_number: callee.phone,
    internal_number: caller.phone,
    contact: userAsContact(callee),
    target: userParty(caller),
    group_id: `Office:${caller.officeId}`,
  });
  const inbound = baseLeg(r, {
    call_id: inId,
    master_call_id: outId,
    direction: 'inbound',
    external_number: caller.phone,
    internal_number: callee.phone,
    contact: userAsContact(caller),
    target: userParty(callee),
    group_id: `Office:${callee.officeId}`,
  });
  inbound.date_started = r.int(100, 400);
  inbound.date_rang = inbound.date_first_rang = inbound.date_started + r.int(50, 200);
  const steps: Step[] = [
    { callId: outId, state: 'calling', at: r.int(20, 100) },
    { callId: inId, state: 'ringing', at: inbound.date_rang + jitter(r) },
  ];
  if (answered) {
    const connectedAt = inbound.date_rang + r.int(2_000, 12_000);
    const endAt = connectedAt + r.duration(90_000, 10_000, 900_000);
    out.date_connected = inbound.date_connected = connectedAt;
    out.date_ended = endAt;
    inbound.date_ended = endAt + r.int(0, 300);
    steps.push({ callId: outId, state: 'connected', at: connectedAt + jitter(r) });
    steps.push({ callId: inId, state: 'connected', at: connectedAt + jitter(r) });
    steps.push({ callId: outId, state: 'hangup', at: endAt + r.int(300, 1_500) });
    steps.push({ callId: inId, state: 'hangup', at: inbound.date_ended + r.int(300, 1_500) });
  } else {
    inbound.date_ended = inbound.date_rang + r.int(15_000, 30_000);
    out.date_ended = inbound.date_ended + r.int(0, 300);
    steps.push({ callId: inId, state: 'missed', at: inbound.date_ended + r.int(50, 300) });
    steps.push({ callId: inId, state: 'hangup', at: inbound.date_ended + r.int(300, 1_500) });
    steps.push({ callId: outId, state: 'hangup', at: out.date_ended + r.int(300, 1_500) });
  }
  finish(out);
  finish(inbound);
  return {
    kind: 'internal',
    officeId: caller.officeId,
    legs: [out, inbound],
    steps,
    aiLeg: answered
      ? { callId: outId, agent: caller, callerName: `${callee.firstName} ${callee.lastName}`, callerContactId: null }
      : null,
    expected: {
      key: outId,
      direction: 'outbound',
      status: answered ? 'answered' : 'missed',
      externalNumber: callee.phone,
      externalCountry: null,
      internalNumber: caller.phone,
      talkSeconds: Math.round(out.talk_time / 1000),
      answeringUserId: answered ? caller.id : null,
      calleeUserId: callee.id,
      contactId: callee.id,
      knownContact: false,
      isInternal: true,
      voicemailTranscription: null,
    },
  };
}
