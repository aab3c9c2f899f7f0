import type { Knex } from 'knex';

/**
 * A conversation's transcript in Postgres: its lines (`call_transcript_lines`), each from one
 * Dialpad leg (`dialpad_call_id`), and its text on the `calls` row (`calls.transcript`).
 *
 * A transferred call has one transcript per answered leg, each fetched by that leg's run. The
 * conversation holds every leg's lines: legs in conversation order (the leg's `date_started` in
 * `dialpad_call_legs`, then its call id), each leg's lines in Dialpad's order, `seq` numbering them
 * 0, 1, … across the conversation; the text is rebuilt from all of them. Every writer of a
 * conversation's lines first locks its `calls` row (FOR UPDATE): two legs storing at once, and a
 * merge of two conversations (src/calls/repository.ts), take turns.
 */

export interface TranscriptLineRow {
  call_id: string;
  dialpad_call_id: string;
  seq: number;
  type: string;
  speaker: string;
  name: string | null;
  content: string;
  spoken_at: Date | null;
  dialpad_user_id: string | null;
  dialpad_contact_id: string | null;
}

/** Whether the conversation row exists, and how many lines of this leg it holds. */
export async function readLegTranscript(
  db: Knex,
  callRowId: string,
  legCallId: string,
): Promise<{ legLines: number } | undefined> {
  const call = await db('calls').where({ id: callRowId }).first('id');
  if (!call) return undefined;
  const [row] = await db('call_transcript_lines')
    .where({ call_id: callRowId, dialpad_call_id: legCallId })
    .count<{ n: string }[]>({ n: '*' });
  return { legLines: Number(row?.n ?? 0) };
}

/**
 * Locks the conversation the leg belongs to now. `callRowId` is where the caller found it; a merge
 * may have moved the leg since (the absorbed row is deleted in the same transaction as the move),
 * so the leg's own `call_row_id` is read again under the lock. Undefined when neither exists.
 */
async function lockConversationOfLeg(
  trx: Knex.Transaction,
  callRowId: string,
  legCallId: string,
): Promise<string | undefined> {
  let candidate = callRowId;
  for (let attempt = 0; attempt < 5; attempt++) {
    const locked = await trx('calls').where({ id: candidate }).forUpdate().first('id');
    const leg = await trx('dialpad_call_legs').where({ call_id: legCallId }).first('call_row_id');
    const current = (leg?.call_row_id as string | null | undefined) ?? null;
    if (locked && (current === null || current === candidate)) return candidate;
    if (current === null || current === candidate) return undefined;
    candidate = current;
  }
  throw new Error(`the conversation of leg ${legCallId} kept moving`);
}

/**
 * Stores one leg's transcript lines in its conversation: they replace that leg's lines only (a
 * leg stored again, or two runs of one leg), the conversation's lines are numbered again in
 * conversation order, and the text is rebuilt from every leg's lines. `rows` are the leg's lines
 * in order (their `call_id` and `seq` are set here). Returns the conversation stored into, or
 * undefined when it no longer exists.
 */
export async function storeLegTranscript(
  db: Knex,
  input: { callRowId: string; legCallId: string; rows: readonly Omit<TranscriptLineRow, 'call_id' | 'seq'>[] },
): Promise<string | undefined> {
  return db.transaction(async (trx) => {
    const callRowId = await lockConversationOfLeg(trx, input.callRowId, input.legCallId);
    if (!callRowId) return undefined;
    await trx('call_transcript_lines').where({ call_id: callRowId, dialpad_call_id: input.legCallId }).delete();
    const first = await nextSeq(trx, callRowId);
    const rows = input.rows.map((r, i) => ({
      ...r,
      call_id: callRowId,
      dialpad_call_id: input.legCallId,
      seq: first + i,
    }));
    for (let i = 0; i < rows.length; i += 1000) await trx('call_transcript_lines').insert(rows.slice(i, i + 1000));
    await renumberAndRebuild(trx, callRowId);
    return callRowId;
  });
}

/**
 * Moves another conversation's transcript lines into `survivor` (both rows locked by the caller,
 * within its transaction), numbered in conversation order, and rebuilds the survivor's text.
 */
export async function moveTranscriptLines(trx: Knex.Transaction, survivor: string, otherId: string): Promise<void> {
  const moved = await trx('call_transcript_lines')
    .where({ call_id: otherId })
    .update({
      call_id: survivor,
      // Past the survivor's numbers, so (call_id, seq) stays unique while they move.
      seq: trx.raw('seq - (select coalesce(min(seq), 0) from call_transcript_lines where call_id = ?) + ?', [
        otherId,
        await nextSeq(trx, survivor),
      ]),
    });
  if (moved > 0) await renumberAndRebuild(trx, survivor);
}

/** A `seq` past every line of the conversation. */
async function nextSeq(trx: Knex.Transaction, callRowId: string): Promise<number> {
  const row = await trx('call_transcript_lines')
    .where({ call_id: callRowId })
    .first<{ next: number | null }>(trx.raw('max(seq) + 1 as next'));
  return Number(row?.next ?? 0);
}

/**
 * Numbers the conversation's lines 0, 1, … in conversation order, then rebuilds its text. In two
 * steps (past every current number, then down), as Postgres checks the unique (call_id, seq) row
 * by row.
 */
async function renumberAndRebuild(trx: Knex.Transaction, callRowId: string): Promise<void> {
  await trx.raw(
    `with base as (
       select greatest(coalesce(max(seq) + 1, 0), count(*)) as off from call_transcript_lines where call_id = :id
     ), ordered as (
       select l.id, row_number() over (
                order by g.date_started asc nulls last, length(l.dialpad_call_id), l.dialpad_call_id, l.seq
              ) - 1 as n
         from call_transcript_lines l
         left join dialpad_call_legs g on g.call_id = l.dialpad_call_id
        where l.call_id = :id
     )
     update call_transcript_lines t set seq = base.off + ordered.n
       from ordered, base
      where t.id = ordered.id`,
    { id: callRowId },
  );
  await trx.raw(
    `update call_transcript_lines
        set seq = seq - (select min(seq) from call_transcript_lines where call_id = :id)
      where call_id = :id`,
    { id: callRowId },
  );
  const lines: { type: string; speaker: string; name: string | null; content: string }[] = await trx(
    'call_transcript_lines',
  )
    .where({ call_id: callRowId })
    .orderBy('seq')
    .select('type', 'speaker', 'name', 'content');
  if (lines.length === 0) return;
  await trx('calls')
    .where({ id: callRowId })
    .update({
      transcript: transcriptText(lines),
      ai_sources: trx.raw(`coalesce(ai_sources, '{}'::jsonb) || '{"transcript":"dialpad"}'::jsonb`),
      updated_at: trx.fn.now(),
    });
}

/** The transcript's text: its speech lines, one `Name: words` a line. */
function transcriptText(lines: { type: string; speaker: string; name: string | null; content: string }[]): string {
  return lines
    .filter((l) => l.type === 'transcript')
    .map((l) => `${l.name ?? (l.speaker === 'agent' ? 'Agent' : 'Caller')}: ${l.content}`)
    .join('\n');
}
