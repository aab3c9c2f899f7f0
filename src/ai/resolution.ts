// "Resolved" from Dialpad's recap outcome or disposition. Both are free text in practice ("Resolved",
// "Issue resolved", "Callback scheduled", "The agent escalated to billing."), so they are read with
// patterns. Unresolved patterns are tried first: "resolved pending a callback" is not resolved yet.
import { normaliseText } from './text';

const UNRESOLVED =
  /\b(?:unresolved|not (?:yet )?(?:resolved|fixed|solved|sorted|completed|answered)|(?:unable|failed) to (?:resolve|fix|help)|could(?:n't| not) (?:resolve|fix|help|be resolved)|no resolution|partial(?:ly)?|partly|pending|awaiting|waiting (?:for|on)|follow[- ]?up|escalat\w*|call ?back|transferr(?:ed|ing)|in progress|open|ongoing|under investigation|investigat\w*|ticket (?:raised|opened|created)|needs? (?:approval|manager)|no decision|undecided|declined|abandoned|dropped|no answer|not reached)\b/i;

const RESOLVED =
  /\b(?:resolved|fixed|solved|sorted|completed?|done|answered|provided|placed|processed|booked|confirmed|scheduled|issued|applied|accepted|successful(?:ly)?|sale|sold|paid|updated|retained|handled|satisfied)\b/i;

export interface ResolutionReading {
  resolved: boolean | null;
  explanation: string | null;
}

export function readResolution(
  outcome: string | null | undefined,
  disposition: string | null | undefined,
): ResolutionReading {
  const sources: Array<[string, string | null | undefined]> = [
    ['outcome', outcome],
    ['disposition', disposition],
  ];
  let seen: string | null = null;
  for (const [label, raw] of sources) {
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const text = normaliseText(raw);
    seen ??= `${label} "${text}"`;
    const unresolved = UNRESOLVED.exec(text);
    if (unresolved)
      return { resolved: false, explanation: `${label} "${text}" reads as unresolved ("${unresolved[0]}").` };
    const resolved = RESOLVED.exec(text);
    if (resolved) return { resolved: true, explanation: `${label} "${text}" reads as resolved ("${resolved[0]}").` };
  }
  return { resolved: null, explanation: seen ? `${seen} says neither resolved nor unresolved, so unknown.` : null };
}

/** Reads a value Dialpad may send as a boolean or as text ("Resolved", "No"). */
export function parseProvidedResolved(value: boolean | string | null | undefined): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'y'].includes(v)) return true;
  if (['false', 'no', 'n'].includes(v)) return false;
  return readResolution(v, null).resolved;
}
