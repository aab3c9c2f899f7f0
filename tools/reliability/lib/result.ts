import type { Comparison, eventFigures } from './verify';
import { problemSamples } from './verify';

/** Per-event figures: every distinct event the emitter sent, accounted for (lib/verify.ts). */
export type EventFigures = ReturnType<typeof eventFigures>;

/** One scenario's figures, as written to tools/reliability/results/latest.json. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  /** Requests sent to the service (webhook deliveries with retries and copies, or API requests). */
  sent: number;
  /** What should be stored (conversations, or valid events for the hostile scenario). */
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** Stored once, but with a field that differs from the expected outcome. */
  wrong: number;
  /**
   * Conversations with an event Dialpad gave up delivering (its retries exhausted while both
   * Postgres and Temporal were down longer than its window): never received, so not in `expected`.
   */
  gaveUp?: number;
  /** Call scenarios: every event the emitter sent, judged on its own. */
  events?: EventFigures;
  passed: boolean;
  /** Every check that failed, in words. */
  failures: string[];
  seconds: number;
  details: Record<string, unknown>;
  runAt: string;
}

export type Scenario = {
  name: string;
  title: string;
  run: (ctx: import('./env').ReliabilityEnv) => Promise<Omit<ScenarioResult, 'seconds' | 'runAt' | 'passed'>>;
};

/** The failures a comparison of conversations implies. */
export function comparisonFailures(c: Comparison): string[] {
  const out: string[] = [];
  if (c.lost) out.push(`${c.lost} conversation(s) lost or incomplete`);
  if (c.duplicated) out.push(`${c.duplicated} conversation(s) stored more than once`);
  if (c.wrong) out.push(`${c.wrong} conversation(s) stored with a wrong field`);
  if (out.length) out.push(...problemSamples(c).map((s) => `  e.g. ${s}`));
  const e = c.events;
  const eventProblems: string[] = [];
  if (e.lost) eventProblems.push(`${e.lost} event(s) lost (${JSON.stringify(e.lostBy)})`);
  if (e.duplicated) eventProblems.push(`${e.duplicated} event(s) applied more than once`);
  if (e.wrong) eventProblems.push(`${e.wrong} event(s) stored with a wrong field (${JSON.stringify(e.wrongByField)})`);
  if (e.sent === 0 && c.expected > 0) eventProblems.push('no event to account for: the emitter sent nothing?');
  if (eventProblems.length) out.push(...eventProblems, ...e.samples.map((s) => `  e.g. ${s}`));
  return out;
}
