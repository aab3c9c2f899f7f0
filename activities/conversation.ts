import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { CallRepository } from '../src/calls/repository';
import { NonRetryable } from '../workflows/shared/errors';

/**
 * The conversation a leg belongs to now, for the activities that work on a leg's conversation; a
 * leg whose events have not made one yet fails them for good (`LegNotFolded`).
 */
export async function conversationOfLeg(db: Knex, legCallId: string): Promise<string> {
  const callRowId = await new CallRepository(db).conversationOfLeg(legCallId);
  if (!callRowId)
    throw ApplicationFailure.nonRetryable(`leg ${legCallId} has no conversation`, NonRetryable.LegNotFolded);
  return callRowId;
}
