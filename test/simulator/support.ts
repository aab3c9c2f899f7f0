import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateConversations, type Conversation, type ConversationKind } from '../../tools/simulator/calls';
import { callRecords } from '../../tools/simulator/emitter';
import type { RunningSimulator } from '../../tools/simulator/server';
import type { SimulatorState } from '../../tools/simulator/state';

/** A company small enough for fast tests, big enough for several pages of everything. */
export const SMALL_COMPANY = { offices: 3, departments: 6, callCenters: 3, users: 250, contacts: 600 };

/** Places `n` concluded conversations (an hour ago) in the simulator, Ai artefacts ready now. */
export function placeCalls(
  state: SimulatorState,
  n: number,
  options: { seed?: string; kinds?: ConversationKind[] } = {},
): Conversation[] {
  const start = Date.now() - 3_600_000;
  const conversations = generateConversations(
    {
      company: state.company,
      seed: options.seed ?? 'test-calls',
      aiOfficeIds: state.aiOffices,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      placeAt: (i) => start + i * 60_000,
    },
    n,
  );
  state.registerCalls(callRecords(conversations, () => 0));
  return conversations;
}

/** JSON over HTTP to the simulator (admin or API), returning status and parsed body. */
export async function simRequest(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

export const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'dialpad-examples', `${name}.json`), 'utf8'));
