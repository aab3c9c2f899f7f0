import type { Config } from '../../config';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { DialpadClient } from '../../dialpad/client';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do, when the status is not a pass. */
  hint?: string;
}

export interface AccountDiagnosis {
  accountId: string;
  accountName: string;
  officeId: string | null;
  status: CheckStatus;
  checks: DoctorCheck[];
}

export interface DoctorReport {
  generatedAt: string;
  status: CheckStatus;
  hookUrl: string | null;
  system: DoctorCheck[];
  accounts: AccountDiagnosis[];
}

export interface DoctorDeps {
  db: Knex;
  /** Without it (no DIALPAD_API_KEY), Dialpad's side is reported as not checked. */
  dialpad?: DialpadClient | undefined;
  temporal?: { client: Client; namespace: string; taskQueue: string } | undefined;
  /** The secrets this process knows; compared with the webhook's, never printed. */
  webhookSecret?: string | undefined;
  webhookSecretPrevious?: string | undefined;
  /** DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: after it the previous secret no longer verifies. */
  webhookSecretPreviousUntil?: Date | undefined;
  /** The public URL Dialpad should deliver to (--url / PUBLIC_WEBHOOK_URL). */
  hookUrl?: string | undefined;
  now?: () => Date;
}

/**
 * The doctor's dependencies from the configuration, as the CLI and the admin API both build them;
 * `hookUrl` given (--url, ?webhookUrl) wins over PUBLIC_WEBHOOK_URL.
 */
export function doctorDeps(
  config: Pick<Config, 'temporal' | 'dialpad'>,
  parts: { db: Knex; dialpad: DialpadClient | undefined; temporalClient: Client; hookUrl?: string | undefined },
): DoctorDeps {
  return {
    db: parts.db,
    dialpad: parts.dialpad,
    temporal: {
      client: parts.temporalClient,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
    },
    webhookSecret: config.dialpad.webhookSecret,
    webhookSecretPrevious: config.dialpad.webhookSecretPrevious,
    webhookSecretPreviousUntil: config.dialpad.webhookSecretPreviousUntil,
    hookUrl: parts.hookUrl ?? config.dialpad.publicWebhookUrl,
  };
}
