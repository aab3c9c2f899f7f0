import type { DialpadContact, DialpadContactUpdate } from './types';

/**
 * `PATCH /api/v2/contacts/{id}` replaces every list it is given (`phones`, `emails`, `urls`):
 * a list sent with only our values erases whatever else the contact has in Dialpad (a second
 * mobile, a work email someone added there). So an update carries the full lists: ours first, in
 * our order (the first entry is the primary), then each entry Dialpad already had that ours lack,
 * in Dialpad's order. A list we do not send is left alone by Dialpad and is not sent here either.
 */
export function mergeContactUpdate(current: DialpadContact, update: DialpadContactUpdate): DialpadContactUpdate {
  const out: DialpadContactUpdate = { ...update };
  if (update.phones) {
    out.phones = merged(update.phones, [current.primary_phone, ...(current.phones ?? [])], (p) => p.trim());
  }
  if (update.emails) {
    out.emails = merged(update.emails, [current.primary_email, ...(current.emails ?? [])], (e) =>
      e.trim().toLowerCase(),
    );
  }
  if (update.urls) out.urls = merged(update.urls, current.urls ?? [], (u) => u.trim());
  return out;
}

function merged(ours: string[], theirs: (string | null | undefined)[], key: (v: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of [...ours, ...theirs]) {
    if (typeof v !== 'string' || v.trim() === '') continue;
    const k = key(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v.trim());
  }
  return out;
}
