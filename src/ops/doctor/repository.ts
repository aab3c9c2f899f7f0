import type { Knex } from 'knex';

/**
 * The doctor's reads: deliveries, refused bodies and rejections, the synced directory, phone
 * numbers and calls. Counts come back as the driver gives them (string or number); the checks
 * read them with Number().
 */
type Count = string | number;

/** Dead letters: how many, the oldest's arrival, and the latest error. */
export async function deadLetterSummary(
  db: Knex,
): Promise<{ count: Count; first: string | Date | null; error: string | null } | undefined> {
  return db('dialpad_webhook_deliveries')
    .where({ signal_status: 'dead_letter' })
    .first(
      db.raw('count(*) as count'),
      db.raw('min(received_at) as first'),
      db.raw('(array_agg(apply_error order by dead_lettered_at desc))[1] as error'),
    );
}

/** Verified bodies refused since then and not recovered. */
export async function refusedSummary(
  db: Knex,
  since: Date,
): Promise<{ count: Count; first: string | Date | null } | undefined> {
  return db('dialpad_webhook_refused_events')
    .whereNull('recovered_at')
    .andWhere('received_at', '>=', since)
    .first(db.raw('count(*) as count'), db.raw('min(received_at) as first'));
}

/** The five fields most often left out of accepted events since then. */
export async function topLeftOutFields(db: Knex, since: Date): Promise<{ field: string; count: Count }[]> {
  return db
    .select('f.field', db.raw('count(*) as count'))
    .from(
      db('dialpad_webhook_deliveries')
        .where('received_at', '>=', since)
        .whereNotNull('left_out')
        .select(db.raw("jsonb_array_elements(left_out)->>'field' as field"))
        .as('f'),
    )
    .groupBy('f.field')
    .orderBy('count', 'desc')
    .limit(5);
}

export interface RejectionGroup {
  reason: string;
  shape: string;
  count: Count;
  first: Date;
  last: Date;
  sources: string;
}

/** Refused (unverified) deliveries counted from that minute on, by reason and shape. */
export async function rejectionsSince(db: Knex, fromMinute: Date): Promise<RejectionGroup[]> {
  return db('dialpad_webhook_rejections')
    .where('minute', '>=', fromMinute)
    .groupBy('reason', 'shape')
    .select(
      'reason',
      'shape',
      db.raw('sum(count) as count'),
      db.raw('min(received_at) as first'),
      db.raw('max(last_at) as last'),
      db.raw('count(distinct source_address) as sources'),
    );
}

/** Deliveries since then verified with DIALPAD_WEBHOOK_SECRET_PREVIOUS. */
export async function countVerifiedWithPrevious(db: Knex, since: Date): Promise<number> {
  const previous = await db('dialpad_webhook_deliveries')
    .where('received_at', '>=', since)
    .andWhere({ verified_with: 'previous' })
    .count<{ count: Count }[]>('* as count');
  return Number(previous[0]?.count ?? 0);
}

/** The newest delivery for the office or account, and how many arrived since then. */
export async function deliveryActivity(
  db: Knex,
  officeId: string,
  accountId: string,
  since: Date,
): Promise<{ last: string | Date | null; recent: Count | null } | undefined> {
  return db('dialpad_webhook_deliveries')
    .where((q) => q.where({ office_id: officeId }).orWhere({ account_id: accountId }))
    .first(db.raw('max(received_at) as last'), db.raw('count(*) filter (where received_at >= ?) as recent', [since]));
}

/** The five offices with the most deliveries waiting for a linked account. */
export async function topUnroutedOffices(db: Knex): Promise<{ office_id: string | null; count: Count }[]> {
  return db('dialpad_webhook_deliveries')
    .where({ routing_status: 'unrouted' })
    .groupBy('office_id')
    .orderBy('count', 'desc')
    .limit(5)
    .select('office_id', db.raw('count(*) as count'));
}

/** Deliveries for the office still unrouted: how many, and the oldest's arrival. */
export async function unroutedOfOffice(
  db: Knex,
  officeId: string,
): Promise<{ count: Count; first: string | Date | null } | undefined> {
  return db('dialpad_webhook_deliveries')
    .where({ office_id: officeId, routing_status: 'unrouted' })
    .first(db.raw('count(*) as count'), db.raw('min(received_at) as first'));
}

/** The account's routed deliveries received before then and not yet relayed to Temporal. */
export async function stuckOfAccount(
  db: Knex,
  accountId: string,
  before: Date,
): Promise<{ count: Count; first: string | Date | null; error: string | null } | undefined> {
  return db('dialpad_webhook_deliveries')
    .where({ account_id: accountId, routing_status: 'routed', signal_status: 'pending' })
    .andWhere('received_at', '<', before)
    .first(db.raw('count(*) as count'), db.raw('min(received_at) as first'), db.raw('max(last_signal_error) as error'));
}

/** When the office and its users were last synced, and how many users it has. */
export async function directorySync(
  db: Knex,
  officeId: string,
): Promise<{
  office: { synced_at: string | Date | null; name: string | null } | undefined;
  users: { count: Count; last: string | Date | null } | undefined;
}> {
  const office = await db('dialpad_offices').where({ id: officeId }).first('synced_at', 'name');
  const users = await db('dialpad_users')
    .where({ office_id: officeId })
    .first(db.raw('count(*) as count'), db.raw('max(synced_at) as last'));
  return { office, users };
}

/** The account's phone numbers unreadable or not normalised yet, counted by status. */
export async function phoneNumberBacklog(
  db: Knex,
  accountId: string,
): Promise<{ normalization_status: string; count: Count }[]> {
  return db('record_phone_numbers')
    .where({ account_id: accountId })
    .whereIn('normalization_status', ['unreadable', 'pending'])
    .groupBy('normalization_status')
    .select('normalization_status', db.raw('count(*) as count'));
}

/** The three most recently changed unreadable numbers of the account. */
export async function unreadableExamples(
  db: Knex,
  accountId: string,
): Promise<{ entity_type: string; entity_id: string; normalization_error: string | null }[]> {
  return db('record_phone_numbers')
    .where({ account_id: accountId, normalization_status: 'unreadable' })
    .orderBy('updated_at', 'desc')
    .limit(3)
    .select('entity_type', 'entity_id', 'normalization_error');
}

/** The account's Dialpad calls: all, stand-alone (not internal, linked to no record), needing review. */
export async function callCounts(
  db: Knex,
  accountId: string,
): Promise<{ total: Count; standalone: Count; needs_review: Count } | undefined> {
  return db('calls')
    .where({ account_id: accountId, source: 'dialpad' })
    .first(
      db.raw('count(*) as total'),
      db.raw('count(*) filter (where linked_entity_id is null and not is_internal) as standalone'),
      db.raw('count(*) filter (where needs_review) as needs_review'),
    );
}
