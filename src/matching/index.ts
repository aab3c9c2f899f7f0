/**
 * Matching calls to Navigator's customers, contacts and suppliers, and the history timeline.
 * Plain functions over a Knex handle (or transaction), for Temporal activities and the API.
 */
export { matchCallToRecord, decideLink, type MatchOptions, type LinkDecision } from './match';
export { syncCallCommunications, describeCall, formatDuration } from './communications';
export {
  retroMatchNumber,
  retroMatchRecord,
  readRecordPhoneNumbers,
  retroMatchSweep,
  type RetroMatchResult,
  type RecordRetroMatchResult,
  type RecordPhoneNumber,
  type RetroMatchSweepOptions,
  type RetroMatchSweepResult,
} from './retro';
export { linkCallManually, unlinkCall, rematchCall, type ManualLinkResult } from './linking';
export { findCandidates, rankCandidates, type RankedCandidate } from './records';
export {
  findRecord,
  recordNameSql,
  RECORD_TABLES,
  findPhoneMatchChoice,
  rememberPhoneMatchChoice,
  type NavigatorRecord,
  type PhoneMatchChoice,
} from './records-repository';
export {
  MatchingError,
  CallNotFoundError,
  RecordNotFoundError,
  RecordInOtherAccountError,
  InternalCallError,
} from './errors';
export * from './types';
