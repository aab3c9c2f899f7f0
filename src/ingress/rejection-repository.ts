import type { Knex } from 'knex';

/** `dialpad_webhook_rejections`: refused (unverified) deliveries counted per minute, reason, shape and source. */
export interface RejectionCount {
  minute: Date;
  statusCode: number;
  reason: string;
  shape: string;
  source: string;
  count: number;
  first: Date;
  last: Date;
  detail: string;
  bodyBytes: number;
}

/** Adds the counts in one statement: a row already there for the same key is summed into. */
export async function addRejectionCounts(db: Knex, batch: RejectionCount[]): Promise<void> {
  await db.raw(
    `insert into dialpad_webhook_rejections
            (minute, status_code, reason, shape, source_address, count, received_at, last_at, detail, body_bytes)
     select * from jsonb_to_recordset(?::jsonb) as x(minute timestamptz, status_code int, reason text, shape text,
            source_address text, count int, received_at timestamptz, last_at timestamptz, detail text, body_bytes int)
     on conflict (minute, status_code, reason, shape, source_address) do update
        set count = dialpad_webhook_rejections.count + excluded.count,
            last_at = greatest(dialpad_webhook_rejections.last_at, excluded.last_at),
            body_bytes = greatest(dialpad_webhook_rejections.body_bytes, excluded.body_bytes)`,
    [
      JSON.stringify(
        batch.map((b) => ({
          minute: b.minute,
          status_code: b.statusCode,
          reason: b.reason,
          shape: b.shape,
          source_address: b.source,
          count: b.count,
          received_at: b.first,
          last_at: b.last,
          detail: b.detail,
          body_bytes: b.bodyBytes,
        })),
      ),
    ],
  );
}

/** Deletes rows older than `retentionDays`, then all but the newest `maxRows`. */
export async function pruneRejections(db: Knex, retentionDays: number, maxRows: number): Promise<void> {
  await db('dialpad_webhook_rejections')
    .where('minute', '<', db.raw(`now() - interval '${retentionDays} days'`))
    .delete();
  await db.raw(
    `delete from dialpad_webhook_rejections where id in (
       select id from dialpad_webhook_rejections order by minute desc, id desc offset ?)`,
    [maxRows],
  );
}
