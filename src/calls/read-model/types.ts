import type { EntityType, LinkMethod } from '../../matching';
import type { Cursor } from './cursor';

/** The shapes of the API's read model of calls and timelines (./call-query-repository.ts). */
export interface LinkedRecord {
  entityType: EntityType;
  entityId: string;
  /** The record's name now; null when the record has been deleted since. */
  name: string | null;
  method: LinkMethod;
}

export interface CandidateRecord {
  entityType: EntityType;
  entityId: string;
  name: string;
}

export interface CallSummary {
  id: string;
  accountId: string;
  source: 'dialpad' | 'manual';
  dialpadCallId: string | null;
  direction: 'inbound' | 'outbound';
  status: string;
  isInternal: boolean;
  externalNumber: string | null;
  internalNumber: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  notes: string | null;
  answeredByName: string | null;
  dialpadGroupType: string | null;
  dialpadGroupName: string | null;
  link: LinkedRecord | null;
  /** 'manual' with no link: a person decided the call is stand-alone. */
  linkMethod: LinkMethod | null;
  needsReview: boolean;
  matchCandidates: CandidateRecord[];
  aiSummary: string | null;
  sentiment: string | null;
  churnRisk: string | null;
  themes: string[] | null;
  resolved: boolean | null;
  createdAt: string;
  updatedAt: string;
}

export interface CallLeg {
  callId: string;
  state: string;
  direction: string | null;
  externalNumber: string | null;
  internalNumber: string | null;
  masterCallId: string | null;
  entryPointCallId: string | null;
  operatorCallId: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  dateStarted: string | null;
  dateConnected: string | null;
  dateEnded: string | null;
  talkTimeMs: number | null;
  isTransferred: boolean;
  voicemail: boolean;
  missed: boolean;
  isInternal: boolean;
}

export interface CallDetail extends CallSummary {
  dialpadMasterCallId: string | null;
  dialpadOfficeId: string | null;
  dialpadGroupId: string | null;
  answeredByDialpadUserId: string | null;
  transcript: string | null;
  churnReasons: string[] | null;
  aiOutcome: string | null;
  aiPurposes: unknown[] | null;
  aiActionItems: unknown[] | null;
  aiSources: Record<string, string | null> | null;
  /** `complete`, `partial` (see aiNotes), or null when the call has no Ai data. */
  aiStatus: string | null;
  aiNotes: { part: string; reason: string }[] | null;
  /** Per derived field, the evidence it rests on. */
  aiExplanation: Record<string, string | null> | null;
  transcriptLines: TranscriptLine[];
  legs: CallLeg[];
}

export interface TranscriptLine {
  type: string;
  speaker: 'agent' | 'caller' | 'unknown';
  name: string | null;
  content: string;
  spokenAt: string | null;
}

export interface TimelineItem {
  id: string;
  kind: 'call' | 'email' | 'sms';
  occurredAt: string;
  summary: string | null;
  /** Set when a contact's call is shown in its customer's history. */
  viaContactId: string | null;
  emailId: string | null;
  smsId: string | null;
  call: CallSummary | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CallListFilter {
  accountId: string;
  /** true: stand-alone calls a person could link (not internal); false: linked calls. */
  standalone?: boolean;
  needsReview?: boolean;
  entityType?: EntityType;
  entityId?: string;
  /** Inclusive lower bound of the call's start. */
  from?: string;
  /** Exclusive upper bound of the call's start. */
  to?: string;
  limit: number;
  cursor?: Cursor;
}
