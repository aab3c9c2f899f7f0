import { defineSignal } from '@temporalio/workflow';
import type { CallEventSignal } from './call-event';

/** An event of the call leg, sent with signalWithStart by the ingress, the relay, replay and backfill. */
export const callEventSignal = defineSignal<[CallEventSignal]>('callEvent');

/**
 * The signal both sync workflows take while they run: "sync again when you are done" (a trigger on
 * demand during a run). The run then continues as new with a fresh pass under the same workflow
 * id, so the schedule still counts one action running and never starts another beside it.
 */
export const syncAgainSignal = defineSignal('syncAgain');
