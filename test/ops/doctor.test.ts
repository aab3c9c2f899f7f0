import {
  clearAccountOffice,
  registerOfficeWebhook,
  runDoctor,
  setAccountOffice,
  type DoctorReport,
} from '../../src/ops';
import { changeSchedule, describeSchedule, scheduleId } from '../../src/schedules';
import { signEvent } from '../support/signing';
import {
  ADMIN_TOKEN,
  API_TOKEN,
  createAccount,
  createStandInSchedule,
  emitAndSettle,
  SECRET,
  simRequest,
  startOpsStack,
  TEST_ACTOR,
  waitFor,
  type OpsStack,
} from './support';

/**
 * The doctor against the real stack: a healthy account passes every check; each way of breaking
 * the chain (office ID cleared, Dialpad signing with another secret, subscription deleted) fails
 * exactly the check that names it, with the fix.
 */
describe('doctor', () => {
  let s: OpsStack;
  let office: string;
  let accountId: string;
  const schedules: string[] = [];

  beforeAll(async () => {
    s = await startOpsStack({
      sim: { seed: 'ops-doctor', size: { offices: 1, departments: 1, callCenters: 1, users: 6, contacts: 10 } },
    });
    office = s.sim.state.company.offices[0]!.id;
    accountId = await createAccount(s, 'Healthy Ltd', office);

    // What the directory sync would have written (src/sync is built elsewhere).
    await s.tdb.db('dialpad_offices').insert({ id: office, name: 'Main office', synced_at: new Date() });
    await s.tdb.db('dialpad_users').insert(
      s.sim.state.company.users.slice(0, 3).map((u) => ({
        id: u.id,
        office_id: office,
        display_name: `${u.firstName} ${u.lastName}`,
        synced_at: new Date(),
      })),
    );
    // The account's schedules (contract ids); a day apart, so none fires by itself during the test.
    for (const kind of ['directory', 'contact'] as const)
      schedules.push(await createStandInSchedule(s, kind, accountId, office));
    await registerOfficeWebhook(
      s.dialpad,
      s.tdb.db,
      { hookUrl: s.hookUrl, officeId: office, accountId, secret: SECRET },
      TEST_ACTOR,
    );
    // Calls delivered through the registered subscription, as Dialpad would.
    const emitted = await emitAndSettle(s, { seed: 'doctor-healthy' });
    expect(emitted.summary.delivered).toBeGreaterThan(0);
    expect(emitted.summary.givenUp).toBe(0);
  });

  afterAll(async () => {
    for (const id of schedules)
      await s?.temporal.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await s?.close();
  });

  const doctor = () =>
    runDoctor(
      {
        db: s.tdb.db,
        dialpad: s.dialpad,
        temporal: {
          client: s.temporal.client,
          namespace: s.config.temporal.namespace,
          taskQueue: s.config.temporal.taskQueue,
        },
        webhookSecret: SECRET,
        hookUrl: s.hookUrl,
      },
      { accountId },
    );
  const check = (r: DoctorReport, id: string) =>
    [...r.system, ...r.accounts.flatMap((a) => a.checks)].find((c) => c.id === id)!;
  const notPassing = (r: DoctorReport) =>
    [...r.system, ...r.accounts.flatMap((a) => a.checks)].filter((c) => c.status !== 'pass');

  it('passes every check on a healthy account', async () => {
    const r = await doctor();
    expect(notPassing(r)).toEqual([]);
    expect(r.status).toBe('pass');
    expect(r.accounts).toHaveLength(1);
    expect(r.accounts[0]!.checks.map((c) => c.id)).toEqual([
      'office_id',
      'directory',
      'subscription',
      'deliveries',
      'waiting',
      'phone_numbers',
      'calls',
      'schedule_directory',
      'schedule_contact',
    ]);
    expect(r.system.map((c) => c.id)).toEqual([
      'temporal',
      'temporal_search_attributes',
      'dialpad_api',
      'webhook',
      'webhook_secret',
      'signature_failures',
      'set_aside',
    ]);
    expect(check(r, 'deliveries').detail).toMatch(/in the last 24 h/);
  });

  it('with the office ID cleared, fails that check and says how to set it', async () => {
    await clearAccountOffice(s.tdb.db, { accountId }, TEST_ACTOR);
    try {
      const r = await doctor();
      const c = check(r, 'office_id');
      expect(c.status).toBe('fail');
      expect(c.hint).toContain(`set-office --account ${accountId} --office`);
      expect(r.accounts[0]!.status).toBe('fail');
      expect(check(r, 'subscription').detail).toMatch(/no office ID/);
    } finally {
      await setAccountOffice(s.tdb.db, { accountId, officeId: office }, TEST_ACTOR);
    }
    expect(notPassing(await doctor())).toEqual([]);
  });

  it('after deliveries signed with a wrong secret, reports the signature failures and the mismatched secret', async () => {
    const webhook = [...s.sim.state.webhooks.values()][0]!;
    expect(
      (
        await simRequest(s.sim, 'PATCH', `/api/v2/webhooks/${webhook.id}`, {
          secret: 'a-different-secret-0123456789-abcdefghijk',
        })
      ).status,
    ).toBe(200);
    try {
      const emitted = await emitAndSettle(s, { seed: 'doctor-wrong-secret' });
      expect(emitted.summary.status4xx).toBeGreaterThan(0);
      const r = await doctor();
      const failures = check(r, 'signature_failures');
      expect(failures.status).toBe('fail');
      expect(failures.detail).toMatch(new RegExp(`^${emitted.summary.status4xx} deliveries refused .*bad_signature`));
      expect(failures.hint).toMatch(/DIALPAD_WEBHOOK_SECRET/);
      expect(failures.hint).toMatch(/backfill --account/);
      expect(check(r, 'webhook_secret')).toMatchObject({ status: 'fail' });
    } finally {
      webhook.secret = SECRET;
      await s.tdb.db('dialpad_webhook_rejections').delete();
    }
    expect(notPassing(await doctor())).toEqual([]);
  });

  it('with the subscription deleted in Dialpad, says the office has none and how to register it', async () => {
    const [sub] = [...s.sim.state.subscriptions.values()];
    expect((await simRequest(s.sim, 'DELETE', `/api/v2/subscriptions/call/${sub!.id}`)).status).toBe(200);
    const r = await doctor();
    const c = check(r, 'subscription');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain(`no call subscription for office ${office}`);
    expect(c.hint).toContain(`webhooks register --url ${s.hookUrl} --account ${accountId}`);
    await registerOfficeWebhook(s.dialpad, s.tdb.db, { hookUrl: s.hookUrl, officeId: office, accountId }, TEST_ACTOR);
    expect(notPassing(await doctor())).toEqual([]);
  });

  it('a paused schedule warns with how to resume it; unreadable numbers and waiting deliveries are reported', async () => {
    await s.temporal.client.schedule.getHandle(scheduleId('contact', accountId)).pause('maintenance');
    const [customer] = await s.tdb
      .db('customers')
      .insert({ account_id: accountId, name: 'Bad Number', phone: 'call me maybe' })
      .returning('id');
    await s.tdb
      .db('record_phone_numbers')
      .where({ entity_id: (customer as { id: string }).id })
      .update({ normalization_status: 'unreadable', normalization_error: 'not_a_number: no digits' });
    try {
      const r = await doctor();
      expect(check(r, 'schedule_contact')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('paused (maintenance)'),
      });
      expect(check(r, 'schedule_contact').hint).toContain(`schedules unpause --account ${accountId} --kind contact`);
      expect(check(r, 'phone_numbers')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/^1 number\(s\) cannot be read/),
      });
    } finally {
      await s.temporal.client.schedule.getHandle(scheduleId('contact', accountId)).unpause();
      await s.tdb
        .db('customers')
        .where({ id: (customer as { id: string }).id })
        .delete();
    }

    // A delivery for an office no account is linked to, seen from an account without an office.
    const other = await createAccount(s, 'Not linked yet', null);
    const event = {
      call_id: 7000000000000001,
      state: 'hangup',
      direction: 'inbound',
      target: { id: 1, type: 'office', office_id: 4242424242424242 },
      date_started: 1764241200000,
      date_ended: 1764241300000,
      event_timestamp: 1764241300100,
    };
    const res = await s.app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: await signEvent(event, SECRET),
    });
    expect(res.json()).toEqual({ status: 'unrouted' });
    const r = await runDoctor({ db: s.tdb.db }, { accountId: other });
    expect(check(r, 'waiting')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('4242424242424242 (1)'),
    });
    expect(check(r, 'dialpad_api').detail).toMatch(/not checked/);
    await s.tdb.db('accounts').where({ id: other }).delete();
  });

  it('GET /api/admin/doctor answers the same report as JSON, for the administrator only', async () => {
    const url = `/api/admin/doctor?accountId=${accountId}&webhookUrl=${encodeURIComponent(s.hookUrl)}`;
    expect((await s.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const asApi = await s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(asApi.statusCode).toBe(403);
    const res = await s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    const report = res.json<DoctorReport>();
    expect(notPassing(report)).toEqual([]);
    expect(report.accounts.map((a) => a.accountId)).toEqual([accountId]);
    const missing = await s.app.inject({
      method: 'GET',
      url: '/api/admin/doctor?accountId=00000000-0000-4000-8000-000000000000',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('a schedule whose last run failed fails its check; once a run succeeds again it only warns', async () => {
    const runEnded = async () => {
      const status = await describeSchedule(s.temporal.client, accountId, 'directory');
      const latest = status.recentRuns[0];
      return latest && latest.status !== 'RUNNING' ? status : undefined;
    };
    // Dialpad refusing the call list makes the stand-in run fail at once (a non-retryable 403).
    await simRequest(s.sim, 'POST', '/_sim/faults', { path: '/api/v2/call', status: 403, count: null });
    try {
      await changeSchedule(
        s.temporal.client,
        s.tdb.db,
        { accountId, kind: 'directory', action: 'trigger' },
        TEST_ACTOR,
      );
      await waitFor(runEnded);
    } finally {
      await simRequest(s.sim, 'DELETE', '/_sim/faults');
    }
    let c = check(await doctor(), 'schedule_directory');
    expect(c).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/last run .* ended FAILED; 1 of the last 1 failed/),
    });
    expect(c.hint).toContain(`schedules trigger --account ${accountId} --kind directory`);

    await changeSchedule(s.temporal.client, s.tdb.db, { accountId, kind: 'directory', action: 'trigger' }, TEST_ACTOR);
    await waitFor(async () => {
      const status = await runEnded();
      return status && status.recentRuns.length === 2 ? status : undefined;
    });
    c = check(await doctor(), 'schedule_directory');
    expect(c).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('1 of the last 2 runs failed, the latest succeeded'),
    });
  });
});
