import { Client, Connection } from '@temporalio/client';

/**
 * A lazily-connecting Temporal client: the ingress must start (and keep accepting webhooks into
 * Postgres) even while Temporal is unreachable.
 */
export function createTemporalClient(address: string, namespace: string): { client: Client; connection: Connection } {
  const connection = Connection.lazy({ address, connectTimeout: 5_000 });
  const client = new Client({ connection, namespace });
  return { client, connection };
}

/** Cheap reachability check used by /readyz and the doctor. */
export async function pingTemporal(connection: Connection, namespace: string, timeoutMs = 2_000): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () =>
    connection.workflowService.describeNamespace({ namespace }),
  );
}
