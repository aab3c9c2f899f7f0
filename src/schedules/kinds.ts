import { syncScheduleId } from '../../workflows/shared/ids';
import { OpsError } from '../ops/errors';
import { SYNC_KINDS, type SyncKind } from '../sync/types';

/**
 * The vocabulary of the per-account schedules is the sync's: `directory` and `contacts`
 * (SyncKind), which is what the schedule ids, their memo, the sync workflows and
 * POST /api/accounts/:id/sync/:kind use.
 *
 * Operators read and type `contact` (the CLI's `--kind directory|contact`, the admin API's
 * /schedules/contact/…, the doctor's `schedule_contact` check, as documented in
 * docs/operations.md): that spelling exists only at those edges, translated here and nowhere else.
 */
export { SYNC_KINDS, type SyncKind };

/** The names operators use for the two kinds, in SYNC_KINDS order. */
export const SCHEDULE_KIND_NAMES = ['directory', 'contact'] as const;
export type ScheduleKindName = (typeof SCHEDULE_KIND_NAMES)[number];

/** The kind a name stands for: either spelling of the contact sync is accepted. */
export function syncKindOf(kind: SyncKind | ScheduleKindName): SyncKind {
  return kind === 'contact' ? 'contacts' : kind;
}

/** The name an operator reads for a kind. */
export function scheduleKindName(kind: SyncKind | ScheduleKindName): ScheduleKindName {
  return kind === 'contacts' ? 'contact' : kind;
}

export function scheduleId(kind: SyncKind | ScheduleKindName, accountId: string): string {
  return syncScheduleId(syncKindOf(kind), accountId);
}

/** `--kind` / `:kind` as given by an operator: one kind, or `all` (the default). */
export function parseScheduleKinds(kind: string | undefined): SyncKind[] {
  if (kind === undefined || kind === 'all') return [...SYNC_KINDS];
  if ((SCHEDULE_KIND_NAMES as readonly string[]).includes(kind) || (SYNC_KINDS as readonly string[]).includes(kind)) {
    return [syncKindOf(kind as SyncKind | ScheduleKindName)];
  }
  throw new OpsError(
    'bad_request',
    `schedule kind must be ${SCHEDULE_KIND_NAMES.join(', ')} or all (got ${JSON.stringify(kind)})`,
  );
}
