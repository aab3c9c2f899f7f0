import { z } from 'zod';
import { DialpadClient, collect } from '../../src/dialpad/client';
import { DialpadApiError } from '../../src/dialpad/errors';
import { InMemoryRateLimiter } from '../../src/dialpad/rate-limit';
import { DIALPAD_CALL_STATES } from '../../src/dialpad/types';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { example, placeCalls, simRequest, SMALL_COMPANY } from '../simulator/support';

/**
 * The simulator's REST responses against Dialpad's shapes (API-NOTES §4–5 and the examples), read
 * raw, then through the client. REST sends int64 fields as strings.
 */

const int64 = z.string().regex(/^\d{1,19}$/, 'int64 as a decimal string');
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164');
const nullableStr = z.string().nullable();
const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item).min(1).optional(), cursor: z.string().min(1).optional() });

const office = z.looseObject({
  id: int64,
  office_id: int64,
  name: z.string().min(1),
  state: z.enum(['active', 'cancelled', 'deleted', 'pending', 'suspended']),
  timezone: z.string(),
  country: z.string().length(2),
  phone_numbers: z.array(e164).min(1),
  is_primary_office: z.boolean(),
  availability_status: z.string(),
});
const group = z.looseObject({
  id: int64,
  name: z.string().min(1),
  office_id: int64,
  phone_numbers: z.array(e164),
  state: z.string(),
  timezone: z.string(),
  group_description: z.string(),
});
const user = z.looseObject({
  id: int64,
  first_name: z.string(),
  last_name: z.string(),
  display_name: z.string(),
  emails: z.array(z.email()),
  phone_numbers: z.array(e164),
  office_id: int64,
  company_id: int64,
  state: z.literal('active'),
  license: z.string(),
  is_admin: z.boolean(),
  admin_office_ids: z.array(int64),
  group_details: z.array(
    z.strictObject({ group_id: int64, group_type: z.enum(['department', 'callcenter']), role: z.string() }),
  ),
  job_title: z.string(),
  timezone: z.string(),
  date_added: z.iso.datetime(),
  on_duty_status: z.string(),
});
const contact = z.strictObject({
  id: z.string().min(1),
  type: z.enum(['local', 'shared']),
  first_name: z.string(),
  last_name: z.string(),
  display_name: z.string(),
  company_name: nullableStr,
  job_title: nullableStr,
  phones: z.array(e164),
  primary_phone: e164.nullable(),
  emails: z.array(z.string()),
  primary_email: nullableStr,
  owner_id: int64.optional(),
  extension: nullableStr,
  urls: z.array(z.string()),
});
const webhook = z.strictObject({
  id: int64,
  hook_url: z.url(),
  signature: z.strictObject({ algo: z.literal('HS256'), type: z.literal('jwt'), secret: z.string() }).nullable(),
});
const subscription = z.strictObject({
  id: int64,
  call_states: z.array(z.enum(DIALPAD_CALL_STATES)),
  enabled: z.boolean(),
  group_calls_only: z.boolean(),
  target_id: int64.nullable(),
  target_type: z.string().nullable(),
  webhook,
  websocket: z.null(),
});
// CallContactProto: its id is a string in the spec, and not always digits (`<digits>_uid_<uid>`).
const party = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  phone: e164,
  email: z.string(),
  type: z.string(),
});
const epochString = z.string().regex(/^\d{13}$/, 'epoch ms as a string');
const call = z.looseObject({
  call_id: int64,
  master_call_id: int64.nullable(),
  entry_point_call_id: int64.nullable(),
  operator_call_id: int64.nullable(),
  state: z.literal('hangup'),
  direction: z.enum(['inbound', 'outbound']),
  external_number: e164,
  internal_number: e164,
  contact: party,
  target: party,
  group_id: z.string().regex(/^(Office|CallCenter|Department):\d+$/),
  date_started: epochString,
  date_connected: epochString.nullable(),
  date_ended: epochString,
  duration: z.number(),
  total_duration: z.number(),
  is_transferred: z.boolean(),
  was_recorded: z.boolean(),
  mos_score: z.number(),
  voicemail_share_link: z.url().nullable(),
  recording_details: z.array(
    z.strictObject({
      id: z.string(),
      url: z.url().nullable(),
      duration: z.number().nullable(),
      start_time: z.union([z.number(), epochString]).nullable(),
      recording_type: z.enum(['callrecording', 'admincallrecording', 'voicemail']),
    }),
  ),
});

const keysOf = (o: object) => Object.keys(o).sort();

describe('simulator responses have Dialpad’s shapes', () => {
  let sim: RunningSimulator;
  const auth = { authorization: 'Bearer shape-test' };
  const get = (path: string) => simRequest(sim, 'GET', path, undefined, auth);
  const send = (method: string, path: string, body: unknown) => simRequest(sim, method, path, body, auth);
  const limiter = new InMemoryRateLimiter();
  const client = () => new DialpadClient({ apiKey: 'shape-test', baseUrl: sim.url, rateLimiter: limiter });

  beforeAll(async () => {
    // Raw requests here bypass the client's limiter; rate limits have their own tests.
    sim = await startSimulator({ seed: 'shapes', size: SMALL_COMPANY, rateLimits: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('offices, departments and call centres per office', async () => {
    const offices = await get('/api/v2/offices');
    expect(offices.status).toBe(200);
    page(office).parse(offices.body);
    const first = offices.body.items[0];
    office.parse((await get(`/api/v2/offices/${first.id}`)).body);
    for (const kind of ['departments', 'callcenters']) {
      const r = await get(`/api/v2/offices/${first.id}/${kind}`);
      const parsed = page(group).parse(r.body);
      expect(parsed.items?.every((g) => g.office_id === first.id)).toBe(true);
    }
    const viaClient = await collect(client().listOfficeCallCenters(first.id));
    expect(viaClient.map((c) => c.id)).toEqual(
      sim.state.company.callCenters.filter((c) => c.officeId === first.id).map((c) => c.id),
    );
    expect((await collect(client().listOffices())).map((o) => o.id)).toEqual(
      sim.state.company.offices.map((o) => o.id),
    );
  });

  it('users', async () => {
    const r = await get('/api/v2/users');
    page(user).parse(r.body);
    const u = r.body.items[0];
    user.parse((await get(`/api/v2/users/${u.id}`)).body);
    expect((await client().getUser(u.id)).emails).toEqual(u.emails);
  });

  it('contacts: list, get, create, create-with-uid, update, delete', async () => {
    page(contact).parse((await get('/api/v2/contacts')).body);
    const created = await send('POST', '/api/v2/contacts', {
      first_name: 'Dana',
      last_name: 'Whitfield',
      phones: ['+14155550142', '+442079460958'],
      emails: ['dana@example.com'],
      company_name: 'Lumen Foods',
    });
    expect(created.status).toBe(200);
    contact.parse(created.body);
    expect(created.body).toMatchObject({
      type: 'shared',
      primary_phone: '+14155550142',
      primary_email: 'dana@example.com',
    });

    const upserted = await send('PUT', '/api/v2/contacts', {
      uid: 'nav-123',
      first_name: 'Priya',
      last_name: 'Shah',
      phones: ['+61291234567'],
    });
    contact.parse(upserted.body);
    expect(upserted.body.id).toMatch(/_uid_nav-123$/);
    const again = await send('PUT', '/api/v2/contacts', {
      uid: 'nav-123',
      first_name: 'Priya',
      last_name: 'Shah-Jones',
    });
    expect(again.body).toMatchObject({ id: upserted.body.id, last_name: 'Shah-Jones' });

    const patched = await send('PATCH', `/api/v2/contacts/${created.body.id}`, { job_title: 'Buyer' });
    expect(contact.parse(patched.body)).toMatchObject({ job_title: 'Buyer', last_name: 'Whitfield' });
    const deleted = await send('DELETE', `/api/v2/contacts/${created.body.id}`, undefined);
    expect(contact.parse(deleted.body).id).toBe(created.body.id);
    expect((await get(`/api/v2/contacts/${created.body.id}`)).status).toBe(404);

    const c = client();
    const viaClient = await c.upsertContactByUid({
      uid: 'nav-456',
      first_name: 'Lukas',
      last_name: 'Müller',
      phones: ['+4930123456'],
    });
    expect(await c.getContact(viaClient.id)).toMatchObject({ first_name: 'Lukas', phones: ['+4930123456'] });
    expect((await c.updateContact(viaClient.id, { last_name: 'Mueller' })).last_name).toBe('Mueller');
    expect((await c.deleteContact(viaClient.id)).id).toBe(viaClient.id);
  });

  it('calls: get and list, in the REST CallProto’s fields (not the webhook-only ones)', async () => {
    const conversations = placeCalls(sim.state, 12, { seed: 'shape-calls' });
    const leg = conversations[0]!.legs[0]!;
    const one = await get(`/api/v2/call/${leg.call_id}`);
    call.parse(one.body);
    // The example webhook's fields, less those only webhooks carry (API-NOTES §3).
    const webhookOnly = [
      'event_timestamp',
      'talk_time',
      'hold_time',
      'date_first_rang',
      'date_queued',
      'voicemail_link',
      'voicemail_recording_id',
      'call_recording_ids',
      'target_availability_status',
      'callback_requested',
    ];
    const exampleKeys = keysOf(example('hangup-answered-inbound')).filter((k) => !webhookOnly.includes(k));
    expect(keysOf(one.body)).toEqual(expect.arrayContaining(exampleKeys));
    for (const k of webhookOnly) expect(one.body).not.toHaveProperty(k);

    const list = await get(`/api/v2/call?started_after=${Date.now() - 2 * 3_600_000}`);
    const parsed = page(call).parse(list.body);
    const starts = parsed.items!.map((c) => Number(c.date_started));
    expect(starts).toEqual([...starts].sort((a, b) => b - a)); // newest first
    const allLegs = conversations.flatMap((c) => c.legs.map((l) => l.call_id));
    const listed = await collect(client().listCalls({ startedAfter: Date.now() - 2 * 3_600_000 }));
    expect(listed.map((c) => c.call_id).sort()).toEqual([...allLegs].sort());

    // A voicemail shows the spec's way: a share link and a recording of type voicemail.
    const voicemail = placeCalls(sim.state, 1, { seed: 'shape-voicemail', kinds: ['voicemail'] })[0]!.legs[0]!;
    const vm = call.parse((await get(`/api/v2/call/${voicemail.call_id}`)).body);
    expect(vm.voicemail_share_link).toMatch(/^https:/);
    expect(vm.recording_details.map((r) => r.recording_type)).toContain('voicemail');
  });

  it('transcripts and Ai recap for Ai calls, 404 elsewhere', async () => {
    const conversations = placeCalls(sim.state, 30, { seed: 'shape-ai' });
    const withAi = conversations.find((c) => c.ai)!;
    const without = conversations.find((c) => !c.ai && c.expected.status === 'answered')!;
    expect(withAi && without).toBeTruthy();

    const transcript = await get(`/api/v2/transcripts/${withAi.ai!.callId}`);
    expect(keysOf(transcript.body)).toEqual(keysOf(example('transcript-response')));
    z.strictObject({
      call_id: int64,
      lines: z.array(
        z.strictObject({
          type: z.enum(['transcript', 'moment']),
          content: z.string(),
          name: z.string(),
          time: z.iso.datetime(),
          user_id: int64.optional(),
          // A string in the spec (TranscriptLineProto), e.g. a contact id with a uid in it.
          contact_id: z.string().min(1).optional(),
        }),
      ),
    }).parse(transcript.body);

    const recap = await get(`/api/v2/call/${withAi.ai!.callId}/ai_recap?summary_format=short`);
    const expected = example('ai-recap-response') as Record<string, Record<string, unknown>>;
    expect(keysOf(recap.body)).toEqual(keysOf(expected));
    expect(keysOf(recap.body.summary)).toEqual(keysOf(expected.summary!));
    expect(keysOf(recap.body.disposition)).toEqual(keysOf(expected.disposition!));
    expect(keysOf(recap.body.purposes[0])).toEqual(keysOf((expected.purposes as unknown as object[])[0]!));
    expect(recap.body).toMatchObject({
      call_id: withAi.ai!.callId,
      summary: { format: 'short' },
      disposition: { content: withAi.ai!.recap.outcome },
    });

    const c = client();
    expect((await c.getAiRecap(withAi.ai!.callId, { summaryFormat: 'bullet' })).summary?.content).toMatch(/^• /);
    expect((await c.getTranscript(withAi.ai!.callId)).lines?.length).toBe(withAi.ai!.transcript.length);
    const missing = await c.getTranscript(without.legs[0]!.call_id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DialpadApiError);
    expect(missing).toMatchObject({ status: 404 });
    expect((missing as DialpadApiError).dialpadMessage).toMatch(/Ai was not enabled/);
  });

  it('webhooks and call subscriptions: create, list, delete', async () => {
    const hook = await send('POST', '/api/v2/webhooks', {
      hook_url: 'https://nav.example/webhooks/dialpad',
      secret: 's3cret',
    });
    webhook.parse(hook.body);
    const sub = await send('POST', '/api/v2/subscriptions/call', {
      endpoint_id: hook.body.id,
      call_states: ['hangup', 'missed', 'recap_summary'],
      target_type: 'office',
      target_id: sim.state.company.offices[0]!.id,
    });
    expect(sub.status).toBe(200);
    subscription.parse(sub.body);
    page(webhook).parse((await get('/api/v2/webhooks')).body);
    page(subscription).parse((await get('/api/v2/subscriptions/call')).body);

    const c = client();
    const created = await c.createWebhook({ hook_url: 'https://nav.example/other', secret: 'x' });
    const s = await c.createCallSubscription({ endpoint_id: created.id, call_states: ['hangup'] });
    expect(s.webhook?.id).toBe(created.id);
    expect((await collect(c.listCallSubscriptions())).map((x) => x.id)).toContain(s.id);
    await c.deleteCallSubscription(s.id);
    await c.deleteWebhook(created.id);
    expect((await collect(c.listWebhooks())).map((w) => w.id)).toEqual([hook.body.id]);
    expect((await collect(c.listCallSubscriptions())).map((x) => x.id)).toEqual([sub.body.id]);
  });
});
