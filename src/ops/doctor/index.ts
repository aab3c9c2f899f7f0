import { findAccount, listAccountRows, type AccountRow } from '../../accounts/repository';
import { OpsError } from '../errors';
import { assertAccountId } from '../office';
import { callsCheck, directoryCheck, officeCheck, unreadableNumbersCheck } from './account-checks';
import { deliveriesCheck, setAsideCheck, signatureFailuresCheck, waitingDeliveriesCheck } from './delivery-checks';
import { dialpadCheck, loadDialpad, subscriptionCheck, webhookCheck, webhookSecretCheck } from './dialpad-checks';
import { scheduleChecks, searchAttributesCheck, temporalCheck } from './temporal-checks';
import type { AccountDiagnosis, CheckStatus, DoctorCheck, DoctorDeps, DoctorReport } from './types';

export { ago } from './common';
export type { AccountDiagnosis, CheckStatus, DoctorCheck, DoctorDeps, DoctorReport } from './types';
export { doctorDeps } from './types';

/**
 * "Why aren't my calls syncing?" — every link of the chain checked, per account, each with a
 * pass / warn / fail and, when it is not a pass, what to do about it. System-wide links (Temporal
 * and its worker, the Dialpad API, the webhook and its secret, refused deliveries) come first;
 * then each account's office, directory, subscription, deliveries, numbers, calls and schedules.
 */
export async function runDoctor(deps: DoctorDeps, opts: { accountId?: string } = {}): Promise<DoctorReport> {
  const now = deps.now?.() ?? new Date();
  let rows: AccountRow[];
  if (opts.accountId !== undefined) {
    assertAccountId(opts.accountId);
    const one = await findAccount(deps.db, opts.accountId);
    if (!one) throw new OpsError('not_found', `no account ${opts.accountId}`);
    rows = [one];
  } else {
    rows = await listAccountRows(deps.db);
  }
  const accounts = rows.map((a) => ({ id: a.id, name: a.name, dialpad_office_id: a.officeId }));

  const dialpadState = await loadDialpad(deps);
  const system: DoctorCheck[] = [
    await temporalCheck(deps),
    await searchAttributesCheck(deps),
    dialpadCheck(deps, dialpadState),
    webhookCheck(deps, dialpadState),
    webhookSecretCheck(deps, dialpadState),
    await signatureFailuresCheck(deps, now),
    await setAsideCheck(deps, now),
  ];

  const diagnoses: AccountDiagnosis[] = [];
  for (const a of accounts) {
    const officeId = a.dialpad_office_id;
    const checks: DoctorCheck[] = [
      officeCheck(a.id, officeId),
      await directoryCheck(deps, a.id, officeId, now),
      subscriptionCheck(deps, dialpadState, a.id, officeId),
      await deliveriesCheck(deps, a.id, officeId, now),
      await waitingDeliveriesCheck(deps, a.id, officeId, now),
      await unreadableNumbersCheck(deps, a.id),
      await callsCheck(deps, a.id),
      ...(await scheduleChecks(deps, a.id)),
    ];
    diagnoses.push({ accountId: a.id, accountName: a.name, officeId, status: worst(checks), checks });
  }
  return {
    generatedAt: now.toISOString(),
    status: worst([...system, ...diagnoses.map((d) => ({ status: d.status }))]),
    hookUrl: deps.hookUrl ?? null,
    system,
    accounts: diagnoses,
  };
}

function worst(items: { status: CheckStatus }[]): CheckStatus {
  if (items.some((c) => c.status === 'fail')) return 'fail';
  if (items.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}
