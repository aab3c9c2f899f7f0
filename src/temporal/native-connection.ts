import { NativeConnection } from '@temporalio/worker';
import { explainTemporalFailure } from './security';
import { temporalConnectionOptions, TemporalConfigError, type TemporalTarget } from './connection';

/**
 * The worker's connection, with the same TLS / API key as the clients. A TLS failure is reported
 * as a configuration error naming the variable to change (TEMPORAL_TLS_CA, ...).
 */
export async function connectWorkerToTemporal(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(temporalConnectionOptions(target));
  } catch (err) {
    const problem = target.security ? await explainTemporalFailure(err, target.address ?? '?', target.security) : null;
    if (problem) throw new TemporalConfigError(problem);
    throw err;
  }
}
