import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { withHeartbeat } from './heartbeat';
import type { DialpadClient } from '../src/dialpad/client';
import type { Logger } from '../src/logger';
import { normalizePendingPhoneNumbers } from '../src/phone/pending';
import { finishImportPass, importPages, importProgressOf, startOrResumeImportPass } from '../src/sync/contact-import';
import { pushContacts, type PushResult } from '../src/sync/contact-push';
import { syncDirectory, type DirectoryCheckpoint } from '../src/sync/directory';
import { officeSyncedAt } from '../src/sync/directory-repository';
import { readImportState } from '../src/sync/import-state-repository';
import { emptyImportCounts } from '../src/sync/types';
import type {
  ContactImportCounts,
  ContactImportProgress,
  ContactPushCounts,
  DirectorySyncResult,
} from '../workflows/shared/types';
import { NonRetryable } from '../workflows/shared/errors';
import { findAccount } from '../src/accounts/repository';

/**
 * Activities of the directory and contact syncs (workflows/directorySyncWorkflow.ts,
 * workflows/contactSyncWorkflow.ts). Each heartbeats its progress every few seconds, which the
 * Temporal UI shows on the pending activity, and stops at the next page when cancelled (worker
 * shutdown, schedule deleted). Checkpoints live in Postgres (contacts) or in the heartbeat details
 * (directory), so a retry on another worker resumes rather than starts over.
 */

/** Pending numbers read per contact sync before matching, so a backlog cannot stall the sync. */
const NORMALIZE_LIMIT = 20_000;

async function accountOf(
  db: Knex,
  accountId: string,
): Promise<{ officeId: string | null; defaultRegion: string } | undefined> {
  const row = await findAccount(db, accountId);
  if (!row) return undefined;
  return { officeId: row.officeId, defaultRegion: row.defaultRegion };
}

export type PrepareContactSyncResult =
  | { status: 'ready'; officeId: string; resumed: boolean; progress: ContactImportProgress }
  /** The office's directory was never synced: local contacts are listed per user, so sync it first. */
  | { status: 'needs_directory'; officeId: string }
  | { status: 'skipped'; reason: 'no_account' | 'no_office' };

export function createSyncActivities(deps: { db: Knex; log: Logger; dialpad: DialpadClient | undefined }) {
  const { db, log } = deps;
  const dialpad = () => {
    if (!deps.dialpad)
      throw ApplicationFailure.nonRetryable('no Dialpad API client configured', NonRetryable.DialpadNotConfigured);
    return deps.dialpad;
  };

  return {
    /** Offices, departments, call centres and users of the account's office. Resumes from its heartbeat. */
    async syncDirectory(input: { accountId: string }): Promise<DirectorySyncResult> {
      const client = dialpad();
      // The checkpoint the previous attempt heartbeated, if it got that far.
      let checkpoint = (Context.current().info.heartbeatDetails as DirectoryCheckpoint | undefined) ?? null;
      const result = await withHeartbeat(
        () => checkpoint,
        (signal) =>
          syncDirectory(
            {
              db,
              dialpad: client,
              signal,
              onCheckpoint: (cp) => {
                checkpoint = cp;
                Context.current().heartbeat(cp);
              },
            },
            { accountId: input.accountId, resumeFrom: checkpoint },
          ),
      );
      log.info({ ...result }, 'Dialpad directory synced');
      return result;
    },

    /**
     * Before a contact import: numbers Navigator wrote are read (so matching sees them), and the
     * pass in progress is resumed or a new one started.
     */
    async prepareContactSync(input: { accountId: string }): Promise<PrepareContactSyncResult> {
      const account = await accountOf(db, input.accountId);
      if (!account) return { status: 'skipped', reason: 'no_account' };
      if (!account.officeId) return { status: 'skipped', reason: 'no_office' };
      const officeId = account.officeId;
      dialpad();
      if (!(await officeSyncedAt(db, officeId))) return { status: 'needs_directory', officeId };
      return withHeartbeat(
        () => 'normalising phone numbers',
        async () => {
          await normalizePendingPhoneNumbers(db, { limit: NORMALIZE_LIMIT });
          const pass = await startOrResumeImportPass(db, input.accountId, officeId);
          return { status: 'ready' as const, officeId, ...pass };
        },
      );
    },

    /**
     * Applies up to `maxPages` pages of the pass in progress. Every page is committed with its
     * checkpoint, so stopping anywhere loses at most the page in flight.
     */
    async importContactPages(input: {
      accountId: string;
      maxPages: number;
    }): Promise<{ done: boolean; pages: number; counts: ContactImportCounts; progress: ContactImportProgress }> {
      const client = dialpad();
      const account = await accountOf(db, input.accountId);
      let progress = importProgressOf(await readImportState(db, input.accountId));
      if (!account?.officeId) return { done: true, pages: 0, counts: emptyImportCounts(), progress };
      const result = await withHeartbeat(
        () => progress,
        (signal) =>
          importPages(
            { db, dialpad: client, accountId: input.accountId, defaultRegion: account.defaultRegion, signal, log },
            {
              maxPages: input.maxPages,
              onPage: (p) => {
                progress = p;
              },
            },
          ),
      );
      return { done: result.status !== 'more', pages: result.pages, counts: result.counts, progress: result.progress };
    },

    /** Ends a complete pass: linked contacts Dialpad no longer lists get `dialpad_deleted_at`. */
    async finishContactImport(input: { accountId: string }): Promise<{ markedDeleted: number }> {
      const result = await finishImportPass(db, input.accountId);
      if (result.status === 'incomplete') {
        // The workflow only finishes after the pages said "done"; anything else is a bug worth failing on.
        throw ApplicationFailure.nonRetryable('contact import pass is not complete', NonRetryable.ImportPassIncomplete);
      }
      return { markedDeleted: result.markedDeleted };
    },

    /** Pushes up to the given numbers of Navigator edits and new contacts to Dialpad. */
    async pushContacts(input: { accountId: string; maxCreates: number; maxUpdates: number }): Promise<PushResult> {
      const client = dialpad();
      let progress: ContactPushCounts | null = null;
      return withHeartbeat(
        () => progress,
        (signal) =>
          pushContacts(
            {
              db,
              dialpad: client,
              signal,
              onProgress: (c) => {
                progress = c;
              },
            },
            input,
          ),
      );
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
