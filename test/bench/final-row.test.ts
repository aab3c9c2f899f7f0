// The e2e benchmark's judge of when a conversation is final (tools/bench/lib/final-row.ts). The
// benchmark once reported a transfer lost whose row, read afterwards, held the expected status, talk
// time and end: the judge sorted both legs' row changes by millisecond, so a change to the second
// leg's row in the same millisecond as the final one (or before it was merged away and deleted) hid the
// final row. These cases pin the judge to what the table holds.
import type { RowChange } from '../../tools/bench/lib/final-row';
import { DELETED, finalSince } from '../../tools/bench/lib/final-row';

let seq = 0;
const change = (t: number, rowId: string, status: string, duration: number | null = null): RowChange => ({
  t,
  seq: seq++,
  rowId,
  linked: false,
  status,
  duration,
  endedAt: status === 'answered' ? 1_000 : null,
});
const isFinal = (r: RowChange) => r.status === 'answered' && r.duration === 60 && r.endedAt === 1_000;

describe('e2e benchmark: when a conversation is final', () => {
  it("a transfer: the second leg's row changes after the first is final, then is merged away: final", () => {
    const changes = [
      change(100, 'A', 'in_progress'),
      change(200, 'A', 'answered', 60),
      change(200, 'B', 'in_progress'), // the same millisecond, arriving after A's final change
      change(300, 'B', DELETED), // merged into A, nothing in A changed
    ];
    expect(finalSince(changes, isFinal)).toEqual({ row: changes[1], since: 300 });
  });

  it('changes arriving in the same millisecond are taken in arrival order, not by leg', () => {
    const a = change(500, 'A', 'answered', 60);
    const b = change(500, 'B', DELETED);
    // Listed leg by leg (B's leg first), as the benchmark collects them; arrival order puts A first.
    expect(finalSince([b, a], isFinal)).toEqual({ row: a, since: 500 });
  });

  it('two rows for one call are never final, however final one of them looks', () => {
    const changes = [change(100, 'A', 'answered', 60), change(150, 'B', 'in_progress')];
    expect(finalSince(changes, isFinal)).toBeNull();
  });

  it('a final row that changes to something else is no longer final; final again from its next final change', () => {
    const changes = [
      change(100, 'A', 'answered', 60),
      change(200, 'A', 'answered', 59),
      change(300, 'A', 'answered', 60),
    ];
    expect(finalSince(changes, isFinal)?.since).toBe(300);
    expect(finalSince(changes.slice(0, 2), isFinal)).toBeNull();
  });

  it('a row merged away while final leaves the conversation with its surviving row', () => {
    const changes = [change(100, 'A', 'answered', 60), change(110, 'B', 'answered', 60), change(120, 'B', DELETED)];
    expect(finalSince(changes, isFinal)).toEqual({ row: changes[0], since: 120 });
  });
});
