/**
 * Claims jsonb cannot hold as a document (a \\u0000 escape, an unpaired surrogate escape, a number
 * past numeric's range, nesting past Postgres's stack depth) are kept as their exact text inside a
 * jsonb string: nothing is lost, and `claimsTextOf` gives the text back.
 */
const CLAIMS_TEXT_KEY = '$claims_text';

export function storableClaimsText(text: string): string {
  return JSON.stringify({ [CLAIMS_TEXT_KEY]: text });
}

/** The claims as received, from a stored `claims::text` (undoing `storableClaimsText`). */
export function claimsTextOf(stored: string): string {
  if (stored.startsWith(`{"${CLAIMS_TEXT_KEY}"`)) {
    const wrapper = JSON.parse(stored) as Record<string, unknown>;
    const text = wrapper[CLAIMS_TEXT_KEY];
    if (typeof text === 'string' && Object.keys(wrapper).length === 1) return text;
  }
  return stored;
}
