import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Long from 'long';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import type { DoctorReport } from '../../src/ops';
import { readRunInfo } from '../support/run-info';
import { createAccount, SECRET, startOpsStack, type OpsStack } from '../ops/support';

/**
 * The CLI as an operator runs it: a separate process (through tsx, as `npm run cli` does), its
 * configuration from the environment, results on stdout, problems on stderr, and the exit code.
 */
const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, 'src/cli/index.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI', () => {
  let s: OpsStack;
  let env: NodeJS.ProcessEnv;
  let office: string;
  let otherOffice: string;

  beforeAll(async () => {
    s = await startOpsStack({ sim: { seed: 'ops-cli' } });
    [office, otherOffice] = s.sim.state.company.offices.map((o) => o.id) as [string, string];
    const info = readRunInfo();
    env = {
      DATABASE_URL: s.tdb.url,
      TEMPORAL_ADDRESS: info.temporalAddress,
      TEMPORAL_NAMESPACE: info.temporalNamespace,
      TEMPORAL_TASK_QUEUE: s.config.temporal.taskQueue,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: s.sim.url,
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '1',
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await s?.close();
  });

  const cli = (...args: string[]) => runCli(args, env);

  it('--help describes the commands, in a separate process as an operator runs it', async () => {
    const commands = [[], ['set-office'], ['doctor']];
    const results = await Promise.all(commands.map((c) => runCli([...c, '--help'], {})));
    results.forEach((r, i) => {
      const name = ['navigator-dialpad', ...commands[i]!].join(' ');
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(r.stdout).toContain(`Usage: ${name}`);
    });
    expect(results[0]!.stdout).toMatch(/doctor \[options\] \[account\]/);
    expect(results[1]!.stdout).toMatch(/--account <id>[\s\S]*--office <officeId>/);
    expect(results[2]!.stdout).toMatch(/--url <url>/);
  });

  it('every command and subcommand has its own --help', async () => {
    const program = buildProgram();
    const all: Command[] = [];
    const walk = (c: Command) => {
      all.push(c);
      c.commands.forEach(walk);
    };
    walk(program);
    let printed = '';
    for (const c of all)
      c.exitOverride().configureOutput({ writeOut: (t) => (printed += t), writeErr: (t) => (printed += t) });
    const pathOf = (c: Command): string[] => (c.parent ? [...pathOf(c.parent), c.name()] : []);
    for (const c of all.filter((x) => x.name() !== 'help')) {
      printed = '';
      const args = [...pathOf(c), '--help'];
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toMatchObject({
        code: 'commander.helpDisplayed',
      });
      expect(printed).toContain(`Usage: ${['navigator-dialpad', ...pathOf(c)].join(' ')}`);
      if (c !== program) expect(printed.split('\n')[2]!.length).toBeGreaterThan(10); // its description
    }
    expect(all.map((c) => pathOf(c).join(' ')).filter(Boolean)).toEqual(
      expect.arrayContaining([
        'accounts',
        'set-office',
        'clear-office',
        'webhooks register',
        'webhooks list',
        'webhooks remove',
        'webhooks new-secret',
        'webhooks rotate',
        'doctor',
        'backfill',
        'backfill-status',
        'replay',
        'schedules list',
        'schedules pause',
        'schedules unpause',
        'schedules trigger',
        'temporal setup',
      ]),
    );
  });

  it('set-office links the account (audited as the OS user), sets up its sync schedules; clear-office undoes both', async () => {
    const accountId = await createAccount(s, 'Cli Ltd', null);
    const set = await cli('set-office', '--account', accountId, '--office', office);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`Account ${accountId} is linked to Dialpad office ${office} (was none).`);
    expect(set.stdout).toMatch(/Sync schedules: directory created, contacts created/);
    expect(await s.tdb.db('accounts').where({ id: accountId }).first()).toMatchObject({ dialpad_office_id: office });
    const [audit] = await s.tdb.db('admin_audit_log').where({ account_id: accountId, action: 'set_dialpad_office' });
    expect(audit).toMatchObject({ old_value: null, new_value: office, actor: expect.stringMatching(/^cli:.+@.+/) });
    const schedule = s.temporal.client.schedule.getHandle(`dialpad-directory-sync-${accountId}`);
    expect((await schedule.describe()).scheduleId).toBe(`dialpad-directory-sync-${accountId}`);

    const taken = await cli('set-office', '--account', await createAccount(s, 'Other Ltd', null), '--office', office);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`office ${office} is already linked to account ${accountId}`);
    const badId = await cli('set-office', '--account', 'not-a-uuid', '--office', office);
    expect(badId).toMatchObject({ code: 1, stderr: expect.stringContaining('account id must be a UUID') });

    const cleared = await cli('--json', 'clear-office', '--account', accountId);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      accountId,
      officeId: null,
      previousOfficeId: office,
      syncSchedules: { directory: 'deleted', contacts: 'deleted' },
    });
    await expect(schedule.describe()).rejects.toThrow(ScheduleNotFoundError);
    const [clearedAudit] = await s.tdb
      .db('admin_audit_log')
      .where({ account_id: accountId, action: 'clear_dialpad_office' });
    expect(clearedAudit).toMatchObject({ old_value: office, new_value: null });
  });

  it('doctor prints a table with the failing check and its fix, and exits 1; --json gives the report', async () => {
    const accountId = await createAccount(s, 'Unlinked Ltd', null);
    const r = await cli('doctor', accountId, '--url', s.hookUrl);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^System {2}\(webhook URL http:\/\/127\.0\.0\.1:\d+\/webhooks\/dialpad\)$/m);
    expect(r.stdout).toMatch(/^ {2}PASS {2}Temporal and a worker +\d+ worker poller\(s\) on task queue /m);
    expect(r.stdout).toMatch(/^Account Unlinked Ltd [0-9a-f-]{36} {2}FAIL$/m);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}Dialpad office ID +no Dialpad office ID/m);
    expect(r.stdout).toContain(`→ npm run cli -- set-office --account ${accountId} --office <Dialpad office id>`);
    expect(r.stdout).toMatch(/^FAIL {2}\d+ passed, \d+ warnings, \d+ failed$/m);

    const json = await cli('--json', 'doctor', accountId);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.accounts[0]!.checks.find((c) => c.id === 'office_id')!.status).toBe('fail');
    expect(report.system.find((c) => c.id === 'webhook')!.detail).toMatch(/not checked/);

    const missing = await cli('doctor', '00000000-0000-4000-8000-000000000000');
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no account 00000000-0000-4000-8000-000000000000'),
    });
  });

  it('webhooks register creates once and prints the secret once; list shows it without the secret', async () => {
    const accountId = await createAccount(s, 'Hooked Ltd', otherOffice);
    const first = await cli('webhooks', 'register', '--url', s.hookUrl, '--account', accountId);
    expect(first.code).toBe(0);
    const secret = /DIALPAD_WEBHOOK_SECRET=([A-Za-z0-9_-]{43})$/m.exec(first.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(first.stdout).toContain('DIALPAD_WEBHOOK_SECRET_PREVIOUS');
    const again = await cli('webhooks', 'register', '--url', s.hookUrl, '--account', accountId);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: already there\n[\s\S]*: already there/);
    expect(again.stdout).not.toContain('DIALPAD_WEBHOOK_SECRET=');
    expect(s.sim.state.webhooks.size).toBe(1);
    expect(s.sim.state.subscriptions.size).toBe(1);

    const list = await cli('webhooks', 'list');
    expect(list.stdout).toContain(s.hookUrl);
    expect(list.stdout).toMatch(
      new RegExp(`subscription \\d+ +office ${otherOffice} +Hooked Ltd +enabled +all states we act on`),
    );
    expect(list.stdout).not.toContain(secret!);
  });

  it('backfill starts the workflow and follows it to the end; replay queues deliveries for the relay', async () => {
    const accountId = await createAccount(s, 'Backfill Cli Ltd', null);
    await s.tdb.db('accounts').where({ id: accountId }).update({ dialpad_office_id: '1234567890123456' });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date().toISOString();
    const r = await cli('backfill', '--account', accountId, '--from', from, '--to', to);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Started dialpad-backfill-${accountId}-`, 'm'));
    expect(r.stdout).toMatch(/: COMPLETED — done: 0 legs listed, 0 imported, 0 already present$/m);

    const bad = await cli('backfill', '--account', accountId, '--from', 'last tuesday', '--to', to);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from must be an ISO 8601 date');

    const replay = await cli('replay', '--call', '6421977457180672');
    expect(replay).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(
        '0 delivery(ies) selected, 0 read again from their claims; 0 queued for the relay',
      ),
    });
    const both = await cli('replay', '--call', '1', '--from', from);
    expect(both).toMatchObject({ code: 1, stderr: expect.stringContaining('give --call <id>, or --from and --to') });
  });

  it('temporal setup registers the search attributes on a namespace that lacks them; the doctor sees the difference', async () => {
    const namespace = `cli-setup-${Date.now().toString(36)}`;
    await s.temporal.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    const nsEnv = { ...env, TEMPORAL_NAMESPACE: namespace };
    // A new namespace is served once the frontend's namespace cache has it.
    let before: CliResult;
    const until = Date.now() + 30_000;
    do {
      before = await runCli(['doctor', '--json'], nsEnv);
    } while (!before.stdout.includes('temporal_search_attributes') && Date.now() < until);
    const sa = (r: CliResult) =>
      (JSON.parse(r.stdout) as DoctorReport).system.find((c) => c.id === 'temporal_search_attributes')!;
    expect(sa(before)).toMatchObject({ status: 'fail', detail: expect.stringContaining('missing on') });
    expect(sa(before).hint).toContain('temporal setup');

    const setup = await runCli(['temporal', 'setup'], nsEnv);
    expect({ code: setup.code, stderr: setup.stderr }).toEqual({ code: 0, stderr: '' });
    expect(setup.stdout).toContain(
      `added to ${namespace}: DialpadCallId, DialpadOfficeId, NavigatorAccountId, CallState`,
    );
    const again = await runCli(['temporal', 'setup', '--json'], nsEnv);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      added: [],
      missing: [],
      present: expect.arrayContaining(['CallState']),
    });
    expect(sa(await runCli(['doctor', '--json'], nsEnv))).toMatchObject({ status: 'pass' });
  });

  it('a bad configuration names the variable and exits 78', async () => {
    const r = await runCli(['accounts'], { ...env, DATABASE_URL: 'mysql://nope' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('DATABASE_URL: expected a URL like postgres://');
  });
});
