import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';

/** Navigator records and calls written the way Navigator and the call workflow write them. */

export async function createAccount(db: Knex, opts: { name?: string; region?: string } = {}): Promise<string> {
  const [row] = await db('accounts')
    .insert({ name: opts.name ?? 'Acme', default_region: opts.region ?? 'US' })
    .returning('id');
  return (row as { id: string }).id;
}

export async function createCustomer(db: Knex, accountId: string, name: string, phone?: string): Promise<string> {
  const [row] = await db('customers')
    .insert({ account_id: accountId, name, phone: phone ?? null })
    .returning('id');
  return (row as { id: string }).id;
}

export async function createSupplier(db: Knex, accountId: string, name: string, phone?: string): Promise<string> {
  const [row] = await db('suppliers')
    .insert({ account_id: accountId, name, phone: phone ?? null })
    .returning('id');
  return (row as { id: string }).id;
}

export async function createContact(
  db: Knex,
  accountId: string,
  opts: { firstName: string; lastName: string; phone?: string; customerId?: string },
): Promise<string> {
  const [row] = await db('contacts')
    .insert({
      account_id: accountId,
      first_name: opts.firstName,
      last_name: opts.lastName,
      phone: opts.phone ?? null,
      customer_id: opts.customerId ?? null,
    })
    .returning('id');
  return (row as { id: string }).id;
}

export interface CallFixture {
  externalNumber?: string | null;
  source?: 'dialpad' | 'manual';
  direction?: 'inbound' | 'outbound';
  status?: string;
  isInternal?: boolean;
  startedAt?: Date;
  durationSeconds?: number;
}

export async function createCall(db: Knex, accountId: string, opts: CallFixture = {}): Promise<string> {
  const source = opts.source ?? 'dialpad';
  const startedAt = opts.startedAt ?? new Date();
  const duration = opts.durationSeconds ?? 125;
  const [row] = await db('calls')
    .insert({
      account_id: accountId,
      source,
      dialpad_call_id: source === 'dialpad' ? String(6_400_000_000_000_000 + randomInt(0, 2 ** 47)) : null,
      direction: opts.direction ?? 'inbound',
      status: opts.status ?? 'answered',
      is_internal: opts.isInternal ?? false,
      external_number: opts.externalNumber === undefined ? null : opts.externalNumber,
      started_at: startedAt,
      ended_at: new Date(startedAt.getTime() + duration * 1000),
      duration_seconds: duration,
    })
    .returning('id');
  return (row as { id: string }).id;
}

export interface CallLinkRow {
  linked_entity_type: string | null;
  linked_entity_id: string | null;
  link_method: string | null;
  needs_review: boolean;
  match_candidates: { type: string; id: string; name: string }[] | null;
  updated_at: Date;
}

export async function callLink(db: Knex, callId: string): Promise<CallLinkRow> {
  return db('calls')
    .where({ id: callId })
    .first<CallLinkRow>(
      'linked_entity_type',
      'linked_entity_id',
      'link_method',
      'needs_review',
      'match_candidates',
      'updated_at',
    );
}

export interface HistoryRow {
  entity_type: string;
  entity_id: string;
  call_id: string;
  via_contact_id: string | null;
  summary: string;
  occurred_at: Date;
  updated_at: Date;
}

/** Every timeline entry of a call, in a stable order. */
export async function historyOfCall(db: Knex, callId: string): Promise<HistoryRow[]> {
  return db('communications')
    .where({ call_id: callId })
    .orderBy(['entity_type', 'entity_id'])
    .select<HistoryRow[]>(
      'entity_type',
      'entity_id',
      'call_id',
      'via_contact_id',
      'summary',
      'occurred_at',
      'updated_at',
    );
}
