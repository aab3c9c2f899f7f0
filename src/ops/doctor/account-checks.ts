import { scheduleId } from '../../schedules';
import { ago, CLI, fail, HOUR, noOffice, pass, warn } from './common';
import * as repo from './repository';
import type { DoctorCheck, DoctorDeps } from './types';

// The account's own data: its office link, its synced directory, its numbers and its calls.

const DIRECTORY_FRESH_MS = 24 * HOUR;

export function officeCheck(accountId: string, officeId: string | null): DoctorCheck {
  const title = 'Dialpad office ID';
  if (officeId) return pass('office_id', title, `linked to office ${officeId}`);
  return fail(
    'office_id',
    title,
    'no Dialpad office ID: calls cannot be routed to this account (they wait as unrouted deliveries)',
    `${CLI} set-office --account ${accountId} --office <Dialpad office id> (or PUT /api/accounts/${accountId}/dialpad-office)`,
  );
}

export async function directoryCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Directory synced';
  if (!officeId) return noOffice('directory', title);
  const { office, users } = await repo.directorySync(deps.db, officeId);
  const userCount = Number(users?.count ?? 0);
  const times = [office?.synced_at, users?.last].filter(Boolean).map((t) => new Date(t as string));
  const trigger = `${CLI} schedules trigger --account ${accountId} --kind directory`;
  if (times.length === 0) {
    return warn(
      'directory',
      title,
      `office ${officeId} has never been synced: calls to users, departments and call centres may not route or show names`,
      `the schedule ${scheduleId('directory', accountId)} syncs it; run it now: ${trigger}`,
    );
  }
  const last = new Date(Math.max(...times.map((t) => t.getTime())));
  const detail = `${office?.name ? `${office.name}: ` : ''}last synced ${ago(last, now)}, ${userCount} user(s)`;
  if (now.getTime() - last.getTime() > DIRECTORY_FRESH_MS) {
    return fail(
      'directory',
      title,
      `${detail}: stale`,
      `see the directory schedule check below; run it now: ${trigger}`,
    );
  }
  return pass('directory', title, detail);
}

export async function unreadableNumbersCheck(deps: DoctorDeps, accountId: string): Promise<DoctorCheck> {
  const title = 'Phone numbers readable';
  const rows = await repo.phoneNumberBacklog(deps.db, accountId);
  const count = (s: string) => Number(rows.find((r) => r.normalization_status === s)?.count ?? 0);
  const unreadable = count('unreadable');
  const pending = count('pending');
  if (unreadable > 0) {
    const examples = await repo.unreadableExamples(deps.db, accountId);
    return warn(
      'phone_numbers',
      title,
      `${unreadable} number(s) cannot be read, so calls from them never match (e.g. ${examples.map((e) => `${e.entity_type} ${e.entity_id}: ${e.normalization_error ?? 'unreadable'}`).join('; ')})`,
      "correct them on the records in Navigator (international format, e.g. +44 20 7946 0018, always reads); the account's default_region decides how national numbers are read",
    );
  }
  return pass('phone_numbers', title, `every number readable${pending ? ` (${pending} not normalised yet)` : ''}`);
}

export async function callsCheck(deps: DoctorDeps, accountId: string): Promise<DoctorCheck> {
  const title = 'Calls linked';
  const row = await repo.callCounts(deps.db, accountId);
  const total = Number(row?.total ?? 0);
  const standalone = Number(row?.standalone ?? 0);
  const review = Number(row?.needs_review ?? 0);
  const detail = `${total} Dialpad call(s): ${standalone} stand-alone, ${review} need review`;
  if (review > 0) {
    return warn(
      'calls',
      title,
      detail,
      'calls needing review were linked to one of several records with the same number: confirm or change the link in Navigator (PUT /api/calls/:id/link)',
    );
  }
  return pass('calls', title, detail);
}
