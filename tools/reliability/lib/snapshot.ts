import type { Knex } from 'knex';
import type { ExpectedOutcome } from './verify';

export interface StoredLeg {
  call_id: string;
  call_row_id: string | null;
  voicemail_transcription: string | null;
}

export interface StoredCall {
  id: string;
  dialpad_call_id: string | null;
  account_id: string | null;
  status: string;
  direction: string;
  external_number: string | null;
  duration_seconds: number | null;
  answered_by_dialpad_user_id: string | null;
  is_internal: boolean;
  ai_summary: string | null;
  ai_outcome: string | null;
  ai_purposes: unknown;
  ai_action_items: unknown;
  transcript: string | null;
  linked_entity_type: string | null;
  linked_entity_id: string | null;
}

export interface StoredDelivery {
  dedupe_key: string;
  routing_status: string;
  signal_status: string;
}

/** Transcript lines of a `calls` row: how many, and an md5 of their contents in order. */
export interface StoredTranscript {
  lines: number;
  md5: string;
}

/** What Postgres holds for a set of conversations (see `loadSnapshot`). */
export interface StoredSnapshot {
  legs: Map<string, StoredLeg>;
  calls: Map<string, StoredCall>;
  /** Rows claiming a leg id as their dialpad_call_id (a second row for one call shows here). */
  callsByDialpadId: Map<string, StoredCall[]>;
  deliveries: Map<string, StoredDelivery[]>;
  transcripts: Map<string, StoredTranscript>;
}

async function chunked<T>(ids: string[], size: number, fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(...(await fn(ids.slice(i, i + size))));
  return out;
}

const CALL_COLUMNS = [
  'id',
  'dialpad_call_id',
  'account_id',
  'status',
  'direction',
  'external_number',
  'duration_seconds',
  'answered_by_dialpad_user_id',
  'is_internal',
  'ai_summary',
  'ai_outcome',
  'ai_purposes',
  'ai_action_items',
  'transcript',
  'linked_entity_type',
  'linked_entity_id',
];

/** Reads what Postgres holds for these conversations: legs, `calls` rows, deliveries, transcript lines. */
export async function loadSnapshot(db: Knex, expected: readonly ExpectedOutcome[]): Promise<StoredSnapshot> {
  const legIds = expected.flatMap((e) => e.conversation.legCallIds);
  const legRows = await chunked<StoredLeg>(legIds, 2000, (c) =>
    db('dialpad_call_legs').whereIn('call_id', c).select('call_id', 'call_row_id', 'voicemail_transcription'),
  );
  const legs = new Map(legRows.map((l) => [l.call_id, l]));
  const rowIds = [...new Set(legRows.map((l) => l.call_row_id).filter((x): x is string => x !== null))];
  const calls = new Map(
    (await chunked<StoredCall>(rowIds, 2000, (c) => db('calls').whereIn('id', c).select(CALL_COLUMNS))).map((r) => [
      r.id,
      r,
    ]),
  );
  const callsByDialpadId = new Map<string, StoredCall[]>();
  for (const r of await chunked<StoredCall>(legIds, 2000, (c) =>
    db('calls').whereIn('dialpad_call_id', c).select(CALL_COLUMNS),
  )) {
    const list = callsByDialpadId.get(r.dialpad_call_id!) ?? [];
    list.push(r);
    callsByDialpadId.set(r.dialpad_call_id!, list);
    calls.set(r.id, r);
  }
  const deliveries = new Map<string, StoredDelivery[]>();
  for (const d of await chunked<StoredDelivery>(legIds, 2000, (c) =>
    db('dialpad_webhook_deliveries').whereIn('call_id', c).select('dedupe_key', 'routing_status', 'signal_status'),
  )) {
    const list = deliveries.get(d.dedupe_key) ?? [];
    list.push(d);
    deliveries.set(d.dedupe_key, list);
  }
  const transcripts = new Map<string, StoredTranscript>();
  for (const t of await chunked<{ call_id: string; lines: string | number; md5: string }>(
    [...calls.keys()],
    2000,
    (c) =>
      db('call_transcript_lines')
        .whereIn('call_id', c)
        .groupBy('call_id')
        .select('call_id', db.raw('count(*) as lines'), db.raw(`md5(string_agg(content, E'\\n' order by seq)) as md5`)),
  )) {
    transcripts.set(t.call_id, { lines: Number(t.lines), md5: t.md5 });
  }
  return { legs, calls, callsByDialpadId, deliveries, transcripts };
}
