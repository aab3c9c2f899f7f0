import { z } from 'zod';

import { bool, emptyToUndefined, httpUrl, optionalHttpUrl, optionalString, port, type VarsOf } from './fields';

/** The Dialpad API and its webhooks: unset DIALPAD_API_KEY in dev means the simulator. */
export const dialpadFields = {
  DIALPAD_API_KEY: optionalString,
  DIALPAD_API_BASE_URL: httpUrl('https://dialpad.com'),
  DIALPAD_WEBHOOK_SECRET: optionalString,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS: optionalString,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s)), {
        message: 'expected an ISO 8601 date or time, e.g. 2026-12-31 or 2026-12-31T12:00:00Z',
      })
      .transform((s) => new Date(s))
      .optional(),
  ),
  DIALPAD_WEBHOOK_ALLOW_UNSIGNED: bool(false),
  DIALPAD_SIM_PORT: port(8788),
  PUBLIC_WEBHOOK_URL: optionalHttpUrl,
};

type DialpadVars = VarsOf<typeof dialpadFields>;

export interface DialpadConfig {
  apiKey: string | undefined;
  apiBaseUrl: string;
  webhookSecret: string | undefined;
  webhookSecretPrevious: string | undefined;
  /** After this the previous secret no longer verifies (and the doctor says to remove it). */
  webhookSecretPreviousUntil: Date | undefined;
  allowUnsigned: boolean;
  simulatorPort: number;
  /** The URL Dialpad delivers webhooks to (what the doctor and registration look for). */
  publicWebhookUrl: string | undefined;
}

/** The previous webhook secret (rotation) only makes sense next to a current one. */
export function checkWebhookSecretRotation(v: DialpadVars, problems: string[]): void {
  if (v.DIALPAD_WEBHOOK_SECRET_PREVIOUS && !v.DIALPAD_WEBHOOK_SECRET)
    problems.push('DIALPAD_WEBHOOK_SECRET_PREVIOUS: only meaningful together with DIALPAD_WEBHOOK_SECRET');
  if (v.DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL && !v.DIALPAD_WEBHOOK_SECRET_PREVIOUS)
    problems.push(
      'DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: only meaningful together with DIALPAD_WEBHOOK_SECRET_PREVIOUS',
    );
}

export function dialpadConfig(v: DialpadVars): DialpadConfig {
  return {
    apiKey: v.DIALPAD_API_KEY,
    apiBaseUrl: v.DIALPAD_API_BASE_URL.replace(/\/+$/, ''),
    webhookSecret: v.DIALPAD_WEBHOOK_SECRET,
    webhookSecretPrevious: v.DIALPAD_WEBHOOK_SECRET_PREVIOUS,
    webhookSecretPreviousUntil: v.DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL,
    allowUnsigned: v.DIALPAD_WEBHOOK_ALLOW_UNSIGNED,
    simulatorPort: v.DIALPAD_SIM_PORT,
    publicWebhookUrl: v.PUBLIC_WEBHOOK_URL,
  };
}
