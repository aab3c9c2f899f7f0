import pino from 'pino';
import { collect, DialpadClient } from '../../../src/dialpad/client';
import { PostgresRateLimiter } from '../../../src/dialpad/pg-rate-limiter';
import { DIALPAD_COMPANY_LIMIT } from '../../../src/dialpad/rate-limit';
import type * as ContactImport from '../../../src/sync/contact-import';
import type * as Directory from '../../../src/sync/directory';
import type { BenchStack } from '../lib/stack';
import { distribution, log, round } from '../lib/util';
import type { BenchmarkOutput } from './types';

/**
 * Directory and contact sync against the simulator's company (2,000 users, 50,000 contacts) with
 * Dialpad's rate limits enforced by the simulator: the request rate achieved against the 20
 * requests/s Dialpad allows a company. The client's budget lives in Postgres (PostgresRateLimiter),
 * as in production.
 *
 * With the sync code present (src/sync), a full pass of it runs for one account: directory
 * (office, departments, call centres, users) then the contact import (shared contacts, then each
 * user's local contacts, each page applied to Navigator's contacts with its checkpoint). Without it,
 * the Dialpad client pages users and contacts the way a sync would. `sync_mode` says which ran.
 */
export interface SyncOptions {
  /** Also page users and contacts with the client alone (the ceiling without database work). */
  clientPaging: boolean;
}

interface Window {
  requests: number;
  ok: number;
  rateLimited: number;
  other: number;
  seconds: number;
  rps: number;
  /** How long the simulator took to answer (its own request log), ms. */
  answerMean: number;
  answerP50: number;
  answerP99: number;
}

function windowOf(stack: BenchStack, from: number, to: number): Window {
  const reqs = stack.sim.state.requests.filter((r) => r.at >= from && r.at <= to && r.path.startsWith('/api/v2/'));
  const ok = reqs.filter((r) => r.status !== null && r.status < 300).length;
  const rateLimited = reqs.filter((r) => r.status === 429).length;
  const first = Math.min(...reqs.map((r) => r.at));
  const last = Math.max(...reqs.map((r) => r.at + (r.durationMs ?? 0)));
  const seconds = reqs.length > 1 ? (last - first) / 1000 : Number.NaN;
  const answers = distribution(reqs.map((r) => r.durationMs ?? 0));
  return {
    requests: reqs.length,
    ok,
    rateLimited,
    other: reqs.length - ok - rateLimited,
    seconds,
    rps: reqs.length / seconds,
    answerMean: answers.mean,
    answerP50: answers.p50,
    answerP99: answers.p99,
  };
}

function client(stack: BenchStack): DialpadClient {
  return new DialpadClient({
    apiKey: 'bench-simulator-key',
    baseUrl: stack.sim.url,
    rateLimiter: new PostgresRateLimiter(stack.db),
    logger: pino({ level: 'silent' }),
  });
}

async function realSync(
  stack: BenchStack,
): Promise<{ window: Window; detail: Record<string, number | string> } | null> {
  let directory: typeof Directory;
  let contacts: typeof ContactImport;
  try {
    // Loaded at run time so that the benchmark still runs (in its fallback) without src/sync.
    /* eslint-disable @typescript-eslint/no-require-imports */
    directory = require('../../../src/sync/directory') as typeof Directory;
    contacts = require('../../../src/sync/contact-import') as typeof ContactImport;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch (err) {
    log(`sync: src/sync not usable (${(err as Error).message.split('\n')[0]}); measuring the client's paging instead`);
    return null;
  }
  const office = stack.sim.state.company.offices[0]!;
  const account = await stack.db('accounts').where({ dialpad_office_id: office.id }).first('id', 'default_region');
  const accountId = String(account.id);
  const dialpad = client(stack);
  const from = performance.timeOrigin + performance.now();
  const dir = await directory.syncDirectory({ db: stack.db, dialpad }, { accountId });
  const afterDirectory = performance.timeOrigin + performance.now();
  await contacts.startOrResumeImportPass(stack.db, accountId, office.id);
  const imported = await contacts.importPages(
    { db: stack.db, dialpad, accountId, defaultRegion: String(account.default_region) },
    { maxPages: 1_000_000 },
  );
  await contacts.finishImportPass(stack.db, accountId);
  const to = performance.timeOrigin + performance.now();
  const dirWindow = windowOf(stack, from, afterDirectory);
  const contactWindow = windowOf(stack, afterDirectory, to);
  return {
    window: windowOf(stack, from, to),
    detail: {
      sync_directory_requests: dirWindow.requests,
      sync_directory_rps: round(dirWindow.rps, 2),
      sync_directory_users: dir.users.created + dir.users.updated + dir.users.unchanged,
      sync_contacts_requests: contactWindow.requests,
      sync_contacts_rps: round(contactWindow.rps, 2),
      sync_contacts_pages: imported.pages,
      sync_contacts_created: imported.counts.created,
    },
  };
}

async function clientPaging(stack: BenchStack): Promise<{ window: Window; users: number; contacts: number }> {
  const dialpad = client(stack);
  const from = performance.timeOrigin + performance.now();
  const [users, contacts] = await Promise.all([collect(dialpad.listUsers()), collect(dialpad.listContacts())]);
  const to = performance.timeOrigin + performance.now();
  return { window: windowOf(stack, from, to), users: users.length, contacts: contacts.length };
}

export async function benchSync(stack: BenchStack, opts: SyncOptions): Promise<BenchmarkOutput> {
  const allowed = DIALPAD_COMPANY_LIMIT.count / (DIALPAD_COMPANY_LIMIT.perMs / 1000);
  const company = stack.sim.state.company;
  log(`sync: ${company.users.length} users, ${company.contacts.length} contacts, simulator rate limits on`);
  if (!stack.sim.state.rateLimits.enabled) throw new Error('the simulator must enforce rate limits');

  const extra: Record<string, number | string | boolean> = {};
  const notes: string[] = [];
  const real = await realSync(stack);
  let main: Window;
  if (real) {
    main = real.window;
    Object.assign(extra, real.detail, { sync_mode: 'src/sync: directory sync + contact import pass' });
  } else {
    const paged = await clientPaging(stack);
    main = paged.window;
    Object.assign(extra, { sync_mode: 'DialpadClient paging (src/sync not present)' });
    notes.push('src/sync is not present: sync figures are the Dialpad client paging users and contacts.');
  }
  log(
    `  sync: ${main.requests} requests in ${main.seconds.toFixed(1)} s = ${main.rps.toFixed(2)}/s (${main.rateLimited} × 429)`,
  );

  if (opts.clientPaging || !real) {
    const paged = real ? await clientPaging(stack) : null;
    if (paged) {
      log(`  client paging alone: ${paged.window.requests} requests, ${paged.window.rps.toFixed(2)}/s`);
      Object.assign(extra, {
        sync_client_paging_requests: paged.window.requests,
        sync_client_paging_rps: round(paged.window.rps, 2),
        sync_client_paging_ratio: round(paged.window.rps / allowed, 3),
        sync_client_paging_429: paged.window.rateLimited,
      });
    }
  }
  return {
    keys: {
      sync_allowed_rps: allowed,
      sync_achieved_rps: round(main.rps, 2),
      sync_ratio: round(main.rps / allowed, 3),
    },
    extra: {
      ...extra,
      sync_requests: main.requests,
      sync_seconds: round(main.seconds, 1),
      sync_429: main.rateLimited,
      sync_other_errors: main.other,
      sync_dialpad_answer_p50_ms: round(main.answerP50, 1),
      sync_dialpad_answer_p99_ms: round(main.answerP99, 1),
      // The limiter's ceiling: each of the 20 slots is reused one window (1 s + 50 ms margin) after
      // its request's answer, so at best 20 / (1.05 s + mean time from grant to answer); with the
      // simulator's own answer time only, an upper bound.
      sync_ceiling_rps: round(20 / (1.05 + main.answerMean / 1000), 2),
    },
    notes,
  };
}
