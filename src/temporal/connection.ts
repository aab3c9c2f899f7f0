import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import type { Config } from '../config';
import { explainTemporalFailure, type TemporalSecurity } from './security';

export interface TemporalHandles {
  client: Client;
  connection: Connection;
  /** The same connection, named for health checks. */
  probe: Connection;
  close(): Promise<void>;
}

/** Where and how to reach Temporal: the part of the configuration every connection needs. */
export type TemporalTarget = Pick<Config['temporal'], 'address' | 'namespace'> & { security?: TemporalSecurity };

/**
 * The SDK's connection options for a target, the same for the client (`Connection`) and the
 * worker (`NativeConnection`): TLS when any TLS setting or an API key is configured.
 */
export function temporalConnectionOptions(target: TemporalTarget): {
  address: string;
  tls?: NonNullable<TemporalSecurity['tls']>;
  apiKey?: string;
} {
  if (!target.address) throw new Error('TEMPORAL_ADDRESS is not set');
  const { tls, apiKey } = target.security ?? {};
  return { address: target.address, ...(tls ? { tls } : {}), ...(apiKey ? { apiKey } : {}) };
}

/**
 * A lazily-connecting Temporal client for the ingress: it must start (and keep accepting webhooks
 * into Postgres) while Temporal is unreachable. Without the SDK's gRPC retry interceptor: every
 * call here is bounded and retried by our own relay, and the interceptor's retry timers outlive a
 * call we gave up on (and throw once the connection is closed).
 */
export function createTemporalClient(
  target: TemporalTarget,
  /** The client's interceptors (tracing's, when it is on: src/telemetry/tracing.ts). */
  interceptors?: ClientInterceptors,
): TemporalHandles {
  const connection = Connection.lazy({ ...temporalConnectionOptions(target), connectTimeout: 2_000, interceptors: [] });
  const client = new Client({ connection, namespace: target.namespace, ...(interceptors ? { interceptors } : {}) });
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

/** A configuration problem found on first contact with Temporal (a CA that does not verify, ...). */
export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

/**
 * At start: one probe, so that TLS settings that can never work stop the process with a message
 * naming the variable. An unreachable Temporal is not a configuration problem (the ingress keeps
 * accepting webhooks into Postgres), so only TLS failures throw.
 */
export async function checkTemporalSecurity(handles: TemporalHandles, target: TemporalTarget): Promise<void> {
  if (!target.security?.tls && !target.security?.apiKey) return;
  try {
    await pingTemporal(handles.probe, target.namespace, 5_000);
  } catch (err) {
    const problem = await explainTemporalFailure(err, target.address ?? '?', target.security);
    if (problem) throw new TemporalConfigError(problem);
  }
}
