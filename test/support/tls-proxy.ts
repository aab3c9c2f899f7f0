import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A Temporal frontend that requires TLS, made of the plain-text dev server and this gRPC proxy in
 * front of it (TLS is terminated here, as a load balancer or Temporal Cloud's edge would). With
 * `clientCa` the proxy requires a client certificate signed by it (mTLS); with `apiKey` it refuses
 * requests without `authorization: Bearer <apiKey>` (gRPC status 16, as Temporal Cloud does).
 */
export interface TlsGrpcProxy {
  address: string;
  /** Requests forwarded (by gRPC method path). */
  forwarded: string[];
  /** Requests refused for a missing or wrong API key. */
  refused: number;
  close(): Promise<void>;
}

export async function startTlsGrpcProxy(opts: {
  target: string;
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
  apiKey?: string;
}): Promise<TlsGrpcProxy> {
  const upstream = http2.connect(`http://${opts.target}`);
  upstream.on('error', () => undefined);
  const state = { forwarded: [] as string[], refused: 0 };
  const server = http2.createSecureServer({
    cert: opts.cert,
    key: opts.key,
    ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  });
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      state.refused++;
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'invalid API key' },
        { endStream: true },
      );
      return;
    }
    state.forwarded.push(path);
    const forward: http2.OutgoingHttpHeaders = { ':method': headers[':method'], ':path': path };
    for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) forward[name] = value;
    const up = upstream.request(forward);
    let trailers: http2.IncomingHttpHeaders | undefined;
    up.on('response', (h, flags) => {
      const reply: http2.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(h))
        if (!name.startsWith(':') || name === ':status') reply[name] = value;
      // A trailers-only answer (an error status) ends the stream with its headers.
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (!stream.destroyed) stream.respond(reply, endStream ? { endStream: true } : { waitForTrailers: true });
    });
    up.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => {
      const out: http2.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(trailers ?? {})) if (!name.startsWith(':')) out[name] = value;
      stream.sendTrailers(out);
    });
    up.on('data', (chunk: Buffer) => {
      if (!stream.destroyed) stream.write(chunk);
    });
    up.on('end', () => {
      if (!stream.destroyed && !stream.writableEnded) stream.end();
    });
    up.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('data', (chunk: Buffer) => up.write(chunk));
    stream.on('end', () => up.end());
    stream.on('close', () => {
      if (!up.closed) up.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on('error', () => undefined);
  });
  server.on('sessionError', () => undefined);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    address: `127.0.0.1:${port}`,
    get forwarded() {
      return state.forwarded;
    },
    get refused() {
      return state.refused;
    },
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}
