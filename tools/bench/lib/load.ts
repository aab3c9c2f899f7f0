import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx answers. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  elapsedMs: number;
  /** ok per second over the run. */
  rps: number;
  /** Latency of each 2xx answer, ms. */
  latencies: number[];
  statusCodes: Record<string, number>;
}

/**
 * POSTs a new body per request (autocannon's setupRequest) at fixed concurrency for a fixed time,
 * recording the latency of every answer.
 */
export async function postLoad(opts: {
  url: string;
  connections: number;
  durationS: number;
  nextBody: () => string;
  contentType?: string;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  const started = performance.now();
  const instance = autocannon({
    url: opts.url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 10,
    headers: { 'content-type': opts.contentType ?? 'application/jwt' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({ ...req, body: opts.nextBody() }),
      },
    ],
  });
  (instance as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      } else non2xx++;
    },
  );
  const result = await instance;
  const elapsedMs = performance.now() - started;
  return {
    ok,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    elapsedMs,
    rps: ok / (elapsedMs / 1000),
    latencies,
    statusCodes,
  };
}
