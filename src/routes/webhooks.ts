import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACTED_ON_STATES, type CallEventSignal, type FoldedLeg } from '../../workflows/shared/call-event';
import { dbErrorSummary, sqlState } from '../db/errors';
import type { AppDeps } from '../app';
import { DeliveryStore } from '../ingress/delivery-repository';
import { IgnoredDeliveries } from '../ingress/ignored-deliveries';
import { SignalledMarks } from '../ingress/signalled-marks';
import { RejectionLog, rejectedShape } from '../ingress/rejections';
import { routeEvent, officeFromEvent, type Route } from '../ingress/routing';
import { AcceptancePolicy } from '../ingress/acceptance';
import { signalOptionsFromConfig, type TemporalBreaker } from '../ingress/signal';
import { callRunNeeds } from '../ingress/transitions';
import { IngressFold } from '../ingress/ingress-fold';
import { parseCallEvent, UnusableEventError, type ParsedCallEvent } from '../ingress/validate';
import { createVerifier, WebhookRejection, type VerifiedDelivery } from '../ingress/verify';
import { activeTraceparent } from '../telemetry/context';

/**
 * POST /webhooks/dialpad — verify, validate, record and fold into the call's row, then start or
 * signal the call's workflow when the event is a transition it acts on.
 *
 * Answers: 200 once the event is durably accepted (also duplicates, states we do not act on,
 * offices not linked yet, and fields that did not fit, which are left out and listed on the
 * delivery: Dialpad never re-sends after a 4xx); 401 bad or missing signature; 400 only for a
 * verified body without a usable `call_id` or `state` (kept for replay); 413 too large; 503 only
 * when the event could not be recorded anywhere, so Dialpad retries.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  opts: { breaker?: TemporalBreaker } = {},
): Promise<void> {
  const { config, metrics, log } = deps;
  const verify = createVerifier({
    secret: config.dialpad.webhookSecret,
    previousSecret: config.dialpad.webhookSecretPrevious,
    previousSecretUntil: config.dialpad.webhookSecretPreviousUntil,
    allowUnsigned: config.dialpad.allowUnsigned,
  });
  const store = new DeliveryStore(deps.db);
  // After the answer: the relay re-sends anything left unmarked, and a repeat signal is harmless.
  const marks = new SignalledMarks(
    (ids) => store.markSignalled(ids),
    (err, count) =>
      log.warn({ err: errorSummary(err), count }, 'mark signalled failed; the relay will send those again'),
  );
  const foldedMarks = new SignalledMarks(
    (ids) => store.markFolded(ids),
    (err, count) => log.warn({ err: errorSummary(err), count }, 'mark folded failed; the relay will send those again'),
  );
  const ingressFold = new IngressFold(deps.db, store, config.insightsLlm !== null, (err) =>
    log.warn({ err: errorSummary(err) }, 'insights not derived at the ingress: the call run will'),
  );
  const ignored = new IgnoredDeliveries(store, (count, err) =>
    log.warn({ count, err: errorSummary(err) }, 'deliveries of states not acted on are waiting (or dropped)'),
  );
  const rejections = new RejectionLog(deps.db, (err) =>
    log.warn({ err: errorSummary(err) }, 'could not record refused deliveries'),
  );
  app.addHook('onClose', async () => {
    await marks.flush();
    await foldedMarks.flush();
    await rejections.flush();
    await ignored.flush();
  });
  // Budgets, back-pressure and the breaker, shared with the relay (src/plugins/relay.ts).
  const acceptance = new AcceptancePolicy(
    deps.temporal.client,
    { ...signalOptionsFromConfig(config), timeoutMs: 2_000 },
    opts.breaker,
  );

  if (!config.dialpad.webhookSecret && !config.dialpad.allowUnsigned) {
    log.warn('no DIALPAD_WEBHOOK_SECRET: every webhook will be refused with 401');
  }

  // The body is read raw whatever the content type: Dialpad's is undocumented, and a signed body is
  // a JWS string, not JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/webhooks/dialpad', async (req: FastifyRequest, reply: FastifyReply) => {
    const started = process.hrtime.bigint();
    const finish = (outcome: string, reason: string, status: number, body: Record<string, unknown>) => {
      metrics.webhookDeliveries.inc({ outcome, reason });
      metrics.webhookLatency.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      return reply.code(status).send(body);
    };
    const raw = typeof req.body === 'string' ? req.body : '';

    let verified: VerifiedDelivery;
    try {
      verified = await verify(raw);
    } catch (err) {
      if (!(err instanceof WebhookRejection)) throw err;
      req.log.warn({ reason: err.reason, status: err.statusCode, bytes: raw.length }, 'webhook rejected');
      const shape = rejectedShape(raw);
      metrics.webhookRejections.inc({ reason: err.reason, shape });
      await rejections.add({
        statusCode: err.statusCode,
        reason: err.reason,
        detail: err.message,
        sourceAddress: req.ip,
        bodyBytes: raw.length,
        shape,
      });
      // Strangers learn only that the signature did not verify; the reason is in the log and metrics.
      return finish('rejected', err.reason, err.statusCode, UNVERIFIED_ANSWER);
    }
    const { verifiedWith } = verified;
    metrics.webhookVerifiedWith.inc({ secret: verifiedWith });

    let parsed: ParsedCallEvent;
    try {
      if (!verified.claims) throw new UnusableEventError('body', verified.problem ?? 'event is not a JSON object');
      parsed = parseCallEvent(verified.claims);
    } catch (err) {
      if (!(err instanceof UnusableEventError)) throw err;
      // Verified, but without a call id or state there is no call to record. Kept whole, so a
      // parser fix and `replay` can still recover it; if it cannot be kept, Dialpad should retry.
      try {
        await store.recordRefused({
          verifiedWith,
          reason: err.field,
          detail: err.message,
          payloadText: verified.payloadText,
          isObject: verified.claims !== null,
          bodyBytes: raw.length,
        });
      } catch (e) {
        req.log.error({ err: errorSummary(e) }, 'could not keep a verified but unusable event: 503 so Dialpad retries');
        return finish('unavailable', 'refused_not_kept', 503, {
          error: 'unavailable',
          message: 'the event could not be kept; please retry',
        });
      }
      req.log.warn({ field: err.field, bytes: raw.length }, 'verified event without a usable call id or state: kept');
      return finish('rejected', 'malformed_payload', 400, { error: 'malformed_payload', message: err.message });
    }
    const event = parsed.event;
    const leftOut = [...verified.timeNotes, ...parsed.leftOut];
    for (const f of leftOut) metrics.webhookFieldsLeftOut.inc({ field: leftOutMetricField(f.field) });

    const rlog = req.log.child({ callId: event.callId, state: event.state });
    if (!ACTED_ON_STATES.has(event.state)) {
      // Kept (a later version may act on it, and `replay` re-reads it) off the answer's path; nothing
      // to route or run.
      ignored.add({
        event,
        officeId: officeFromEvent(event),
        accountId: null,
        verifiedWith,
        claimsText: verified.payloadText,
        leftOut,
      });
      return finish('ignored', event.state, 200, { status: 'ignored', reason: `state ${event.state} is not acted on` });
    }

    let route: Route | undefined;
    let recorded: { id: string; duplicate: boolean } | undefined;
    try {
      route = await routeEvent(deps.db, event);
      recorded = await store.record({
        event,
        officeId: route.officeId,
        accountId: route.accountId,
        verifiedWith,
        claimsText: verified.payloadText,
        leftOut,
        // The relay, if it is the one to signal, continues this request's trace.
        traceparent: activeTraceparent(),
      });
    } catch (err) {
      // Postgres down, or (never seen, but never a 4xx) refusing this event's content: the call
      // run records it, or sets it aside as a dead letter.
      route = undefined;
      rlog.warn({ err: errorSummary(err) }, 'event not recorded: signalling Temporal directly');
    }

    if (recorded?.duplicate) return finish('duplicate', 'dedupe_key', 200, { status: 'duplicate' });
    if (route && recorded && !route.accountId) {
      rlog.info({ officeId: route.officeId }, 'office not linked to an account yet: kept as unrouted');
      return finish('unrouted', route.officeId ? 'office_not_linked' : 'office_unknown', 200, { status: 'unrouted' });
    }

    // The event is folded into its leg and conversation here, so the row is right at once and the
    // call run hears only of the transitions it acts on. If the fold fails, or is skipped under load,
    // the run applies it (and sets it aside as a dead letter if it cannot).
    let folded: FoldedLeg | undefined;
    let insightsDerived = false;
    if (route?.accountId && recorded) {
      const sigToFold = { deliveryId: recorded.id, accountId: route.accountId, officeId: route.officeId, verifiedWith };
      const attempt = await ingressFold.fold({ ...sigToFold, event }, started);
      if (attempt.outcome === 'folded') {
        folded = attempt.folded;
        insightsDerived = attempt.insightsDerived;
        metrics.callEventE2e.observe({ state: event.state }, Number(process.hrtime.bigint() - started) / 1e9);
      } else if (attempt.outcome === 'failed') {
        rlog.warn({ err: errorSummary(attempt.error) }, 'event not folded at the ingress: its call run will apply it');
      }
      metrics.ingressFolds.inc({ outcome: attempt.outcome === 'skipped' ? attempt.reason : attempt.outcome });
    }
    if (recorded && folded && !callRunNeeds(event.state, folded, { insightsDerived })) {
      foldedMarks.add(recorded.id);
      return finish('accepted', 'folded', 200, { status: 'accepted' });
    }

    // A recorded event stays in Postgres: the signal names it, so no personal data enters
    // Temporal's history. Only an event Postgres could not take travels whole.
    const sig: CallEventSignal = {
      deliveryId: recorded?.id ?? null,
      accountId: route?.accountId ?? null,
      officeId: route?.officeId ?? officeFromEvent(event),
      verifiedWith,
      ref: { callId: event.callId, state: event.state, eventTimestamp: event.eventTimestamp },
      ...(recorded ? {} : { event, unrecorded: { claimsText: verified.payloadText, leftOut } }),
      ...(folded ? { folded } : {}),
    };
    const accepted = await acceptance.accept(sig, event, recorded !== undefined, started);
    if (accepted.outcome === 'unavailable') {
      rlog.error(
        { err: errorSummary(accepted.error) },
        'neither Postgres nor Temporal took the event: 503 so Dialpad retries',
      );
      return finish('unavailable', accepted.reason, 503, {
        error: 'unavailable',
        message: 'the event could not be recorded; please retry',
      });
    }
    if (accepted.reason === 'relay_pending') {
      rlog.warn(
        { err: errorSummary(accepted.error) },
        'Temporal unavailable: the relay will deliver the recorded event',
      );
    }
    if (recorded && accepted.reason === 'signalled') marks.add(recorded.id);
    return finish('accepted', accepted.reason, 200, { status: 'accepted' });
  });
}

const UNVERIFIED_ANSWER = { error: 'unauthorized', message: 'the signature did not verify' } as const;

/** Metric label for a left-out field: list indexes folded (`recap_purposes[3]` → `recap_purposes[]`). */
function leftOutMetricField(field: string): string {
  return field.replace(/\[\d+\]/g, '[]').slice(0, 60);
}

function errorSummary(err: unknown): string {
  if (sqlState(err)) return dbErrorSummary(err);
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const detail =
    cause instanceof Error
      ? ` (${typeof code === 'string' || typeof code === 'number' ? code : cause.name}: ${cause.message.split('\n')[0]})`
      : '';
  return `${err.name}: ${err.message.split('\n')[0]}${detail}`;
}
