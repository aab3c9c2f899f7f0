import fc from 'fast-check';
import { clearLeftovers } from '../../lib/leftovers';
import type { Scenario } from '../../lib/result';
import { bodyRecipes } from './bodies';
import { fieldRecipes } from './fields';
import { materialiser } from './materialise';
import { awaitCallsRows } from './processed';
import { toJson, type Recipe, type TokenRecipe } from './recipe';
import { checkRefused } from './refused';
import { send, type Sent } from './send';
import { signatureRecipes } from './signatures';

/**
 * Scenario 6: at least 10,000 generated hostile requests to the real ingress process: malformed and
 * truncated JWTs, wrong secrets, `none`, HS384/HS512, RS256 and the RSA public key used as the HMAC
 * secret, expired or future `iat`/`exp`/`nbf`, huge and deeply nested JSON, bodies around the 2 MiB
 * limit, odd field types, ids past 2^53 and past int64, unicode and SQL-looking strings in names and
 * numbers.
 *
 * The rules are docs/webhooks.md's (Dialpad never re-sends after a 4xx, so a verified event is
 * taken liberally):
 * - unverified (no, a wrong or a disallowed signature): 401, or 413 above 2 MiB; never stored;
 * - verified, but no usable `call_id` or `state`, or a payload that is not a JSON object: 400, and
 *   the body is kept in `dialpad_webhook_refused_events` (one row per request, with its claims or
 *   its text);
 * - verified with fields that do not fit (odd types, bad `iat`/`exp`/`nbf`): 200, stored once, each
 *   such field listed in the delivery's `left_out` (where the spec says it is left out; fields the
 *   spec accepts in any of several shapes must not be listed);
 * - verified and up to 2 MiB (a body between 256 KiB and 2 MiB too): 200 and stored; above: 413.
 *
 * Checked: never a 5xx, never a dropped connection, the ingress process never exits; each request
 * gets the status its category calls for, every rejection is a 4xx whose JSON body has `error` and
 * `message`; nothing from unverified input is stored (neither as a delivery nor as a refused body);
 * every accepted event is stored once, its id exact to the digit (even past 2^53), states not acted
 * on as `ignored`, and, when its office is linked and its state acted on, processed into a `calls`
 * row by the worker; every verified-but-unusable body is kept exactly once.
 */

/** The three groups of cases, in this order (the seed's sample depends on it). */
const recipes: fc.Arbitrary<Recipe> = fc.oneof(...signatureRecipes, ...bodyRecipes, ...fieldRecipes);

export const hostileScenario: Scenario = {
  name: 'hostile',
  title: 'generated hostile requests: never a 5xx or a crash, nothing stored from unverified input',
  run: async (env) => {
    const o = env.options;
    const n = Math.max(1, Math.floor(o.hostileRequests));
    const generated = fc.sample(recipes, { numRuns: n, seed: o.hostileSeed });
    const materialise = materialiser(env);

    const counts: Record<string, number> = {};
    for (const r of generated) counts[r.category] = (counts[r.category] ?? 0) + 1;
    env.note(`  ${generated.length} requests in ${Object.keys(counts).length} categories: ${JSON.stringify(counts)}`);

    await clearLeftovers(env.db, env.temporalClient, env.note);
    const [before] = await env.db('dialpad_webhook_deliveries').max<{ max: number | null }[]>('id as max');
    const maxIdBefore = Number(before?.max ?? 0);
    const [refusedBefore] = await env.db('dialpad_webhook_refused_events').max<{ max: number | null }[]>('id as max');
    const maxRefusedIdBefore = Number(refusedBefore?.max ?? 0);
    const crashesBefore = env.ingress.crashes.length;

    const sent: Sent[] = [];
    let next = 0;
    const started = Date.now();
    // Materialised as they are sent (the large bodies are not all held at once; times are fresh).
    const workerLoop = async () => {
      while (next < generated.length) {
        const r = materialise(generated[next++]!);
        sent.push(await send(env.webhookUrl, r));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(o.hostileConcurrency)) }, workerLoop));
    const elapsed = (Date.now() - started) / 1000;
    env.note(`  sent in ${elapsed.toFixed(1)} s (${(sent.length / elapsed).toFixed(0)} requests/s)`);

    const failures: string[] = [];
    const samples = new Map<string, string[]>();
    const flag = (kind: string, s: Sent, detail: string) => {
      const list = samples.get(kind) ?? [];
      list.push(`${s.recipe.category} → ${s.status ?? s.error}: ${detail}`.slice(0, 300));
      samples.set(kind, list);
    };
    /** The edit a request's category is about (its last) and any deep or big extra, for messages. */
    const oddEdit = (s: Sent) => {
      const edits = s.recipe.kind === 'token' ? (s.recipe.edits ?? []) : [];
      const last = edits[edits.length - 1];
      const extras = edits
        .filter(([p]) => p[0] === 'labels' || p[0] === 'custom_data')
        .map(([p, v]) =>
          p[0] === 'labels' ? `labels nested ${toJson(v).length / 2} deep` : `custom_data of ${toJson(v).length} bytes`,
        );
      return [last ? `${last[0].join('.')}=${toJson(last[1]).slice(0, 60)}` : '', ...extras].filter(Boolean).join(', ');
    };
    const statusCounts: Record<string, number> = {};
    const byCategory: Record<string, Record<string, number>> = {};
    let wrongStatus = 0;
    let cutOffPastLimit = 0;
    for (const s of sent) {
      const status = String(s.status ?? 'no answer');
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      const cat = (byCategory[s.recipe.category] ??= {});
      cat[status] = (cat[status] ?? 0) + 1;
      // A body past the limit is refused while it is still being sent: the ingress answers 413 and
      // closes, and a client still writing sees the connection cut (EPIPE) instead of the answer. Both
      // refuse it (nothing is read or stored); any other request left without an answer is a failure.
      if (s.status === null && s.expect === 413 && /^(?:EPIPE|ECONNRESET|UND_ERR_SOCKET)$/.test(s.error ?? '')) {
        cutOffPastLimit++;
        continue;
      }
      if (s.status === null) flag('no answer (connection dropped or timed out)', s, s.error ?? '');
      else if (s.status >= 500) flag('5xx', s, `${JSON.stringify(s.json)} ${oddEdit(s)}`);
      if (s.status !== null && s.status >= 400) {
        const j = s.json as { error?: unknown; message?: unknown } | null;
        if (!j || typeof j.error !== 'string' || !j.error || typeof j.message !== 'string' || !j.message) {
          flag('rejection without a JSON {error, message} body', s, JSON.stringify(s.json)?.slice(0, 120) ?? 'no body');
        }
      }
      const ok =
        s.status === s.expect ||
        (s.expect === '4xx' && s.status !== null && s.status >= 400 && s.status < 500) ||
        (s.expect === '200-or-400' && (s.status === 200 || s.status === 400));
      if (s.status !== null && !ok) {
        wrongStatus++;
        flag(
          `status other than the category's (${s.expect})`,
          s,
          `${oddEdit(s)} ${JSON.stringify(s.json)?.slice(0, 160) ?? ''}`,
        );
      }
    }

    // Stored rows: only verified events with a usable call id and state, each once, ids exact.
    const accepted = new Map(sent.filter((s) => s.verified && s.status === 200 && s.callId).map((s) => [s.callId!, s]));
    // Accepted without Postgres, a delivery is recorded later by the worker: wait while rows arrive.
    const deadline = Date.now() + 60_000;
    type DeliveryRow = {
      id: number;
      call_id: string;
      routing_status: string;
      left_out: { field: string; reason: string }[] | null;
    };
    let rows: DeliveryRow[] = [];
    let lastGrowth = Date.now();
    for (;;) {
      const previous = rows.length;
      rows = await env
        .db('dialpad_webhook_deliveries')
        .where('id', '>', maxIdBefore)
        .select('id', 'call_id', 'routing_status', 'left_out');
      if (rows.length > previous) lastGrowth = Date.now();
      const have = new Set(rows.map((r) => r.call_id));
      if ([...accepted.keys()].every((id) => have.has(id)) || Date.now() > deadline || Date.now() - lastGrowth > 10_000)
        break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const byCallId = new Map<string, DeliveryRow[]>();
    for (const r of rows) byCallId.set(r.call_id, [...(byCallId.get(r.call_id) ?? []), r]);
    const fromElsewhere = rows.filter((r) => !accepted.has(r.call_id));
    const storedTwice = [...byCallId.values()].filter((c) => c.length > 1).length;
    const notStored = [...accepted.keys()].filter((id) => !byCallId.has(id));
    const validSent = sent.filter((s) => s.storable);
    const validRejected = validSent.filter((s) => s.status !== 200 && !(s.expect === '200-or-400' && s.status === 400));

    // What was left out: each field the spec leaves out is listed, none it accepts is.
    const lists = (row: DeliveryRow, field: string) =>
      (row.left_out ?? []).some(
        (f) => f.field === field || f.field.startsWith(`${field}.`) || f.field.startsWith(`${field}[`),
      );
    let leftOutChecked = 0;
    let leftOutWrong = 0;
    let ignoredStored = 0;
    for (const [id, s] of accepted) {
      const row = byCallId.get(id)?.[0];
      if (!row || s.recipe.kind !== 'token') continue;
      for (const field of s.recipe.leftOut ?? []) {
        leftOutChecked++;
        if (!lists(row, field)) {
          leftOutWrong++;
          flag(
            'a field that does not fit is not listed in left_out',
            s,
            `${oddEdit(s)} ${field}; left_out ${JSON.stringify(row.left_out)}`,
          );
        }
      }
      for (const field of s.recipe.fits ?? []) {
        leftOutChecked++;
        if (lists(row, field)) {
          leftOutWrong++;
          flag(
            'a field in an accepted shape is listed in left_out',
            s,
            `${oddEdit(s)}; left_out ${JSON.stringify(row.left_out)}`,
          );
        }
      }
      if (!s.stateActedOn) {
        ignoredStored++;
        if (row.routing_status !== 'ignored')
          flag(
            'a state not acted on is not stored as ignored',
            s,
            `${oddEdit(s)} routing_status ${row.routing_status}`,
          );
      }
    }

    const { kept, refusedRows, refusedNotKept, refusedKeptExtra, refusedEmpty, refusedNotCurrent } = await checkRefused(
      env.db,
      sent,
      maxRefusedIdBefore,
    );

    const linked = [...accepted.values()].filter((s) => s.routed).map((s) => s.callId!);
    const { processed, unprocessedSamples } = await awaitCallsRows(
      env.db,
      linked,
      (id) => `${accepted.get(id)!.recipe.category} ${oddEdit(accepted.get(id)!)}`,
    );

    const alive = await fetch(`${env.ingressUrl}/healthz`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (!alive) failures.push('the ingress does not answer /healthz after the hostile input');
    if (env.ingress.crashes.length > crashesBefore)
      failures.push(`the ingress process exited ${env.ingress.crashes.length - crashesBefore} time(s)`);
    if (sent.length < 10_000 && n >= 10_000) failures.push(`only ${sent.length} requests sent`);
    for (const [kind, list] of samples) {
      failures.push(`${list.length} × ${kind}`);
      failures.push(...[...new Set(list)].slice(0, 4).map((l) => `  e.g. ${l}`));
    }
    if (fromElsewhere.length) {
      failures.push(
        `${fromElsewhere.length} delivery row(s) stored from unverified or refused input: ${fromElsewhere
          .slice(0, 5)
          .map((r) => r.call_id)
          .join(', ')}`,
      );
    }
    if (storedTwice) failures.push(`${storedTwice} accepted event(s) stored more than once`);
    if (notStored.length) {
      const examples = notStored
        .slice(0, 4)
        .map((id) => `${id} (${accepted.get(id)!.recipe.category} ${oddEdit(accepted.get(id)!)})`);
      failures.push(`${notStored.length} event(s) answered 200 but never stored: e.g. ${examples.join('; ')}`);
    }
    if (refusedNotKept) failures.push(`${refusedNotKept} verified body(ies) refused with 400 but not kept`);
    if (refusedKeptExtra)
      failures.push(`${refusedKeptExtra} refused-event row(s) beyond one per verified body refused with 400`);
    if (refusedEmpty) failures.push(`${refusedEmpty} refused-event row(s) with neither claims nor payload_text`);
    if (refusedNotCurrent)
      failures.push(`${refusedNotCurrent} refused-event row(s) not verified with the current secret`);
    if (processed < linked.length)
      failures.push(
        `${linked.length - processed} of ${linked.length} accepted events on a linked office never became a calls row: e.g. ${unprocessedSamples.join('; ')}`,
      );

    return {
      scenario: 'hostile',
      title: hostileScenario.title,
      sent: sent.length,
      expected: accepted.size + kept.length,
      stored: accepted.size - notStored.length + (kept.length - refusedNotKept),
      lost: notStored.length + validRejected.length + refusedNotKept,
      duplicated: fromElsewhere.length + storedTwice + refusedKeptExtra,
      wrong: wrongStatus + leftOutWrong,
      failures,
      details: {
        seed: o.hostileSeed,
        categories: counts,
        statuses: statusCounts,
        statusesByCategory: byCategory,
        cutOffPastLimit,
        requestsPerSecond: +(sent.length / elapsed).toFixed(0),
        accepted: accepted.size,
        acceptedWithLeftOut: rows.filter((r) => r.left_out?.length).length,
        leftOutChecks: { checked: leftOutChecked, wrong: leftOutWrong },
        storedAsIgnored: ignoredStored,
        refusedAndKept: { refused: kept.length, keptRows: refusedRows.length },
        validWithTextPostgresRefuses: (() => {
          const withIt = validSent.filter((s) => s.pgRefusedText);
          return {
            sent: withIt.length,
            stored: withIt.filter((s) => s.status === 200 && byCallId.has(s.callId!)).length,
          };
        })(),
        idsPast2to53: (() => {
          const big = [...accepted.values()].filter((x) => (x.recipe as TokenRecipe).bigId);
          return { accepted: big.length, storedExactToTheDigit: big.filter((x) => byCallId.has(x.callId!)).length };
        })(),
        largeVerified: (() => {
          const large = sent.filter((s) => s.recipe.category === 'large-verified');
          return {
            sent: large.length,
            over256KiB: large.filter((s) => s.bodyLength > 256 * 1024 && s.expect === 200).length,
            stored: large.filter((s) => s.callId && byCallId.has(s.callId)).length,
            over2MiB: large.filter((s) => s.expect === 413).length,
          };
        })(),
        linkedValid: linked.length,
        linkedProcessedIntoCalls: processed,
        newDeliveryRows: rows.length,
      },
    };
  },
};
