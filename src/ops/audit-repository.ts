import type { Knex } from 'knex';

/** Who is acting: the admin API's token role, or the CLI's operating-system user and host. */
export interface Actor {
  actor: string;
  sourceAddress: string | null;
}

export interface AuditEntry {
  action: string;
  accountId: string | null;
  oldValue: unknown;
  newValue: unknown;
}

/**
 * One row of `admin_audit_log`. Values that are not strings are stored as JSON so a reader sees
 * what changed without another lookup; secrets never reach this function.
 */
export async function recordAudit(db: Knex | Knex.Transaction, who: Actor, entry: AuditEntry): Promise<void> {
  await db('admin_audit_log').insert({
    actor: who.actor,
    action: entry.action,
    account_id: entry.accountId,
    old_value: auditText(entry.oldValue),
    new_value: auditText(entry.newValue),
    source_address: who.sourceAddress,
  });
}

function auditText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
