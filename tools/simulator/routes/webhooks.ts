import type { FastifyInstance, FastifyReply } from 'fastify';
import { DIALPAD_CALL_STATES, DIALPAD_SUBSCRIPTION_TARGET_TYPES } from '../../../src/dialpad/types';
import {
  bad,
  boolValue,
  hookUrlValue,
  idValue,
  notFound,
  requireObject,
  secretValue,
  sendDialpad,
  type SimRequest,
} from '../http';
import { keysetPage } from '../pages';
import { renderSubscription, renderWebhook, type SimCallSubscription, type SimWebhook } from '../render';
import type { SimulatorState } from '../state';

/** Webhooks and the call event subscriptions that point at them. */
export function registerWebhookRoutes(api: FastifyInstance, state: SimulatorState): void {
  const { company } = state;
  const send = (reply: FastifyReply, body: unknown, status = 200) => sendDialpad(reply, state, status, body);
  api.post('/webhooks', async (req, reply) => {
    const body = requireObject(req.body);
    const hookUrl = hookUrlValue(body.hook_url);
    const secret = secretValue(body.secret);
    const webhook: SimWebhook = { id: state.newId(), seq: state.nextSeq(), hookUrl, secret };
    state.webhooks.set(webhook.id, webhook);
    return send(reply, renderWebhook(webhook));
  });
  api.get('/webhooks', async (req: SimRequest, reply) => {
    const items = [...state.webhooks.values()].sort((a, b) => a.seq - b.seq);
    return send(reply, keysetPage(req, state, 'webhooks', items, renderWebhook));
  });
  api.get('/webhooks/:id', async (req: SimRequest, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    return send(reply, renderWebhook(w));
  });
  api.patch('/webhooks/:id', async (req: SimRequest, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    const body = requireObject(req.body);
    if (body.hook_url !== undefined) w.hookUrl = hookUrlValue(body.hook_url);
    if (body.secret !== undefined) w.secret = secretValue(body.secret);
    return send(reply, renderWebhook(w));
  });
  api.delete('/webhooks/:id', async (req: SimRequest, reply) => {
    const w = state.webhooks.get(req.params.id ?? '');
    if (!w) throw notFound('Webhook');
    state.webhooks.delete(w.id);
    for (const s of state.subscriptions.values()) if (s.endpointId === w.id) state.subscriptions.delete(s.id);
    return send(reply, renderWebhook(w));
  });

  // Call event subscriptions
  api.post('/subscriptions/call', async (req, reply) => {
    const body = requireObject(req.body);
    const endpointRaw = body.endpoint_id ?? body.webhook_id;
    if (endpointRaw === undefined || endpointRaw === null) throw bad('endpoint_id is required');
    const endpointId = idValue(endpointRaw, 'endpoint_id');
    if (!state.webhooks.has(endpointId))
      throw bad(`endpoint_id ${endpointId} is not a webhook or websocket of this company`);
    if (state.subscriptions.size >= 100) throw bad('At most 100 call event subscriptions per company');
    const sub: SimCallSubscription = {
      id: state.newId(),
      seq: state.nextSeq(),
      callStates: callStatesValue(body.call_states),
      enabled: boolValue(body.enabled, 'enabled') ?? true,
      groupCallsOnly: boolValue(body.group_calls_only, 'group_calls_only') ?? false,
      ...targetValue(body.target_type, body.target_id),
      endpointId,
    };
    state.subscriptions.set(sub.id, sub);
    return send(reply, renderSubscription(sub, state.webhooks.get(endpointId)));
  });
  api.get('/subscriptions/call', async (req: SimRequest, reply) => {
    const { target_type: targetType, target_id: targetId } = req.query;
    const items = [...state.subscriptions.values()]
      .filter((s) => targetType === undefined || s.targetType === targetType)
      .filter((s) => targetId === undefined || s.targetId === targetId)
      .sort((a, b) => a.seq - b.seq);
    return send(
      reply,
      keysetPage(req, state, `subscriptions:${targetType ?? ''}:${targetId ?? ''}`, items, (s) =>
        renderSubscription(s, state.webhooks.get(s.endpointId)),
      ),
    );
  });
  api.get('/subscriptions/call/:id', async (req: SimRequest, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });
  api.patch('/subscriptions/call/:id', async (req: SimRequest, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    const body = requireObject(req.body);
    if (body.call_states !== undefined) s.callStates = callStatesValue(body.call_states);
    s.enabled = boolValue(body.enabled, 'enabled') ?? s.enabled;
    s.groupCallsOnly = boolValue(body.group_calls_only, 'group_calls_only') ?? s.groupCallsOnly;
    if (body.target_type !== undefined || body.target_id !== undefined)
      Object.assign(s, targetValue(body.target_type, body.target_id));
    const endpointRaw = body.endpoint_id ?? body.webhook_id;
    if (endpointRaw !== undefined) {
      const endpointId = idValue(endpointRaw, 'endpoint_id');
      if (!state.webhooks.has(endpointId)) throw bad(`endpoint_id ${endpointId} is not a webhook of this company`);
      s.endpointId = endpointId;
    }
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });
  api.delete('/subscriptions/call/:id', async (req: SimRequest, reply) => {
    const s = state.subscriptions.get(req.params.id ?? '');
    if (!s) throw notFound('Subscription');
    state.subscriptions.delete(s.id);
    return send(reply, renderSubscription(s, state.webhooks.get(s.endpointId)));
  });

  // ── validation helpers (closures over the company) ──

  function callStatesValue(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad('call_states must be a list of strings');
    for (const s of v) {
      if (!(DIALPAD_CALL_STATES as readonly string[]).includes(s)) throw bad(`Invalid call_states value '${s}'`);
    }
    return v;
  }

  function targetValue(typeRaw: unknown, idRaw: unknown): { targetType: string | null; targetId: string | null } {
    if ((typeRaw === undefined || typeRaw === null) && (idRaw === undefined || idRaw === null)) {
      return { targetType: null, targetId: null };
    }
    if (typeof typeRaw !== 'string' || !(DIALPAD_SUBSCRIPTION_TARGET_TYPES as readonly string[]).includes(typeRaw)) {
      throw bad(`Invalid target_type ${JSON.stringify(typeRaw)}`);
    }
    if (idRaw === undefined || idRaw === null) throw bad('target_id is required with target_type');
    const targetId = idValue(idRaw, 'target_id');
    const exists =
      typeRaw === 'office'
        ? company.officeById.has(targetId)
        : typeRaw === 'user'
          ? company.userById.has(targetId)
          : typeRaw === 'department' || typeRaw === 'callcenter'
            ? company.groupById.get(targetId)?.kind === typeRaw
            : true;
    if (!exists) throw bad(`No ${typeRaw} with id ${targetId}`);
    return { targetType: typeRaw, targetId };
  }
}
