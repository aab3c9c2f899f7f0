import type { CallOptions } from './client-options';
import { DialpadTransport } from './transport';
import {
  dialpadCallSubscriptionSchema,
  dialpadWebhookSchema,
  type DialpadCallSubscription,
  type DialpadCallSubscriptionCreate,
  type DialpadSubscriptionTargetType,
  type DialpadWebhook,
  type DialpadWebhookCreate,
} from './types';

/** Webhooks and call-event subscriptions. Composed into DialpadClient (client.ts). */
export abstract class SubscriptionEndpoints extends DialpadTransport {
  /** POST /webhooks (100/min). The secret signs every event sent to this hook. */
  createWebhook(webhook: DialpadWebhookCreate, options: CallOptions = {}): Promise<DialpadWebhook> {
    return this.request(
      { method: 'POST', template: '/api/v2/webhooks', body: webhook, signal: options.signal },
      dialpadWebhookSchema,
    );
  }

  listWebhooks(options: CallOptions = {}): AsyncIterable<DialpadWebhook> {
    return this.paginate({ method: 'GET', template: '/api/v2/webhooks', signal: options.signal }, dialpadWebhookSchema);
  }

  getWebhook(webhookId: string, options: CallOptions = {}): Promise<DialpadWebhook> {
    return this.request(
      { method: 'GET', template: '/api/v2/webhooks/{id}', params: { id: webhookId }, signal: options.signal },
      dialpadWebhookSchema,
    );
  }

  async deleteWebhook(webhookId: string, options: CallOptions = {}): Promise<void> {
    await this.request(
      { method: 'DELETE', template: '/api/v2/webhooks/{id}', params: { id: webhookId }, signal: options.signal },
      null,
    );
  }

  createCallSubscription(
    subscription: DialpadCallSubscriptionCreate,
    options: CallOptions = {},
  ): Promise<DialpadCallSubscription> {
    return this.request(
      { method: 'POST', template: '/api/v2/subscriptions/call', body: subscription, signal: options.signal },
      dialpadCallSubscriptionSchema,
    );
  }

  listCallSubscriptions(
    options: CallOptions & { targetType?: DialpadSubscriptionTargetType; targetId?: string } = {},
  ): AsyncIterable<DialpadCallSubscription> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/subscriptions/call',
        query: { target_type: options.targetType, target_id: options.targetId },
        signal: options.signal,
      },
      dialpadCallSubscriptionSchema,
    );
  }

  getCallSubscription(subscriptionId: string, options: CallOptions = {}): Promise<DialpadCallSubscription> {
    return this.request(
      {
        method: 'GET',
        template: '/api/v2/subscriptions/call/{id}',
        params: { id: subscriptionId },
        signal: options.signal,
      },
      dialpadCallSubscriptionSchema,
    );
  }

  async deleteCallSubscription(subscriptionId: string, options: CallOptions = {}): Promise<void> {
    await this.request(
      {
        method: 'DELETE',
        template: '/api/v2/subscriptions/call/{id}',
        params: { id: subscriptionId },
        signal: options.signal,
      },
      null,
    );
  }
}
