import type { Knex } from 'knex';
import type { EntityType } from './types';

/** A person's pick among the records sharing a number (`phone_match_choices`). */
export interface PhoneMatchChoice {
  accountId: string;
  e164: string;
  entityType: EntityType;
  entityId: string;
}

export async function findPhoneMatchChoice(
  db: Knex,
  accountId: string,
  e164: string,
): Promise<PhoneMatchChoice | undefined> {
  const row = await db('phone_match_choices')
    .where({ account_id: accountId, e164 })
    .first<{ entity_type: EntityType; entity_id: string } | undefined>('entity_type', 'entity_id');
  return row ? { accountId, e164, entityType: row.entity_type, entityId: row.entity_id } : undefined;
}

export async function rememberPhoneMatchChoice(
  db: Knex,
  choice: PhoneMatchChoice & { chosenOnCallId: string; chosenBy: string | null },
): Promise<void> {
  await db('phone_match_choices')
    .insert({
      account_id: choice.accountId,
      e164: choice.e164,
      entity_type: choice.entityType,
      entity_id: choice.entityId,
      chosen_on_call_id: choice.chosenOnCallId,
      chosen_by: choice.chosenBy,
    })
    .onConflict(['account_id', 'e164'])
    .merge({
      entity_type: choice.entityType,
      entity_id: choice.entityId,
      chosen_on_call_id: choice.chosenOnCallId,
      chosen_by: choice.chosenBy,
      updated_at: db.fn.now(),
    });
}
