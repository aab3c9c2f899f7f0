import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

/**
 * Signals what the ingress accepted but left to the relay, as the product's relay would on its own: on a
 * loaded machine a signal can outlast the request's budget, and the delivery is then answered 2xx and kept
 * `pending` (`relay_pending`). For tests that build the app with the relay disabled and run it by hand.
 * Returns how many deliveries it signalled.
 */
export async function relayPending(app: FastifyInstance, db: Knex): Promise<number> {
  await db('dialpad_webhook_deliveries').where({ signal_status: 'pending' }).update({ relay_after: db.fn.now() });
  let sent = 0;
  // A few passes at most: each takes a batch; nothing is made pending again while the test waits.
  for (let pass = 0; pass < 10; pass++) {
    const n = await app.deliveryRelay.runOnce();
    if (n === 0) break;
    sent += n;
  }
  return sent;
}
