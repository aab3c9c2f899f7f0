import type { CallOptions } from './client-options';
import { DialpadTransport } from './transport';
import {
  dialpadAiRecapSchema,
  dialpadCallSchema,
  dialpadTranscriptSchema,
  type DialpadAiRecap,
  type DialpadAiRecapFormat,
  type DialpadCall,
  type DialpadSubscriptionTargetType,
  type DialpadTranscript,
} from './types';

/** Calls, transcripts and the Ai recap. Composed into DialpadClient (client.ts). */
export abstract class CallEndpoints extends DialpadTransport {
  /** GET /call/{id}: 10 requests per minute for the whole company. */
  getCall(callId: string, options: CallOptions = {}): Promise<DialpadCall> {
    return this.request(
      { method: 'GET', template: '/api/v2/call/{id}', params: { id: callId }, signal: options.signal },
      dialpadCallSchema,
    );
  }

  /** Concluded calls started in the range, newest first (needs an admin key with calls:list). */
  listCalls(
    options: CallOptions & {
      startedAfter: number | Date;
      startedBefore?: number | Date;
      targetType?: DialpadSubscriptionTargetType;
      targetId?: string;
    },
  ): AsyncIterable<DialpadCall> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/call',
        query: {
          started_after: epochMs(options.startedAfter),
          started_before: options.startedBefore === undefined ? undefined : epochMs(options.startedBefore),
          target_type: options.targetType,
          target_id: options.targetId,
        },
        signal: options.signal,
      },
      dialpadCallSchema,
    );
  }

  getTranscript(callId: string, options: CallOptions = {}): Promise<DialpadTranscript> {
    return this.request(
      { method: 'GET', template: '/api/v2/transcripts/{id}', params: { id: callId }, signal: options.signal },
      dialpadTranscriptSchema,
    );
  }

  /** GET /call/{id}/ai_recap: 12 per minute; needs the ai_recap scope and Dialpad Ai on the line. */
  getAiRecap(
    callId: string,
    options: CallOptions & { summaryFormat?: DialpadAiRecapFormat } = {},
  ): Promise<DialpadAiRecap> {
    return this.request(
      {
        method: 'GET',
        template: '/api/v2/call/{id}/ai_recap',
        params: { id: callId },
        query: { summary_format: options.summaryFormat },
        signal: options.signal,
      },
      dialpadAiRecapSchema,
    );
  }
}

function epochMs(t: number | Date): number {
  return t instanceof Date ? t.getTime() : t;
}
