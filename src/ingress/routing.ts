import type { Knex } from 'knex';
import type { CallLegEvent } from '../../workflows/shared/call-event';
import { findAccountByOffice } from '../accounts/repository';
import { directoryOfficeOf, isDirectoryTarget } from './routing-repository';

/**
 * Which Navigator account an event belongs to: from the office of its target (`target.office_id`,
 * a target that is itself an office, the `Office:<id>` group, or the synced directory when the
 * target is a user, department or call centre), then the account linked to that office.
 */
export interface Route {
  officeId: string | null;
  accountId: string | null;
}

export function officeFromEvent(e: CallLegEvent): string | null {
  if (e.target?.officeId) return e.target.officeId;
  if (e.target?.type === 'office' && e.target.id) return e.target.id;
  const group = e.groupId ? /^Office:(\d+)$/.exec(e.groupId) : null;
  return group?.[1] ?? null;
}

export async function routeEvent(db: Knex, e: CallLegEvent): Promise<Route> {
  let officeId = officeFromEvent(e);
  if (!officeId && e.target?.id && e.target.type && isDirectoryTarget(e.target.type)) {
    officeId = await directoryOfficeOf(db, e.target.type, e.target.id);
  }
  if (!officeId) return { officeId: null, accountId: null };
  const account = await findAccountByOffice(db, officeId);
  return { officeId, accountId: account?.id ?? null };
}
