import { Client, Connection, type ClientInterceptors } from '@temporalio/client';

export interface TemporalHandles {
  client: Client;
  connection: Connection;
  /** The same connection, named for health checks. */
  probe: Connection;
  close(): Promise<void>;
}

/**
 * A lazily-connecting Temporal client for the ingress: it must start (and keep accepting webhooks
 * into Postgres) while Temporal is unreachable. Without the SDK's gRPC retry interceptor: every
 * call here is bounded and retried by our own relay, and the interceptor's retry timers outlive a
 * call we gave up on (and throw once the connection is closed).
 */
export function createTemporalClient(
  address: string,
  namespace: string,
  /** The client's interceptors (tracing's, when it is on: src/telemetry/tracing.ts). */
  interceptors?: ClientInterceptors,
): TemporalHandles {
  const connection = Connection.lazy({ address, connectTimeout: 2_000, interceptors: [] });
  const client = new Client({ connection, namespace, ...(interceptors ? { interceptors } : {}) });
  return {
    client,
    connection,
    probe: connection,
    close: async () => {
      await connection.close().catch(() => undefined);
    },
  };
}

/** Cheap reachability check used by /readyz and the doctor. */
export async function pingTemporal(probe: Connection, namespace: string, timeoutMs = 2_000): Promise<void> {
  await probe.withDeadline(Date.now() + timeoutMs, () => probe.workflowService.describeNamespace({ namespace }));
}
