import type { Knex } from 'knex';
import type { DialpadClient } from '../src/dialpad/client';
import type { Logger } from '../src/logger';
import { retroMatchRecord, retroMatchSweep, type EntityType } from '../src/matching';
import { readCallLink } from '../src/matching/links-repository';
import { normalizePendingPhoneNumbers } from '../src/phone/pending';
import { pushContactBack, type ContactPushBackResult } from '../src/sync/contact-push';
import { conversationOfLeg } from './conversation';
import { withHeartbeat } from './heartbeat';

export interface RetroMatchActivityResult {
  examined: number;
  linked: number;
  needsReview: number;
  resolved: number;
  /** Calls changed (ids only for a record's run; a sweep reports the count). */
  changedCallIds: string[];
  changed: number;
}

export interface RetroMatchSweepActivityResult extends Omit<RetroMatchActivityResult, 'changedCallIds'> {
  numbers: number;
  normalized: { processed: number; ok: number; unreadable: number };
}

/**
 * Activities of matching beyond the call workflow's own step: retro-matching (a record's numbers
 * changed; the periodic sweep) and contact push-back to Dialpad. Each is idempotent.
 */
export function createMatchingActivities(deps: { db: Knex; log: Logger; dialpad: DialpadClient | undefined }) {
  const { db } = deps;

  async function pushBack(contactId: string): Promise<ContactPushBackResult | { outcome: 'dialpad_not_configured' }> {
    if (!deps.dialpad) return { outcome: 'dialpad_not_configured' };
    // A number typed a moment ago is read first: the push carries every readable number.
    await normalizePendingPhoneNumbers(db);
    const result = await pushContactBack({ db, dialpad: deps.dialpad }, contactId);
    if (result.outcome === 'created' || result.outcome === 'failed') {
      deps.log.info({ contactId, outcome: result.outcome, reason: result.reason }, 'contact pushed back to Dialpad');
    }
    return result;
  }

  async function pushLinked(legCallId: string) {
    const callRowId = await conversationOfLeg(db, legCallId);
    const call = await readCallLink(db, callRowId);
    if (call?.linked_entity_type !== 'contact' || !call.linked_entity_id) return { outcome: 'not_linked_to_a_contact' };
    return pushBack(call.linked_entity_id);
  }

  return {
    async retroMatchRecord(input: {
      accountId: string;
      entityType: EntityType;
      entityId: string;
    }): Promise<RetroMatchActivityResult> {
      const r = await retroMatchRecord(db, input);
      return {
        examined: r.examined,
        linked: r.linked,
        needsReview: r.needsReview,
        resolved: r.resolved,
        changedCallIds: r.changedCallIds,
        changed: r.changedCallIds.length,
      };
    },

    async runRetroMatchSweep(input: { sinceMinutes: number }): Promise<RetroMatchSweepActivityResult> {
      const r = await retroMatchSweep(db, { sinceMinutes: input.sinceMinutes });
      if (r.changedCallIds.length > 0) {
        deps.log.info({ linked: r.linked, resolved: r.resolved, numbers: r.numbers }, 'retro-match sweep linked calls');
      }
      return {
        examined: r.examined,
        linked: r.linked,
        needsReview: r.needsReview,
        resolved: r.resolved,
        changed: r.changedCallIds.length,
        numbers: r.numbers,
        normalized: r.normalized,
      };
    },

    /** The conversation of this leg is linked to a contact: make sure Dialpad knows the contact. */
    async pushLinkedContact(input: { legCallId: string }) {
      return withHeartbeat(
        () => ({ legCallId: input.legCallId }),
        () => pushLinked(input.legCallId),
      );
    },

    async pushContactToDialpad(input: { contactId: string }) {
      return pushBack(input.contactId);
    },
  };
}
