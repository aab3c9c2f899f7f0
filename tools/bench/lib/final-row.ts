/**
 * When the e2e benchmark counts a conversation final: from the NOTIFYs of a trigger on `calls`
 * (e2e-run.ts), one change per row inserted, updated or deleted (a row merged into another
 * conversation's row is deleted).
 */
export interface RowChange {
  t: number;
  /**
   * Arrival order: NOTIFYs reach the one listening connection in commit order, and two legs' rows
   * often change in the same millisecond, so time alone cannot order them.
   */
  seq: number;
  /** calls.id, and whether the row is linked to a record (linked_entity_id set). */
  rowId: string;
  linked: boolean;
  status: string;
  duration: number | null;
  endedAt: number | null;
}

/** The status a deleted (merged-away) row is reported with. */
export const DELETED = 'deleted';

/**
 * The conversation is final while its legs have one row and that row is final: each row's latest
 * change stands until the row changes again or is merged away. A later change to another leg's row
 * does not hide a final row, a row merged away is no longer counted, and two rows for one call are
 * never final. Returns the final row and since when it has been final (continuously, to the last
 * change seen), or null.
 */
export function finalSince(
  changes: readonly RowChange[],
  isFinal: (row: RowChange) => boolean,
): { row: RowChange; since: number } | null {
  const latest = new Map<string, RowChange>();
  let since: number | null = null;
  let row: RowChange | null = null;
  for (const change of [...changes].sort((a, b) => a.seq - b.seq)) {
    if (change.status === DELETED) latest.delete(change.rowId);
    else latest.set(change.rowId, change);
    const only = latest.size === 1 ? [...latest.values()][0]! : null;
    if (only && isFinal(only)) {
      since ??= change.t;
      row = only;
    } else {
      since = null;
      row = null;
    }
  }
  return row && since !== null ? { row, since } : null;
}
