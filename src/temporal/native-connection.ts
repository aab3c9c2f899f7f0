import { NativeConnection } from '@temporalio/worker';
import { diagnoseTls, explainTemporalTlsError } from './security';
import { temporalConnectionOptions, TemporalConfigError, type TemporalTarget } from './connection';

/**
 * The worker's connection, with the same TLS / API key as the clients. A TLS failure is reported
 * as a configuration error naming the variable to change (TEMPORAL_TLS_CA, ...).
 */
export async function connectWorkerToTemporal(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(temporalConnectionOptions(target));
  } catch (err) {
    const { security, address = '?' } = target;
    let problem = security ? explainTemporalTlsError(err, address, security) : null;
    if (!problem && security?.tls) {
      // A vague error (a closed connection) over TLS: ask the frontend directly what is wrong.
      const seen = await diagnoseTls(address, security);
      if (seen) problem = explainTemporalTlsError(seen, address, security);
    }
    if (problem) throw new TemporalConfigError(problem);
    throw err;
  }
}
