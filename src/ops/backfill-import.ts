import type { Knex } from 'knex';
import type { CallEventSignal, CallLegEvent } from '../../workflows/shared/call-event';
import type { DialpadClient } from '../dialpad/client';
import type { DialpadCall } from '../dialpad/types';
import { validateCallEvent } from '../ingress/validate';
import { WebhookRejection } from '../ingress/verify';
import { endedLegsAmong } from './backfill-repository';

/**
 * One window of a backfill: Dialpad's concluded calls for the office, each leg turned into the
 * events a webhook would have brought at its end and handed to the normal call workflow. Legs we
 * already hold in a final state are skipped, so a window overlapping webhook-delivered calls
 * creates only what is missing (and does not re-run matching or Ai fetches for the others).
 */
export interface ImportWindowInput {
  accountId: string;
  officeId: string;
  fromMs: number;
  toMs: number;
}

export interface ImportWindowResult {
  listed: number;
  alreadyPresent: number;
  imported: number;
  invalid: number;
}

export interface ImportWindowDeps {
  db: Knex;
  dialpad: DialpadClient;
  /** Starts or signals the leg's call workflow (signalCallWorkflow in the activity). */
  signal: (sig: CallEventSignal) => Promise<void>;
  heartbeat?: (progress: ImportWindowResult) => void;
  abortSignal?: AbortSignal;
  onInvalid?: (callId: string, reason: string) => void;
}

const BATCH = 50;

/**
 * The events for a listed (concluded) leg: `hangup` at its end, preceded by `voicemail` when the
 * caller left one — the two facts the folding rules need. The call list carries no Ai data; the
 * call workflow fetches it afterwards for offices with Dialpad Ai.
 */
export function legEventsFromListedCall(call: DialpadCall): CallLegEvent[] {
  const at = call.date_ended ?? call.date_started ?? null;
  const claims = { ...call, event_timestamp: at } as Record<string, unknown>;
  const hangup = validateCallEvent({ ...claims, state: 'hangup' });
  const leftVoicemail = hasVoicemail(call);
  return leftVoicemail ? [{ ...hangup, state: 'voicemail' }, hangup] : [hangup];
}

/**
 * Whether the caller left a voicemail on this leg. The REST CallProto (Dialpad's spec) has
 * `voicemail_share_link` and `recording_details[].recording_type === 'voicemail'`; webhooks (and
 * so calls described the webhook way) have `voicemail_link` / `voicemail_recording_id`. Any of them.
 */
export function hasVoicemail(call: DialpadCall): boolean {
  return (
    Boolean(call.voicemail_share_link) ||
    Boolean(call.recording_details?.some((r) => r.recording_type === 'voicemail')) ||
    Boolean(call.voicemail_link) ||
    Boolean(call.voicemail_recording_id)
  );
}

/**
 * How long a backfilled leg's run waits for Dialpad Ai events: what is left of the live window
 * (CALL_AI_WAIT_SECONDS) since the leg ended. A leg that ended longer ago than that, nearly every
 * backfilled one, waits nothing: no Ai event will come for it any more, so its run asks Dialpad's
 * API for the transcript and recap at once rather than staying open for the live window.
 */
export function remainingAiWaitSeconds(windowSeconds: number, endedAtMs: number | null, nowMs: number): number {
  if (endedAtMs === null) return 0;
  return Math.max(0, Math.ceil(windowSeconds - (nowMs - endedAtMs) / 1000));
}

export async function importCallWindow(deps: ImportWindowDeps, input: ImportWindowInput): Promise<ImportWindowResult> {
  const result: ImportWindowResult = { listed: 0, alreadyPresent: 0, imported: 0, invalid: 0 };
  let batch: DialpadCall[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const held = new Set<string>(
      await endedLegsAmong(
        deps.db,
        batch.map((c) => c.call_id),
      ),
    );
    for (const call of batch) {
      if (held.has(call.call_id)) {
        result.alreadyPresent++;
        continue;
      }
      let events: CallLegEvent[];
      try {
        events = legEventsFromListedCall(call);
      } catch (err) {
        if (!(err instanceof WebhookRejection)) throw err;
        result.invalid++;
        deps.onInvalid?.(call.call_id, err.message);
        continue;
      }
      for (const event of events) {
        await deps.signal({ deliveryId: null, accountId: input.accountId, officeId: input.officeId, event });
      }
      result.imported++;
    }
    batch = [];
    deps.heartbeat?.({ ...result });
  };

  const calls = deps.dialpad.listCalls({
    startedAfter: input.fromMs,
    startedBefore: input.toMs,
    targetType: 'office',
    targetId: input.officeId,
    ...(deps.abortSignal ? { signal: deps.abortSignal } : {}),
  });
  for await (const call of calls) {
    result.listed++;
    batch.push(call);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return result;
}
