import { Client, Connection } from '@temporalio/client';

export interface TemporalHandles {
  client: Client;
  connection: Connection;
  /**
   * A second connection without the SDK's gRPC retry interceptor, for health checks: a ping must
   * fail fast, and a retry timer still pending when the connection closes would throw.
   */
  probe: Connection;
  close(): Promise<void>;
}

/**
 * A lazily-connecting Temporal client: the ingress must start (and keep accepting webhooks into
 * Postgres) even while Temporal is unreachable.
 */
export function createTemporalClient(address: string, namespace: string): TemporalHandles {
  const connection = Connection.lazy({ address, connectTimeout: 5_000 });
  const probe = Connection.lazy({ address, connectTimeout: 2_000, interceptors: [] });
  const client = new Client({ connection, namespace });
  return {
    client,
    connection,
    probe,
    close: async () => {
      await Promise.allSettled([connection.close(), probe.close()]);
    },
  };
}

/** Cheap reachability check used by /readyz and the doctor. */
export async function pingTemporal(probe: Connection, namespace: string, timeoutMs = 2_000): Promise<void> {
  await probe.withDeadline(Date.now() + timeoutMs, () => probe.workflowService.describeNamespace({ namespace }));
}
