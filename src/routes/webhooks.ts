import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACTED_ON_STATES, type CallEventSignal, type CallLegEvent } from '../domain/call-event';
import type { AppDeps } from '../app';
import { DeliveryStore } from '../ingress/deliveries';
import { routeEvent, officeFromEvent, type Route } from '../ingress/routing';
import { signalCallWorkflow, TemporalBreaker } from '../ingress/signal';
import { validateCallEvent } from '../ingress/validate';
import { createVerifier, WebhookRejection } from '../ingress/verify';

/**
 * POST /webhooks/dialpad — verify, validate, record, then start or signal the call's workflow.
 *
 * Answers: 200 once the event is durably accepted (also duplicates, states we do not act on and
 * offices not linked yet); 401 bad or missing signature; 400 verified but malformed; 413 too
 * large; 503 only when neither Postgres nor Temporal could take the event, so Dialpad retries.
 */
export async function webhookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { config, metrics, log } = deps;
  const verify = createVerifier({
    secret: config.dialpad.webhookSecret,
    previousSecret: config.dialpad.webhookSecretPrevious,
    allowUnsigned: config.dialpad.allowUnsigned,
  });
  const store = new DeliveryStore(deps.db);
  const signalOpts = {
    taskQueue: config.temporal.taskQueue,
    aiWaitSeconds: config.callAiWaitSeconds,
    aiFetchAttempts: config.callAiFetchAttempts,
    timeoutMs: 2_000,
  };
  const breaker = new TemporalBreaker();

  if (config.dialpad.webhookSecret && Buffer.byteLength(config.dialpad.webhookSecret) < 32) {
    log.warn('DIALPAD_WEBHOOK_SECRET is shorter than 32 bytes: use a long random secret');
  }
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

    let event: CallLegEvent;
    let verifiedWith: 'current' | 'previous' | 'unsigned';
    try {
      const verified = await verify(raw);
      verifiedWith = verified.verifiedWith;
      metrics.webhookVerifiedWith.inc({ secret: verifiedWith });
      event = validateCallEvent(verified.claims);
    } catch (err) {
      if (!(err instanceof WebhookRejection)) throw err;
      req.log.warn({ reason: err.reason, status: err.statusCode, bytes: raw.length }, 'webhook rejected');
      await store
        .recordRejection({
          statusCode: err.statusCode,
          reason: err.reason,
          detail: err.message,
          sourceAddress: req.ip,
          bodyBytes: raw.length,
        })
        .catch((e: unknown) => req.log.warn({ err: e }, 'could not record the rejection'));
      return finish('rejected', err.reason, err.statusCode, { error: err.reason, message: err.message });
    }

    const rlog = req.log.child({ callId: event.callId, state: event.state });
    if (!ACTED_ON_STATES.has(event.state)) {
      return finish('ignored', event.state, 200, { status: 'ignored', reason: `state ${event.state} is not acted on` });
    }

    let route: Route | undefined;
    let recorded: { id: string; duplicate: boolean } | undefined;
    try {
      route = await routeEvent(deps.db, event);
      recorded = await store.record({ event, officeId: route.officeId, accountId: route.accountId, verifiedWith });
    } catch (err) {
      rlog.warn({ err: errorSummary(err) }, 'Postgres unavailable: signalling Temporal directly');
    }

    if (recorded?.duplicate) return finish('duplicate', 'dedupe_key', 200, { status: 'duplicate' });
    if (route && recorded && !route.accountId) {
      rlog.info({ officeId: route.officeId }, 'office not linked to an account yet: kept as unrouted');
      return finish('unrouted', route.officeId ? 'office_not_linked' : 'office_unknown', 200, { status: 'unrouted' });
    }

    const sig: CallEventSignal = {
      deliveryId: recorded?.id ?? null,
      accountId: route?.accountId ?? null,
      officeId: route?.officeId ?? officeFromEvent(event),
      verifiedWith,
      event,
    };
    try {
      // With the event recorded and Temporal known to be down, leave it to the relay.
      if (recorded && breaker.open) throw new Error('Temporal recently unreachable');
      await signalCallWorkflow(deps.temporal.client, sig, signalOpts);
      breaker.succeeded();
    } catch (err) {
      breaker.failed();
      if (!recorded) {
        rlog.error({ err: errorSummary(err) }, 'neither Postgres nor Temporal took the event: 503 so Dialpad retries');
        return finish('unavailable', 'postgres_and_temporal_down', 503, {
          error: 'unavailable',
          message: 'the event could not be recorded; please retry',
        });
      }
      rlog.warn({ err: errorSummary(err) }, 'Temporal unavailable: the relay will deliver the recorded event');
      return finish('accepted', 'relay_pending', 200, { status: 'accepted' });
    }
    if (recorded) {
      // After the answer: the relay re-sends anything left unmarked, and a repeat signal is harmless.
      store
        .markSignalled([recorded.id])
        .catch((e: unknown) => rlog.warn({ err: errorSummary(e) }, 'mark signalled failed'));
    }
    return finish('accepted', recorded ? 'signalled' : 'signalled_unrecorded', 200, { status: 'accepted' });
  });
}

function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
}
