/** Nearest-rank percentile (`p` from 0 to 100) of an ascending array; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The values in ascending order (a copy). */
export const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
