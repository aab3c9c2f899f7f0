import { randomBytes } from 'node:crypto';
import { ACTED_ON_STATES } from '../../workflows/shared/call-event';
import type { DialpadCallState, DialpadCallSubscription } from '../dialpad/types';
import { OpsError } from './errors';

/**
 * What a usable registration is: the webhook URL and secret we accept, and a call subscription
 * that sends every state we act on. Shared by registration and the doctor.
 */

/** The states we subscribe to: exactly those the ingress acts on (workflows/shared/call-event.ts). */
export const SUBSCRIBED_STATES: DialpadCallState[] = [...ACTED_ON_STATES].sort() as DialpadCallState[];

/** 32 random bytes: the strength HS256 wants (the ingress warns below 32 bytes). */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function assertHookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OpsError(
      'bad_request',
      `webhook URL ${JSON.stringify(url)} is not a URL (e.g. https://navigator.example.com/webhooks/dialpad)`,
    );
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  // Dialpad must reach it from the internet; plain http only makes sense against the simulator.
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw new OpsError('bad_request', `webhook URL must be https:// (got ${parsed.protocol}//${parsed.host})`);
  }
  return parsed.toString();
}

/** Same URL as Dialpad stores it, ignoring a trailing slash and the host's case. */
export function sameHookUrl(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const norm = (s: string) => {
    try {
      const u = new URL(s);
      u.pathname = u.pathname.replace(/\/+$/, '') || '/';
      return u.toString();
    } catch {
      return s;
    }
  };
  return norm(a) === norm(b);
}

/** States of a subscription that we need and it lacks (omitted or "all" means every state). */
export function missingStates(callStates: readonly string[] | null | undefined): DialpadCallState[] {
  if (!callStates || callStates.length === 0 || callStates.includes('all')) return [];
  return SUBSCRIBED_STATES.filter((s) => !callStates.includes(s));
}

export function isOfficeSubscription(s: DialpadCallSubscription, officeId: string): boolean {
  return s.target_type === 'office' && s.target_id === officeId;
}

/** Enabled, aimed at the office, through this webhook, with every state we act on. */
export function isCompleteSubscription(s: DialpadCallSubscription, officeId: string, webhookId: string): boolean {
  return (
    isOfficeSubscription(s, officeId) &&
    s.webhook?.id === webhookId &&
    s.enabled !== false &&
    missingStates(s.call_states).length === 0
  );
}
