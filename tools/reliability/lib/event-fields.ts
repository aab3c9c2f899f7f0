import { createHash } from 'node:crypto';
import type { StoredCall, StoredSnapshot } from './snapshot';
import type { ExpectedOutcome, SentEvent } from './verify';

/** A value's fingerprint for a problem message: its length and a short hash, never the value. */
export function fingerprint(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return `‹${text.length} chars #${createHash('sha256').update(text).digest('hex').slice(0, 8)}›`;
}

/** Short, value-free identifiers (ids, enums) are shown as they are; anything else fingerprinted. */
export const shown = (v: unknown) =>
  typeof v === 'string' && /^[A-Za-z0-9_:-]{1,40}$/.test(v) && !/^\d{7,15}$/.test(v)
    ? JSON.stringify(v)
    : fingerprint(v);

export const asList = (v: unknown): unknown[] | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return Array.isArray(v) ? v : null;
};

/** The stored list is the expected one repeated (an event applied twice): the duplicate case. */
function isRepeat(stored: unknown[], expected: unknown[]): boolean {
  if (expected.length === 0 || stored.length <= expected.length || stored.length % expected.length) return false;
  return stored.every((x, i) => JSON.stringify(x) === JSON.stringify(expected[i % expected.length]));
}

export function transcriptText(lines: readonly { type: string; name: string; content: string }[]): string {
  return lines
    .filter((l) => l.content !== '' && l.type === 'transcript')
    .map((l) => `${l.name || 'Caller'}: ${l.content}`)
    .join('\n');
}

export function transcriptMd5(lines: readonly { content: string }[]): string {
  return createHash('md5')
    .update(
      lines
        .filter((l) => l.content !== '')
        .map((l) => l.content)
        .join('\n'),
    )
    .digest('hex');
}

type FieldVerdict = { field: string; verdict: 'ok' | 'lost' | 'duplicated' | 'wrong'; why?: string };

/** The Ai and voicemail fields an event carries, judged on the conversation's row. */
export function eventFields(e: SentEvent, o: ExpectedOutcome, row: StoredCall, snap: StoredSnapshot): FieldVerdict[] {
  const recap = o.conversation.recap;
  const out: FieldVerdict[] = [];
  const text = (field: string, got: string | null, want: string) =>
    out.push(
      got === null || got === ''
        ? { field, verdict: 'lost', why: `${field} empty` }
        : got === want
          ? { field, verdict: 'ok' }
          : { field, verdict: 'wrong', why: `${field}: got ${fingerprint(got)}, expected ${fingerprint(want)}` },
    );
  const list = (field: string, got: unknown, want: string[]) => {
    const l = asList(got);
    if (l === null || l.length === 0) out.push({ field, verdict: want.length ? 'lost' : 'ok', why: `${field} empty` });
    else if (JSON.stringify(l) === JSON.stringify(want)) out.push({ field, verdict: 'ok' });
    else if (isRepeat(l, want))
      out.push({ field, verdict: 'duplicated', why: `${field} stored ${l.length / want.length}×` });
    else out.push({ field, verdict: 'wrong', why: `${field}: got ${fingerprint(l)}, expected ${fingerprint(want)}` });
  };
  switch (e.state) {
    case 'recap_summary':
      if (recap) text('ai_summary', row.ai_summary, recap.summary);
      break;
    case 'recap_outcome':
      if (recap) text('ai_outcome', row.ai_outcome, recap.outcome);
      break;
    case 'recap_purposes':
      if (recap) list('ai_purposes', row.ai_purposes, recap.purposes);
      break;
    case 'recap_action_items':
      if (recap) list('ai_action_items', row.ai_action_items, recap.actionItems);
      break;
    case 'call_transcription': {
      if (!o.transcript) break;
      const want = o.transcript.filter((l) => l.content !== '');
      const got = snap.transcripts.get(row.id);
      if (!got || got.lines === 0) out.push({ field: 'transcript_lines', verdict: 'lost', why: 'no transcript lines' });
      else if (got.lines > want.length && got.lines % want.length === 0)
        out.push({ field: 'transcript_lines', verdict: 'duplicated', why: `${got.lines} lines for ${want.length}` });
      else if (got.lines !== want.length)
        out.push({ field: 'transcript_lines', verdict: 'wrong', why: `${got.lines} lines, expected ${want.length}` });
      else if (got.md5 !== transcriptMd5(want))
        out.push({ field: 'transcript_lines', verdict: 'wrong', why: 'transcript line text differs' });
      else out.push({ field: 'transcript_lines', verdict: 'ok' });
      text('transcript', row.transcript, transcriptText(want));
      break;
    }
    case 'transcription':
      if (o.voicemail && o.voicemail.legId === e.callId)
        text('voicemail_transcription', snap.legs.get(e.callId)?.voicemail_transcription ?? null, o.voicemail.text);
      break;
    default:
      break;
  }
  return out;
}
