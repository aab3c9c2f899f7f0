import type { DoctorCheck } from './types';

export const HOUR = 3_600_000;

export const CLI = 'npm run cli --';

export const pass = (id: string, title: string, detail: string): DoctorCheck => ({ id, title, status: 'pass', detail });
export const warn = (id: string, title: string, detail: string, hint?: string): DoctorCheck => ({
  id,
  title,
  status: 'warn',
  detail,
  ...(hint ? { hint } : {}),
});
export const fail = (id: string, title: string, detail: string, hint: string): DoctorCheck => ({
  id,
  title,
  status: 'fail',
  detail,
  hint,
});

export function ago(then: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - then.getTime());
  if (ms < 90_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 48 * HOUR) return `${Math.round(ms / HOUR)} h ago`;
  return `${Math.round(ms / (24 * HOUR))} days ago`;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export const noOffice = (id: string, title: string) => warn(id, title, 'not checked: no office ID');
